"""
Few-shot recognition of new alphabets: metric learning vs a classifier's features
=================================================================================

Lake et al. (2015) ask a model to recognise characters it has seen drawn once:
an episode shows one drawing of each of 20 characters of an alphabet, then a
new drawing of each, to be matched to one of the 20 (chance: 95 % error).
Three alphabets of the Omniglot small subset train the networks; the
characters of two other alphabets, never seen in training, are tested on
20-way episodes drawn by :class:`~skvision.transfer.FewShotSplit` within one
alphabet at a time, with a 1-nearest-neighbour classifier on three kinds of
features:

- the raw pixels;
- the features of a :class:`~skvision.ConvNetClassifier` trained with
  cross-entropy to tell the training characters apart (then frozen);
- the embeddings of an :class:`~skvision.EmbeddingNet` trained for exactly
  this: on episodes of the training characters, so that drawings of one
  character lie close and drawings of different characters far apart.

The full run (400 episodes per row, 3 minutes on two CPU cores) gives
these error rates on the held-out Balinese and Greek characters:

===============  ==========  =============  ===============
20-way episode   raw pixels  cross-entropy  metric learning
===============  ==========  =============  ===============
one-shot         84.4 %      34.8 %         32.4 %
five-shot        72.4 %      23.0 %         23.0 %
===============  ==========  =============  ===============

Trained for distances, the network does hardly better than trained to
classify: with 88 training characters (352 turned), both solve nine in ten
training episodes and about two in three on the new alphabets. The gap is the few
training classes: Koch et al. (2015) reach 8 % one-shot error with 964
characters of 30 alphabets. ``benchmarks/bench_few_shot.py`` tries what the
literature does with little data, one change per row, on the same 400
episodes (one 2-core run; a rerun of one row moves it by about a point):

===  ==============================================  ========  =========
row  metric learning, 20-way error on new alphabets  one-shot  five-shot
===  ==============================================  ========  =========
1    prototypical, 4x64 convs, 28x28, 64-d           49.4 %    37.7 %
2    and affine augmentation                         45.4 %    35.3 %
3    and turned copies as new classes (x4)           42.8 %    31.1 %
4    and 32x32, convs 32 to 256, avg pooling, 128-d  34.8 %    24.2 %
5    row 4 with 60-way training episodes             34.8 %    24.4 %
6    row 4 with 5-shot training episodes             40.3 %    28.1 %
7    row 4 with thinner and thicker strokes (x3)     38.3 %    26.8 %
8    row 4 with 48x48 inputs                         35.0 %    24.5 %
9    row 4 with episodes within one alphabet         36.7 %    25.0 %
10   row 4 with the triplet objective (semi-hard)    32.4 %    23.0 %
===  ==============================================  ========  =========

Rows 2 and 3 build on the row before; rows 5 to 10 change one thing of row
4. The example uses row 10.

``SKVISION_EXAMPLES_QUICK=1`` trains a few epochs and draws 50 episodes.
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
# Its features are the 256 averaged maps the softmax reads; ``FrozenEstimator``
# keeps it fitted when :class:`~skvision.BackboneFeatures` is cloned.
from sklearn.frozen import FrozenEstimator

from skvision import BackboneFeatures, ConvNetClassifier

AFFINE = dict(rotation_range=10.0, zoom_range=0.1, translation_range=0.1)
CONVS = dict(
    resize_to=(32, 32), conv_blocks=((32,), (64,), (128,), (256,)), pooling="avg"
)
classifier = ConvNetClassifier(
    **CONVS,
    **AFFINE,
    dense_layer_sizes=(),
    dropout=0.2,
    batch_size=64,
    max_iter=3 if QUICK else 40,
    early_stopping=False,
    random_state=0,
)
classifier.fit(images[~test], y[~test])
cross_entropy = BackboneFeatures(FrozenEstimator(classifier)).fit_transform(
    images[test]
)

# %%
# A network trained for distances
# -------------------------------
# :class:`~skvision.EmbeddingNet` trains the same convolutions on episodes:
# each step draws 20 training characters and six drawings of each, and moves
# the 128-d embeddings so that, for every pair of drawings of one character,
# the nearest drawing of another character that is farther away (a
# "semi-hard" negative) is farther by a margin (the triplet loss of Schroff
# et al., 2015, on the unit sphere). The prototypical objective (Snell et al.,
# 2017; the estimator's default) scores within a point of it here (see the
# table above). Two tricks of the literature multiply the little data: every
# character turned by 90, 180 and 270 degrees becomes a new character (352
# instead of 88), and the drawings get the same random rotations, zooms and
# shifts as above.
from skvision import EmbeddingNet


def turned_classes(images, y):
    """Each character turned by 0, 90, 180 and 270 degrees, as four characters."""
    turns = [np.rot90(images, k, axes=(1, 2)) for k in range(4)]
    labels = [np.char.add(y.astype(str), f"@{90 * k}") for k in range(4)]
    return np.concatenate(turns), np.concatenate(labels)


X_train, y_train = turned_classes(images[~test], y[~test])
embedding = EmbeddingNet(
    **CONVS,
    **AFFINE,
    embedding_dim=128,
    objective="triplet",
    n_way=20,
    n_shot=1,
    n_query=5,
    max_iter=2 if QUICK else 15,
    random_state=0,
)
embedding.fit(X_train, y_train)
metric = embedding.transform(images[test])
print(
    f"{embedding.n_iter_} epochs of {-(-len(y_train) // 120)} episodes, last episode "
    f"accuracy {100 * embedding.history_['accuracy'][-1]:.1f} %"
)

# %%
# Episodes on the test alphabets
# ------------------------------
# The features of all test drawings are computed once; each episode then fits
# the 1-nearest-neighbour classifier on its support drawings (``n_shot`` per
# character) and scores it on one new drawing of each character. ``groups``
# makes the 20 characters of an episode come from one alphabet.
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from skvision.transfer import FewShotSplit

features = {
    "raw pixels": images[test].reshape(test.sum(), -1) / 255,
    "cross-entropy": cross_entropy,
    "metric learning": metric,
}
n_episodes = 50 if QUICK else 400
shots = (1, 2, 3, 5, 10)
errors = {}
for n_shot in shots:
    episodes = FewShotSplit(20, n_shot, n_episodes=n_episodes, random_state=0)
    for name, X in features.items():
        accuracy = cross_val_score(
            KNeighborsClassifier(n_neighbors=1),
            X,
            y[test],
            groups=alphabet[test],
            cv=episodes,
        )
        errors[n_shot, name] = 100 * (1 - accuracy.mean())

print(f"20-way error rates, {n_episodes} episodes each:")
print(f"{'':10}" + "".join(f"{name:>17}" for name in features))
for n_shot in shots:
    rates = "".join(f"{errors[n_shot, name]:15.1f} %" for name in features)
    print(f"{n_shot:2}-shot    {rates}")
print(f"run time: {time.perf_counter() - start:.0f} s")

# %%
# Error against the number of drawings per character
# --------------------------------------------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3.5))
for name in features:
    ax.plot(shots, [errors[n_shot, name] for n_shot in shots], "o-", label=name)
ax.axhline(95, color="gray", linestyle="--", linewidth=1, label="chance")
ax.set_xticks(shots)
ax.set_xlabel("drawings per character (shots)")
ax.set_ylabel("20-way error rate (%)")
ax.set_ylim(0, 100)
ax.legend(fontsize="small")
ax.set_title("New alphabets, 1-nearest neighbour")
fig.tight_layout()

# %%
# One one-shot episode
# --------------------
# Top row: the one drawing of each character the classifier is given. Below
# it, the new drawing of the same character, titled with the column of the
# support drawing nearest in the metric-learning embedding (red when wrong),
# then with the column nearest in the cross-entropy features.
support, query = next(
    FewShotSplit(20, 1, random_state=1).split(metric, y[test], alphabet[test])
)
guesses = {
    name: KNeighborsClassifier(n_neighbors=1)
    .fit(features[name][support], np.arange(20))
    .predict(features[name][query])
    for name in ("metric learning", "cross-entropy")
}

fig, axes = plt.subplots(3, 20, figsize=(12, 2.6))
for column in range(20):
    axes[0, column].imshow(images[test][support[column]], cmap="gray_r")
    axes[0, column].set_title(str(column), fontsize=8)
    for row, name in enumerate(guesses, start=1):
        axes[row, column].imshow(images[test][query[column]], cmap="gray_r")
        guess = guesses[name][column]
        axes[row, column].set_title(
            str(guess), fontsize=8, color="black" if guess == column else "red"
        )
for ax in axes.flat:
    ax.set_axis_off()
for row, label in enumerate(("metric", "cross-\nentropy"), start=1):
    axes[row, 0].text(
        -0.3, 0.5, label, transform=axes[row, 0].transAxes, ha="right", fontsize=8
    )
fig.suptitle(f"{alphabet[test][support[0]]}: support (top) and queries")
fig.tight_layout()
