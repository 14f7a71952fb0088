"""DenseNetClassifier on real MNIST (skips when SKVISION_DATA lacks it)."""

import pytest

from skvision import DenseNetClassifier


def test_dense_net_learns_real_mnist(mnist):
    X, y, X_test, y_test = mnist
    clf = DenseNetClassifier(
        hidden_layer_sizes=(256,), max_iter=6, early_stopping=False, random_state=0
    ).fit(X[:12_000], y[:12_000])
    assert clf.input_shape_ == (28, 28)
    assert clf.pixel_scale_ == pytest.approx(1 / 255)
    assert clf.score(X_test, y_test) > 0.94
    assert clf.predict(X_test[:1]).shape == (1,)
