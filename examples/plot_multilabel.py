"""
Multi-label images: which digits are in the picture?
====================================================

An image may show several things at once. Here each image is two MNIST
digits side by side (28x56 pixels), and its labels are the set of digits it
shows: a row of a 0/1 matrix with one column per digit, with two ones, or a
single one when the same digit appears twice. The order of the two digits
does not matter, so this is not two ten-way classifications but ten yes/no
questions.

Every skvision classifier takes such a 0/1 matrix as ``y``: the network ends
in one sigmoid per label, trains on binary cross-entropy, ``predict_proba``
gives each label's probability and ``predict`` answers 1 where it is at least
0.5. We train :class:`~skvision.ConvNetClassifier` and a
:class:`~skvision.KerasClassifier` around a network of our own, and score
them with scikit-learn's multi-label metrics.

``SKVISION_EXAMPLES_QUICK=1`` trains on 6,000 pairs for 6 epochs; the full
run trains on 30,000 pairs for up to 15 epochs and tests on 10,000.
"""

# %%
# Pairs of digits
# ---------------
# Training pairs are drawn from MNIST's training set and test pairs from its
# test set, so no test digit was ever seen in training. About one pair in ten
# shows the same digit twice and has a single label.
import os

import numpy as np

from skvision.datasets import fetch_mnist

QUICK = os.environ.get("SKVISION_EXAMPLES_QUICK") == "1"
N_TRAIN, N_TEST = (6000, 2000) if QUICK else (30000, 10000)


def digit_pairs(images, digits, n_pairs, rng):
    """``n_pairs`` images of two random digits side by side, and their label sets."""
    left, right = rng.integers(len(images), size=(2, n_pairs))
    X = np.concatenate([images[left], images[right]], axis=2)  # (n, 28, 56)
    Y = np.zeros((n_pairs, 10), dtype=int)
    Y[np.arange(n_pairs), digits[left]] = 1
    Y[np.arange(n_pairs), digits[right]] = 1
    return X, Y


rng = np.random.default_rng(0)
train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")
X_train, Y_train = digit_pairs(train.images, train.target, N_TRAIN, rng)
X_test, Y_test = digit_pairs(test.images, test.target, N_TEST, rng)
print(f"{len(X_train)} training and {len(X_test)} test images of {X_train.shape[1:]}")
print(f"labels per image: {np.bincount(Y_train.sum(axis=1))[1:].tolist()} (1, 2)")

# %%
# skvision's convolutional network
# --------------------------------
# Three conv-ReLU-pool blocks and a dense layer; with a 0/1 matrix as ``y``
# its output layer has ten sigmoids. The 28x56 images are used as they are.
# Batch normalization is off: its moving averages need more steps than a
# short run gives to settle. With it, 4 epochs on 6,000 pairs answered 98.5 %
# of the per-label questions right in training, but only 84 % of held-out
# ones, barely above the 80 % of answering "no" everywhere.
from skvision import ConvNetClassifier

EPOCHS = 6 if QUICK else 15
conv = ConvNetClassifier(
    conv_blocks=((32,), (64,), (128,)),
    batch_normalization=False,
    dense_layer_sizes=(256,),
    max_iter=EPOCHS,
    random_state=0,
)
conv.fit(X_train, Y_train)
print(f"ConvNetClassifier: {conv.n_iter_} epochs, output {conv.model_.output_shape}")

# %%
# A network of our own
# --------------------
# The same task with :class:`~skvision.KerasClassifier`. The builder's last
# layer has no activation, so its outputs are logits: the estimator trains
# with binary cross-entropy ``from_logits`` and ``predict_proba`` applies the
# sigmoid. Four conv-pool stages see a whole digit, and global max pooling
# lets each of the last feature maps answer "is this digit anywhere in the
# picture?", wherever it is.
import keras

from skvision import KerasClassifier


def digit_finder(input_shape, n_outputs, filters=32, dropout=0.3):
    layers = keras.layers
    x = inputs = keras.Input(input_shape)
    for multiple in (1, 2, 4, 4):  # 28x56 -> 14x28 -> 7x14 -> 3x7 -> 1x3
        x = layers.Conv2D(multiple * filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalMaxPooling2D()(x)
    x = layers.Dropout(dropout)(x)
    return keras.Model(inputs, layers.Dense(n_outputs)(x))  # logits


own = KerasClassifier(digit_finder, model__filters=32, max_iter=EPOCHS, random_state=0)
own.fit(X_train, Y_train)
print(f"KerasClassifier: {own.n_iter_} epochs, output {own.model_.output_shape}")

# %%
# Scores
# ------
# ``f1_score(average="samples")`` averages, image by image, how well the
# predicted set matches the true one; the Hamming loss is the fraction of the
# 10 yes/no answers that are wrong; ``accuracy_score`` on label matrices counts
# the images whose set is exactly right.
from sklearn.metrics import accuracy_score, f1_score, hamming_loss

predictions = {
    "ConvNetClassifier": conv.predict(X_test),
    "KerasClassifier": own.predict(X_test),
}
for name, Y_pred in predictions.items():
    print(
        f"{name:18s} F1 (samples) {f1_score(Y_test, Y_pred, average='samples'):.4f}"
        f"   Hamming loss {hamming_loss(Y_test, Y_pred):.4f}"
        f"   exact sets {accuracy_score(Y_test, Y_pred):.4f}"
    )

# %%
# Per-digit probabilities
# -----------------------
# ``predict_proba`` gives one probability per label, not a distribution: a
# row may sum to 2 (two digits) or to 1 (the same digit twice).
proba = conv.predict_proba(X_test[:3])
print(np.round(proba, 2))
print("row sums:", np.round(proba.sum(axis=1), 2), " true:", Y_test[:3].sum(axis=1))

# %%
# Predicted label sets
# --------------------
# Test images with the set of digits the convolutional network sees, in red
# where it differs from the true set. Mistakes are shown first.
import matplotlib.pyplot as plt


def digit_set(row):
    return "{" + ", ".join(str(d) for d in np.flatnonzero(row)) + "}"


Y_pred = predictions["ConvNetClassifier"]
wrong = np.flatnonzero((Y_pred != Y_test).any(axis=1))
right = np.flatnonzero((Y_pred == Y_test).all(axis=1))
shown = np.concatenate([wrong[:6], right[: 12 - len(wrong[:6])]])
fig, axes = plt.subplots(3, 4, figsize=(10, 5), layout="constrained")
for ax, i in zip(axes.flat, shown, strict=True):
    ax.imshow(X_test[i], cmap="gray_r")
    ok = (Y_pred[i] == Y_test[i]).all()
    ax.set_title(
        f"predicted {digit_set(Y_pred[i])}\ntrue {digit_set(Y_test[i])}",
        color="black" if ok else "red",
        fontsize=9,
    )
    ax.axis("off")
