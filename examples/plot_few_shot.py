"""
Few-shot recognition of new alphabets with a CNN's features
===========================================================

Lake et al. (2015) ask a model to recognise characters it has seen drawn once:
an episode shows one drawing of each of 20 characters of an alphabet, then a
new drawing of each, to be matched to one of the 20 (chance: 95 % error). This
example trains a :class:`~skvision.ConvNetClassifier` to tell apart the
characters of three alphabets of the Omniglot small subset, then uses it,
frozen, as a feature extractor (:class:`~skvision.BackboneFeatures`) for the
characters of two other alphabets, never seen in training. A 1-nearest-neighbour
classifier on these features is scored on 20-way episodes drawn by
:class:`~skvision.transfer.FewShotSplit`, within one alphabet at a time.

The full run (40 epochs, 400 episodes per row, 3 minutes on two CPU
cores) gives these error rates on the held-out Balinese and Greek characters:

===============  ==========  ============
20-way episode   raw pixels  CNN features
===============  ==========  ============
one-shot         84.4 %      34.9 %
five-shot        72.4 %      22.7 %
===============  ==========  ============

Raw pixels are the 105x105 images as stored; both columns use the Euclidean
distance (the cosine distance, tried too, changes the CNN's rates by under a
point). Each rate is over 8,000 queries (400 episodes of 20). A five-shot
episode gives five drawings of each character instead of one.
``SKVISION_EXAMPLES_QUICK=1`` trains for 3 epochs and draws 50 episodes.
"""

# %%
# Training alphabets and test alphabets
# -------------------------------------
# :func:`~skvision.datasets.fetch_omniglot` gives each drawing's character as
# ``target`` and its alphabet as ``alphabet``. The small subset has five
# alphabets of 22 to 40 characters (20 drawings each); two of them, with at
# least 20 characters each, are kept apart for the 20-way episodes. The images
# are inverted (``255 - images``) so that strokes are bright on a black
# background, as in MNIST.
import os
import time

import numpy as np

from skvision.datasets import fetch_omniglot

QUICK = os.environ.get("SKVISION_EXAMPLES_QUICK") == "1"
start = time.perf_counter()
omniglot = fetch_omniglot(subset="background_small1")
images, y, alphabet = 255 - omniglot.images, omniglot.target, omniglot.alphabet

test_alphabets = ["Balinese", "Greek"]
test = np.isin(alphabet, test_alphabets)
for name in np.unique(alphabet):
    role = "test" if name in test_alphabets else "train"
    print(f"{role:5}  {name:14} {len(np.unique(y[alphabet == name])):2} characters")

# %%
# A CNN trained to tell the training characters apart
# ----------------------------------------------------
# Four conv blocks on 32x32 images, global average pooling and the softmax over
# the 88 training characters, with small random rotations, zooms and shifts.
# Its features are the 256 averaged maps the softmax reads.
from skvision import ConvNetClassifier

net = ConvNetClassifier(
    resize_to=(32, 32),
    conv_blocks=((32,), (64,), (128,), (256,)),
    pooling="avg",
    dense_layer_sizes=(),
    dropout=0.2,
    rotation_range=10.0,
    zoom_range=0.1,
    translation_range=0.1,
    batch_size=64,
    max_iter=3 if QUICK else 40,
    early_stopping=False,
    random_state=0,
)
net.fit(images[~test], y[~test])
print(
    f"accuracy on held-out drawings of the training characters: "
    f"{100 * net.history_['val_accuracy'][-1]:.1f} %"
)

# %%
# Episodes on the test alphabets
# ------------------------------
# ``FrozenEstimator`` keeps the trained network fitted when
# :class:`~skvision.BackboneFeatures` is cloned; its ``fit`` trains nothing.
# The features of all test drawings are computed once; each episode then fits
# the 1-nearest-neighbour classifier on its support drawings (``n_shot`` per
# character) and scores it on one new drawing of each character. ``groups``
# makes the 20 characters of an episode come from one alphabet.
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from skvision import BackboneFeatures
from skvision.transfer import FewShotSplit

raw = images[test].reshape(test.sum(), -1).astype(np.float32)
features = BackboneFeatures(FrozenEstimator(net)).fit_transform(images[test])
n_episodes = 50 if QUICK else 400

errors = {}
for n_shot in (1, 5):
    episodes = FewShotSplit(20, n_shot, n_episodes=n_episodes, random_state=0)
    for name, X in (("raw pixels", raw), ("CNN features", features)):
        accuracy = cross_val_score(
            KNeighborsClassifier(n_neighbors=1),
            X,
            y[test],
            groups=alphabet[test],
            cv=episodes,
        )
        errors[n_shot, name] = 1 - accuracy.mean()

print(f"20-way error rates, {n_episodes} episodes each:")
print(f"{'':10} {'raw pixels':>12} {'CNN features':>13}")
for n_shot, row in ((1, "one-shot"), (5, "five-shot")):
    print(
        f"{row:10} {100 * errors[n_shot, 'raw pixels']:11.1f} %"
        f" {100 * errors[n_shot, 'CNN features']:12.1f} %"
    )
print(f"run time: {time.perf_counter() - start:.0f} s")

# %%
# Error rates
# -----------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3.5))
width = 0.38
for k, name in enumerate(("raw pixels", "CNN features")):
    rates = [100 * errors[n_shot, name] for n_shot in (1, 5)]
    bars = ax.bar(np.arange(2) + (k - 0.5) * width, rates, width, label=name)
    ax.bar_label(bars, fmt="%.1f")
ax.axhline(95, color="gray", linestyle="--", linewidth=1, label="chance")
ax.set_xticks(np.arange(2), ["one-shot", "five-shot"])
ax.set_ylabel("20-way error rate (%)")
ax.set_ylim(0, 100)
ax.legend(loc="center right", fontsize="small")
ax.set_title("New alphabets, 1-nearest neighbour")
fig.tight_layout()

# %%
# One one-shot episode
# --------------------
# Top row: the one drawing of each character the classifier is given. Below
# it, the new drawing of the same character; its title is the column of the
# support drawing nearest in CNN features, red when wrong.
support, query = next(
    FewShotSplit(20, 1, random_state=1).split(raw, y[test], alphabet[test])
)
nearest = KNeighborsClassifier(n_neighbors=1).fit(features[support], np.arange(20))
guess = nearest.predict(features[query])

fig, axes = plt.subplots(2, 20, figsize=(12, 1.8))
for column in range(20):
    for ax, index in zip(
        axes[:, column], (support[column], query[column]), strict=True
    ):
        ax.imshow(images[test][index], cmap="gray_r")
        ax.set_axis_off()
    axes[0, column].set_title(str(column), fontsize=8)
    axes[1, column].set_title(
        str(guess[column]),
        fontsize=8,
        color="black" if guess[column] == column else "red",
    )
fig.suptitle(f"{alphabet[test][support[0]]}: support (top) and query (bottom)")
fig.tight_layout()
