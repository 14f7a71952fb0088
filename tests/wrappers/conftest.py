import numpy as np
import pytest

TRAINING = dict(
    max_iter=10,
    batch_size=32,
    early_stopping=False,
    learning_rate="constant",
    learning_rate_init=0.01,
    random_state=0,
)


@pytest.fixture
def training():
    return dict(TRAINING)


@pytest.fixture(scope="session")
def digit_labels():
    """Digits as (n, 8, 8) uint8 images, with a multi-label target beside the
    classes: (odd, greater than 4, a 3)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    images = (X * 16).clip(0, 255).astype(np.uint8).reshape(-1, 8, 8)
    labels = np.stack([y % 2, y > 4, y == 3], axis=1).astype(int)
    return images, y, labels
