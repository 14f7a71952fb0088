"""LearningRateFinderDisplay: the range test on a copy, and its suggestion."""

import numpy as np
import pytest

from skvision import DenseNetClassifier
from skvision.plotting import LearningRateFinderDisplay

# Plain SGD on a net without normalization: a rate of 10 blows it up.
NET = dict(
    hidden_layer_sizes=(32,),
    batch_normalization=False,
    dropout=0.0,
    optimizer="sgd",
    momentum=0.0,
    batch_size=16,
    random_state=0,
)


def _epoch_losses(X, y, learning_rate):
    """Training losses of two epochs at a constant rate (None: diverged)."""
    clf = DenseNetClassifier(
        **NET,
        learning_rate_init=learning_rate,
        max_iter=2,
        early_stopping=False,
        learning_rate="constant",
    )
    try:
        return clf.fit(X, y).history_["loss"]
    except ValueError:  # diverged in the first epoch
        return None


def test_the_suggestion_lies_between_too_small_and_diverging(digits):
    X, y, _, _ = digits
    # The premise: 1e-6 does not move the loss, 10 makes it diverge.
    slow = _epoch_losses(X, y, 1e-6)
    assert abs(slow[1] - slow[0]) < 1e-3 * slow[0]
    fast = _epoch_losses(X, y, 10.0)
    assert fast is None or not np.all(np.isfinite(fast)) or fast[-1] > slow[-1]
    clf = DenseNetClassifier(**NET)
    disp = LearningRateFinderDisplay.from_estimator(
        clf, X, y, start_learning_rate=1e-6, end_learning_rate=10.0
    )
    assert 1e-6 < disp.suggested_learning_rate < 10.0
    # The suggestion trains: two epochs at it beat the tiny rate by far.
    good = _epoch_losses(X, y, disp.suggested_learning_rate)
    assert good[-1] < 0.7 * slow[-1]


def test_one_epoch_at_most_exponential_rates_and_the_plot(digits):
    X, y, _, _ = digits
    clf = DenseNetClassifier(**NET)
    params = clf.get_params()
    disp = LearningRateFinderDisplay.from_estimator(
        clf, X[:320], y[:320], start_learning_rate=1e-5, end_learning_rate=1.0
    )
    rates = np.asarray(disp.learning_rates)
    assert len(rates) <= 320 // 16  # one epoch of batches of 16
    ratios = rates[1:] / rates[:-1]
    np.testing.assert_allclose(ratios, ratios[0])  # exponential growth
    assert rates[0] == pytest.approx(1e-5)
    assert len(disp.losses) == len(rates) == len(disp.smoothed_losses)
    # The estimator passed is untouched: not fitted, same parameters.
    assert not hasattr(clf, "model_")
    assert clf.get_params() == params
    assert disp.ax_.get_xscale() == "log"
    assert disp.suggestion_.get_xdata()[0] == disp.suggested_learning_rate
    assert "suggested" in disp.suggestion_.get_label()


def test_a_fitted_estimator_keeps_its_weights(fitted_small_net, digits):
    X, y, _, _ = digits
    before = [w.copy() for w in fitted_small_net.model_.get_weights()]
    history = dict(fitted_small_net.history_)
    LearningRateFinderDisplay.from_estimator(fitted_small_net, X, y, max_steps=10)
    for a, b in zip(before, fitted_small_net.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert fitted_small_net.history_ == history


def test_bad_arguments(digits):
    X, y, _, _ = digits
    clf = DenseNetClassifier(**NET)
    with pytest.raises(ValueError, match="start_learning_rate < end_learning_rate"):
        LearningRateFinderDisplay.from_estimator(
            clf, X, y, start_learning_rate=1.0, end_learning_rate=0.1
        )
    with pytest.raises(ValueError, match="max_steps"):
        LearningRateFinderDisplay.from_estimator(clf, X, y, max_steps=1)
    with pytest.raises(ValueError, match="at least 3"):
        LearningRateFinderDisplay.from_estimator(clf, X[:20], y[:20])
    with pytest.raises(TypeError, match="skvision estimator"):
        from sklearn.linear_model import LogisticRegression

        LearningRateFinderDisplay.from_estimator(LogisticRegression(), X, y)


def test_suggest_on_a_known_curve():
    from skvision._lr_finder import suggest

    rates = np.logspace(-6, 1, 71)
    # Flat, then falls fastest at 1e-3, bottoms out near 1e-1.
    curve = 2 - np.tanh(2 * (np.log10(rates) + 3)) + np.maximum(0, np.log10(rates) + 1)
    assert suggest(rates, curve) == pytest.approx(1e-3, rel=0.3)
