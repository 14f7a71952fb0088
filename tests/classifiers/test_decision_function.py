"""decision_function: the logits, in scikit-learn's shapes, for calibration."""

import numpy as np
import pytest
from scipy.special import log_softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import log_loss

from skvision import (
    BackboneClassifier,
    ConvNetClassifier,
    DenseNetClassifier,
    KerasClassifier,
)
from skvision._keras import keras
from skvision._testing import MLP, TinyBackbone

TRAINING = dict(max_iter=3, early_stopping=False, random_state=0)


def _linear_copy(model):
    """The network with its output layer's softmax removed: the true logits,
    computed by Keras independently of decision_function."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    copy.layers[-1].activation = keras.activations.linear
    return copy


@pytest.fixture(scope="module")
def dense(digits):
    X, y, _, _ = digits
    return DenseNetClassifier(hidden_layer_sizes=(16,), **TRAINING).fit(X, y)


def test_dense_logits_are_the_output_layers_pre_activation(dense, digits):
    X = digits[2][:50]
    expected = _linear_copy(dense.model_).predict_on_batch(X)
    scores = dense.decision_function(X)
    assert scores.dtype == np.float64 and scores.shape == (50, 10)
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-5)
    # Logits up to a per-row constant of the probabilities, not log-probabilities.
    np.testing.assert_allclose(
        np.exp(log_softmax(scores, axis=1)), dense.predict_proba(X), atol=1e-6
    )
    assert not np.allclose(scores, np.log(dense.predict_proba(X)), atol=1e-3)


def test_conv_and_backbone_logits(digit_images):
    X, y = digit_images
    for clf in (
        ConvNetClassifier(conv_blocks=((4,),), dense_layer_sizes=(8,), **TRAINING),
        BackboneClassifier(TinyBackbone(), dense_layer_sizes=(8,), **TRAINING),
    ):
        clf.fit(X, y)
        flat = X[:20].reshape(20, -1).astype(clf.model_.inputs[0].dtype)
        expected = _linear_copy(clf.model_).predict_on_batch(flat)
        np.testing.assert_allclose(
            clf.decision_function(X[:20]), expected, rtol=1e-5, atol=1e-5
        )


def test_binary_scores_are_one_column_positive_for_the_second_class(digits):
    X, y, X_test, _ = digits
    labels = np.where(y % 2, "odd", "even")
    clf = DenseNetClassifier(hidden_layer_sizes=(8,), **TRAINING).fit(X, labels)
    scores = clf.decision_function(X_test)
    assert scores.shape == (len(X_test),)
    np.testing.assert_array_equal(
        np.where(scores > 0, clf.classes_[1], clf.classes_[0]), clf.predict(X_test)
    )
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(
        scores, np.log(proba[:, 1]) - np.log(proba[:, 0]), rtol=1e-4, atol=1e-4
    )


def _one_sigmoid(input_shape, n_outputs):
    """A user's binary model with one sigmoid output."""
    return keras.Sequential(
        [keras.Input(input_shape), keras.layers.Dense(1, activation="sigmoid")]
    )


def test_one_sigmoid_output_gives_its_logit(digits):
    X, y, X_test, _ = digits
    clf = KerasClassifier(_one_sigmoid, **TRAINING).fit(X, y % 2)
    scores = clf.decision_function(X_test)
    proba = clf.predict_proba(X_test)[:, 1]
    assert scores.shape == (len(X_test),)
    np.testing.assert_allclose(1 / (1 + np.exp(-scores)), proba, rtol=1e-5)
    # Logits in float64 vs float32 probabilities: a label may differ only
    # where the logit is within float32 rounding (~1e-6 here) of 0.
    clear = np.abs(scores) > 1e-4
    np.testing.assert_array_equal(
        (scores > 0)[clear], (clf.predict(X_test) == 1)[clear]
    )


def test_multilabel_scores_one_column_per_label(digits):
    X, y, X_test, _ = digits
    Y = np.column_stack([y % 2, y > 4]).astype(int)
    clf = DenseNetClassifier(hidden_layer_sizes=(8,), **TRAINING).fit(X, Y)
    scores = clf.decision_function(X_test)
    assert scores.shape == (len(X_test), 2)
    clear = np.abs(scores) > 1e-4  # labels of logits within rounding of 0 may differ
    np.testing.assert_array_equal(
        (scores > 0).astype(int)[clear], clf.predict(X_test)[clear]
    )


def test_a_models_own_logits_are_returned_as_they_are(digits):
    X, y, X_test, _ = digits
    clf = KerasClassifier(MLP(), **TRAINING).fit(X, y)  # linear outputs
    assert clf._logits
    np.testing.assert_allclose(
        clf.decision_function(X_test),
        clf.model_.predict_on_batch(X_test),
        rtol=1e-5,
        atol=1e-5,
    )


def _softmax_last(input_shape, n_outputs):
    """A user's model whose softmax is a layer of its own after a Dense."""
    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Dense(n_outputs),
            keras.layers.Softmax(),
        ]
    )


def _no_head(input_shape, n_outputs):
    """A user's model ending in a softmax layer other than a Dense or an
    Activation, whose logits are not read."""
    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.EinsumDense("ab,bc->ac", n_outputs, activation="softmax"),
        ]
    )


def test_a_softmax_layer_reads_the_logits(digits):
    X, y, X_test, _ = digits
    clf = KerasClassifier(_softmax_last, **TRAINING).fit(X, y)
    dense = clf.model_.layers[-1].layers[0]
    expected = X_test @ dense.kernel.numpy() + dense.bias.numpy()
    np.testing.assert_allclose(clf.decision_function(X_test), expected, atol=1e-5)


def test_any_other_last_layer_gives_log_probabilities(digits):
    X, y, X_test, _ = digits
    clf = KerasClassifier(_no_head, **TRAINING).fit(X, y)
    np.testing.assert_allclose(
        clf.decision_function(X_test),
        np.log(clf.predict_proba(X_test).astype(np.float64)),
        rtol=1e-6,
    )


@pytest.fixture
def overconfident(digits):
    """A net made over-confident by a known temperature: its output layer's
    weights multiplied by 5, so its probabilities are softmax(5 * logits)."""
    X, y, X_test, y_test = digits
    clf = DenseNetClassifier(hidden_layer_sizes=(32,), **TRAINING).fit(X[:600], y[:600])
    head = clf.model_.get_layer("probabilities")
    head.kernel.assign(head.kernel * 5.0)
    head.bias.assign(head.bias * 5.0)
    clf._make_predictors()  # the NumPy chain copied the old weights
    return clf, (X[600:], y[600:]), (X_test, y_test)


def test_logits_stay_finite_where_probabilities_round_to_zero(overconfident):
    clf, _, (X_test, _) = overconfident
    head = clf.model_.get_layer("probabilities")
    head.kernel.assign(head.kernel * 20.0)  # softmax(100 * logits)
    clf._make_predictors()
    assert (clf.predict_proba(X_test) == 0).any()  # float32 underflow
    assert np.isfinite(clf.decision_function(X_test)).all()


def test_temperature_scaling_undoes_a_known_temperature(overconfident):
    clf, (X_cal, y_cal), (X_test, y_test) = overconfident
    calibrated = CalibratedClassifierCV(FrozenEstimator(clf), method="temperature")
    calibrated.fit(X_cal, y_cal)
    (scaling,) = calibrated.calibrated_classifiers_[0].calibrators
    assert 0.1 < scaling.beta_ < 0.4  # about 1 / 5: the logits are shrunk
    before = log_loss(y_test, clf.predict_proba(X_test), labels=clf.classes_)
    after = log_loss(y_test, calibrated.predict_proba(X_test), labels=clf.classes_)
    assert after < 0.8 * before
    # One temperature changes no prediction, but where the top two logits are
    # within float32 rounding (~1e-6 here; the scaling reads float64 logits,
    # predict float32 probabilities).
    top_two = np.sort(clf.decision_function(X_test), axis=1)[:, -2:]
    clear = top_two[:, 1] - top_two[:, 0] > 1e-4
    np.testing.assert_array_equal(
        calibrated.predict(X_test)[clear], clf.predict(X_test)[clear]
    )


@pytest.mark.parametrize("method", ["temperature", "sigmoid"])
def test_calibration_with_cross_validation_folds(digits, method):
    X, y, X_test, _ = digits
    clf = DenseNetClassifier(hidden_layer_sizes=(8,), **TRAINING)
    calibrated = CalibratedClassifierCV(clf, method=method, cv=2).fit(X, y % 3)
    proba = calibrated.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
