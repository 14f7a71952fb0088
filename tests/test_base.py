"""The shared scikit-learn <-> Keras bridge (skvision/_base.py)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skvision import DenseAutoencoder, DenseNetClassifier
from skvision._keras import keras


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:200] / 16, y[:200]


class _BatchDtypes(keras.callbacks.Callback):
    """Records the precision Keras works in during each training batch."""

    def __init__(self):
        super().__init__()
        self.floatx = set()

    def on_train_batch_begin(self, batch, logs=None):
        self.floatx.add(keras.config.floatx())


@pytest.mark.parametrize("Estimator", [DenseNetClassifier, DenseAutoencoder])
def test_a_float64_estimator_trains_in_float64(Estimator, digits):
    X, y = digits
    record = _BatchDtypes()
    estimator = Estimator(max_iter=1, dtype="float64", callbacks=[record])
    estimator.fit(X, y, sample_weight=np.linspace(0.5, 2, len(X)))
    # Keras casts data and weights to floatx() and computes losses in it.
    assert record.floatx == {"float64"}
    assert keras.config.floatx() == "float32"  # restored after fit
    assert {w.dtype for w in estimator.model_.weights} == {"float64"}
