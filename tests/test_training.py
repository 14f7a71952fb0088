"""Training that goes wrong ends in a clear error or warning (skvision/_training.py)."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skvision import DenseAutoencoder, DenseNetClassifier
from skvision._keras import keras

DIVERGING = dict(
    optimizer="sgd", learning_rate_init=1e10, batch_normalization=False, random_state=0
)


def test_fit_that_diverges_at_once_raises_and_leaves_the_estimator_unfitted(
    any_estimator, digit_images
):
    X, y = digit_images
    # Pixels of 1e30 fit in float32, but their squares and sums do not.
    estimator = any_estimator.set_params(**DIVERGING)
    with pytest.raises(ValueError, match="diverged in epoch 1.*learning_rate_init"):
        estimator.fit(X * 1e30, y)
    with pytest.raises(NotFittedError):
        getattr(estimator, "predict", getattr(estimator, "transform", None))(X)


@pytest.mark.parametrize("Estimator", [DenseNetClassifier, DenseAutoencoder])
def test_divergence_after_finite_epochs_keeps_their_weights_and_warns(
    Estimator, digit_images
):
    X, y = digit_images
    X = X.reshape(len(X), -1)
    estimator = Estimator(
        max_iter=2,
        early_stopping=False,
        learning_rate="constant",
        batch_normalization=False,
        random_state=0,
    ).fit(X, y)
    before = [w.copy() for w in estimator.model_.get_weights()]
    estimator.model_.optimizer.learning_rate.assign(1e12)
    with pytest.warns(ConvergenceWarning, match="diverged.*weights of epoch 2"):
        estimator.partial_fit(X, y)
    assert estimator.n_iter_ == 2 and len(estimator.history_["loss"]) == 2
    for kept, old in zip(estimator.model_.get_weights(), before, strict=True):
        np.testing.assert_array_equal(kept, old)
    outputs = (
        estimator.predict_proba(X)
        if hasattr(estimator, "predict_proba")
        else estimator.transform(X)
    )
    assert np.isfinite(outputs).all()


@pytest.mark.parametrize(
    "callbacks, culprit",
    [(["nope"], "'nope' \\(str\\) at index 0"), ([None], "None \\(NoneType\\)")],
)
def test_callbacks_that_are_not_keras_callbacks_are_a_type_error(
    any_estimator, digit_images, callbacks, culprit
):
    X, y = digit_images
    with pytest.raises(TypeError, match=f"keras.callbacks.Callback.*{culprit}"):
        any_estimator.set_params(callbacks=callbacks).fit(X, y)


class NaNWeightsAfterLastBatch(keras.callbacks.Callback):
    """Make a kernel NaN after an epoch's last batch, whose loss was finite."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        self._current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._current == self.epoch:  # one batch an epoch: the last
            kernel = self.model.layers[-1].kernel
            kernel.assign(np.full(kernel.shape, np.nan, kernel.dtype))


def test_weights_that_turn_nan_under_a_finite_loss_count_as_divergence(
    digit_images,
):
    # The last update of an epoch can make weights NaN after its batch's loss
    # (computed before the update) was finite; that epoch must not be kept.
    X, y = digit_images
    estimator = DenseNetClassifier(
        hidden_layer_sizes=(8,),
        max_iter=3,
        early_stopping=False,
        learning_rate="constant",
        batch_size=len(X),
        callbacks=[NaNWeightsAfterLastBatch(epoch=1)],
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="diverged in epoch 2.*epoch 1"):
        estimator.fit(X, y)
    assert estimator.n_iter_ == 1 and np.isfinite(estimator.history_["loss"]).all()
    assert all(np.isfinite(w).all() for w in estimator.model_.get_weights())
    assert np.isfinite(estimator.predict_proba(X)).all()


def test_a_loss_that_explodes_but_stays_finite_warns(digit_images):
    X, y = digit_images
    estimator = DenseNetClassifier(
        hidden_layer_sizes=(16,),
        learning_rate_init=1e6,  # Adam: losses of ~1e12, all finite
        max_iter=3,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
    )
    with pytest.warns(
        ConvergenceWarning,
        match=r"diverged in epoch 1: its loss grew to .*e\+\d\d, more than 1000 "
        r"times the .* it started from, though it stayed finite; lower "
        r"learning_rate_init \(now 1000000\.0\)",
    ) as record:
        estimator.fit(X.reshape(len(X), -1), y)
    assert len(record) == 1 and estimator.n_iter_ == 3  # one warning, no stop


def test_a_loss_that_falls_does_not_warn(digit_images):
    import warnings

    X, y = digit_images
    estimator = DenseNetClassifier(hidden_layer_sizes=(16,), max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        estimator.fit(X.reshape(len(X), -1), y)


def test_keras_floatx_sets_the_layers_dtype_policy_too():
    from skvision._keras import keras
    from skvision._training import keras_floatx

    keras.layers.Dense(2)  # Keras fixes its global dtype policy on first use
    before = keras.config.dtype_policy()
    with keras_floatx("float64"):
        assert keras.layers.Dense(2).dtype_policy.name == "float64"
        assert keras.config.floatx() == "float64"
    assert keras.config.dtype_policy() is before
    assert keras.config.floatx() == "float32"
