import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402


@pytest.fixture(scope="session")
def digits():
    """8x8 digit images scaled to [0, 1], split 1,000 train / rest test."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    return X[:1000], y[:1000], X[1000:], y[1000:]


SMALL_NET = dict(
    hidden_layer_sizes=(32,),
    batch_size=32,
    max_iter=8,
    early_stopping=False,
    learning_rate="constant",
    learning_rate_init=0.01,
    random_state=0,
)


@pytest.fixture
def small_net():
    """Keyword arguments of a DenseNetClassifier that trains in about a second."""
    return dict(SMALL_NET)


@pytest.fixture(scope="session")
def fitted_small_net(digits):
    """``DenseNetClassifier(**small_net)`` fitted on the digits, shared by the
    tests that only read it (one fit per test process, not one per test)."""
    from skvision import DenseNetClassifier

    X, y, _, _ = digits
    return DenseNetClassifier(**SMALL_NET).fit(X, y)


@pytest.fixture(scope="session")
def mnist():
    """Real MNIST as ``(X_train, y_train, X_test, y_test)`` uint8 images.

    Skips, saying why, when ``SKVISION_DATA`` does not hold the files.
    """
    from skvision.datasets import fetch_mnist

    if not os.environ.get("SKVISION_DATA"):
        pytest.skip("SKVISION_DATA is not set; point it at the real datasets")
    try:
        train = fetch_mnist(subset="train", download_if_missing=False)
        test = fetch_mnist(subset="test", download_if_missing=False)
    except FileNotFoundError as error:
        pytest.skip(f"real MNIST is not under SKVISION_DATA: {error}")
    return train.images, train.target, test.images, test.target


def _small_estimators():
    from skvision import (
        ConvAutoencoder,
        ConvNetClassifier,
        DenseAutoencoder,
        DenseNetClassifier,
    )

    training = dict(
        max_iter=2, early_stopping=False, learning_rate="constant", random_state=0
    )
    return {
        "DenseNetClassifier": DenseNetClassifier(hidden_layer_sizes=(8,), **training),
        "ConvNetClassifier": ConvNetClassifier(
            conv_blocks=((4,),), dense_layer_sizes=(), **training
        ),
        "DenseAutoencoder": DenseAutoencoder(
            latent_dim=2, hidden_layer_sizes=(8,), **training
        ),
        "ConvAutoencoder": ConvAutoencoder(latent_dim=2, filters=(4,), **training),
    }


ESTIMATOR_NAMES = [
    "DenseNetClassifier",
    "ConvNetClassifier",
    "DenseAutoencoder",
    "ConvAutoencoder",
]


@pytest.fixture(params=ESTIMATOR_NAMES)
def any_estimator(request):
    """A fresh, quick-to-train instance of each public estimator in turn."""
    return _small_estimators()[request.param]


@pytest.fixture(scope="session")
def digit_images():
    """300 digits as (300, 8, 8) float images in [0, 1], and their labels."""
    X, y = load_digits(return_X_y=True)
    return (X[:300] / 16).reshape(-1, 8, 8), y[:300]
