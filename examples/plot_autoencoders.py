"""
Autoencoders, FID and classifiers on latent codes
=================================================

The autoencoder study on MNIST: dense, sparse, denoising and convolutional
autoencoders with 32-dimensional codes; their reconstructions; the Fréchet
distance (FID) between real images and reconstructions, measured with the
features of our own MNIST classifier; and classifiers trained on the latent
codes. It ends with a convolutional classifier on the Omniglot small subset.

``SKVISION_EXAMPLES_QUICK=1`` trains on 3,000 images for 2 epochs.
"""

# %%
import os

import numpy as np

from skvision import ConvAutoencoder, DenseAutoencoder
from skvision.datasets import fetch_mnist

QUICK = os.environ.get("SKVISION_EXAMPLES_QUICK") == "1"
train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")
n_train = 3000 if QUICK else 60000
X, y = train.images[:n_train], train.target[:n_train]
X_test, y_test = (
    test.images[: 1000 if QUICK else None],
    test.target[: 1000 if QUICK else None],
)
EPOCHS = 2 if QUICK else 30
common = dict(latent_dim=32, max_iter=EPOCHS, random_state=0)

autoencoders = {
    "dense": DenseAutoencoder(**common),
    "sparse": DenseAutoencoder(activity_l1=1e-4, **common),
    "denoising": DenseAutoencoder(noise_std=0.3, **common),
    "conv": ConvAutoencoder(**common),
}
for name, autoencoder in autoencoders.items():
    autoencoder.fit(X)
    print(f"{name:>9}: test reconstruction MSE {-autoencoder.score(X_test):.4f}")

# %%
# Reconstructions
# ---------------
# The denoising autoencoder saw Gaussian noise while training; here it cleans
# noisy test images.
from skvision.plotting import ReconstructionDisplay

rng = np.random.default_rng(0)


def add_noise(images):
    noisy = images / 255 + rng.normal(0, 0.3, images.shape)
    return np.clip(noisy * 255, 0, 255).astype(np.uint8)


ReconstructionDisplay.from_estimator(autoencoders["denoising"], X_test, noise=add_noise)
ReconstructionDisplay.from_estimator(autoencoders["conv"], X_test)

# %%
# FID with our own MNIST classifier
# ---------------------------------
# The Fréchet distance compares the distributions of a classifier's penultimate
# features on two image sets; lower is closer. Real training images set the
# floor.
from skvision import ConvNetClassifier
from skvision.metrics import fid_score

classifier = ConvNetClassifier.mnist(
    random_state=0, **({"max_iter": EPOCHS} if QUICK else {})
)
classifier.fit(X, y)
print(f"CNN test accuracy: {100 * classifier.score(X_test, y_test):.2f} %")
real = X[: len(X_test)]
print(f"FID(test, train images): {fid_score(X_test, real, classifier):.2f}")
for name, autoencoder in autoencoders.items():
    reconstructions = autoencoder.inverse_transform(autoencoder.transform(X_test))
    print(
        f"FID(test, {name} reconstructions): "
        f"{fid_score(X_test, reconstructions, classifier):.2f}"
    )

# %%
# Classifiers on latent codes
# ---------------------------
# An autoencoder is a transformer, so its codes feed any classifier in a
# pipeline. The fitted autoencoder is reused as is (``"passthrough"`` would
# refit it; here we compare classifiers on the same codes).
from sklearn.ensemble import RandomForestClassifier
from sklearn.neural_network import MLPClassifier
from xgboost import XGBClassifier

from skvision.plotting import ModelComparisonDisplay

codes, codes_test = (
    autoencoders["conv"].transform(X),
    autoencoders["conv"].transform(X_test),
)
classifiers = {
    "XGBoost": XGBClassifier(n_estimators=200, max_depth=6, n_jobs=1),
    "random forest": RandomForestClassifier(n_estimators=200, random_state=0),
    "MLP": MLPClassifier((128,), max_iter=300, random_state=0),
}
scores = [clf.fit(codes, y).score(codes_test, y_test) for clf in classifiers.values()]
ModelComparisonDisplay(
    list(classifiers), np.array(scores), score_name="test accuracy on 32-d conv codes"
).plot()

# %%
# A classifier on Omniglot
# ------------------------
# The Omniglot small subset (2,720 drawings of 105x105 pixels from 5 alphabets)
# is resized to 28x28 inside the network; we classify the alphabet.
from sklearn.model_selection import train_test_split

from skvision.datasets import fetch_omniglot

omniglot = fetch_omniglot(subset="background_small1")
alphabets, labels = np.unique(omniglot.alphabet, return_inverse=True)
O_train, O_test, a_train, a_test = train_test_split(
    255 - omniglot.images, labels, test_size=0.25, stratify=labels, random_state=0
)
omniglot_net = ConvNetClassifier(
    conv_blocks=((32,), (64,)),
    resize_to=(28, 28),
    dense_layer_sizes=(128,),
    max_iter=3 if QUICK else 30,
    random_state=0,
).fit(O_train, a_train)
print(
    f"Omniglot alphabet accuracy: {omniglot_net.score(O_test, a_test):.3f} "
    f"(chance {1 / len(alphabets):.2f})"
)
