"""
A CNN trained from a folder of image files
==========================================

Your own photos usually sit in one folder per class. This example makes such a
folder from the Omniglot small subset (2,720 handwritten characters of five
alphabets, 105x105 PNGs), lists it with
:func:`~skvision.datasets.load_image_folder` and trains a
:class:`~skvision.ConvNetClassifier` on the file paths: the images are decoded,
resized and augmented a batch at a time, never loaded all at once. The task is
to tell which alphabet a character comes from, for characters never seen in
training: the full run (up to 15 epochs, about a minute on two CPU cores) gets
62.8 % of them right, where always answering the largest alphabet gets 29 %.
``SKVISION_EXAMPLES_QUICK=1`` trains for 2 epochs.

For a folder of your own photos, the same two calls are::

    photos = load_image_folder("path/to/photos")   # one sub-folder per class
    clf = ConvNetClassifier(image_shape=(128, 128, 3), horizontal_flip=True)
    clf.fit(photos.filenames, photos.target)
"""

# %%
# A folder with one sub-folder per class
# --------------------------------------
# Omniglot's zip holds ``alphabet/characterNN/*.png``: extracted as it is, each
# alphabet folder is a class, and its character folders are nested inside.
import os
import tempfile
import zipfile
from pathlib import Path

from skvision.datasets import get_data_home, load_image_folder

QUICK = os.environ.get("SKVISION_EXAMPLES_QUICK") == "1"
archive = Path(get_data_home()) / "omniglot" / "images_background_small1.zip"
folder = Path(tempfile.mkdtemp()) / "alphabets"
with zipfile.ZipFile(archive) as zipped:
    for name in zipped.namelist():
        if name.endswith(".png"):
            target = folder.joinpath(*name.split("/")[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zipped.read(name))

characters = load_image_folder(folder)
print(characters.DESCR)

# %%
# Train on some characters, test on others
# ----------------------------------------
# A character's 20 drawings stay together, so the test characters are new to
# the network. ``X`` is the array of file paths: ``GroupShuffleSplit``,
# ``cross_validate`` and searches take it as they take arrays.
import numpy as np
from sklearn.model_selection import GroupShuffleSplit

from skvision import ConvNetClassifier

paths, y = characters.filenames, characters.target
character_of = np.array([Path(p).parent.name + Path(p).parents[1].name for p in paths])
train, test = next(
    GroupShuffleSplit(test_size=0.25, random_state=0).split(paths, y, character_of)
)

clf = ConvNetClassifier(
    image_shape=(48, 48, 1),  # grayscale, resized from 105x105 as files are read
    conv_blocks=((32,), (64,)),
    batch_normalization=False,
    dense_layer_sizes=(128,),
    batch_size=64,
    max_iter=2 if QUICK else 15,
    random_state=0,
)
clf.fit(paths[train], y[train])
print(f"alphabet of unseen characters: {100 * clf.score(paths[test], y[test]):.1f} %")

# %%
# Which alphabets are confused
# ----------------------------
from skvision.plotting import ConfusionMatrixDisplay

ConfusionMatrixDisplay.from_estimator(
    clf, paths[test], y[test], display_labels=characters.target_names
)
