import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import cross_validate

from skvision.plotting import ModelComparisonDisplay


def _error_lengths(disp):
    """Full length of each error bar segment."""
    (segments,) = disp.bars_.errorbar.lines[2]
    return [abs(np.diff(seg, axis=0)).sum() for seg in segments.get_segments()]


def test_bar_heights_are_scores_and_labelled():
    disp = ModelComparisonDisplay(
        ["dense", "conv", "xgb"], [0.981, 0.992, 0.95], score_name="accuracy"
    ).plot()
    assert [bar.get_height() for bar in disp.bars_] == [0.981, 0.992, 0.95]
    assert [t.get_text() for t in disp.bar_labels_] == ["0.981", "0.992", "0.950"]
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == [
        "dense",
        "conv",
        "xgb",
    ]
    assert disp.ax_.get_ylabel() == "accuracy"
    assert disp.bars_.errorbar is None


def test_horizontal_bars_first_on_top():
    disp = ModelComparisonDisplay(["a", "b"], [0.7, 0.9], errors=[0.1, 0.05]).plot(
        orientation="horizontal", values_format=".2f"
    )
    assert [bar.get_width() for bar in disp.bars_] == [0.7, 0.9]
    assert disp.ax_.yaxis_inverted()
    np.testing.assert_allclose(_error_lengths(disp), [0.2, 0.1])
    with pytest.raises(ValueError, match="orientation"):
        disp.plot(orientation="diagonal")


def test_from_estimators(digits_clf):
    clf, X, y = digits_clf
    dummy = DummyClassifier(strategy="stratified", random_state=0).fit(X, y)
    disp = ModelComparisonDisplay.from_estimators({"logreg": clf, "dummy": dummy}, X, y)
    heights = [bar.get_height() for bar in disp.bars_]
    np.testing.assert_allclose(heights, [clf.score(X, y), dummy.score(X, y)])

    disp = ModelComparisonDisplay.from_estimators(
        [clf, dummy], X, y, scoring="balanced_accuracy"
    )
    expected = [balanced_accuracy_score(y, e.predict(X)) for e in (clf, dummy)]
    np.testing.assert_allclose([b.get_height() for b in disp.bars_], expected)
    names = [t.get_text() for t in disp.ax_.get_xticklabels()]
    assert names == ["LogisticRegression", "DummyClassifier"]
    assert disp.ax_.get_ylabel() == "balanced_accuracy"


def test_from_cv_results_error_bars(digits):
    X, y = digits[0][:200], digits[1][:200]
    results = {
        name: cross_validate(DummyClassifier(strategy=name, random_state=0), X, y, cv=3)
        for name in ("most_frequent", "uniform")
    }
    disp = ModelComparisonDisplay.from_cv_results(results)
    means = [results[n]["test_score"].mean() for n in results]
    stds = [results[n]["test_score"].std() for n in results]
    np.testing.assert_allclose([b.get_height() for b in disp.bars_], means)
    np.testing.assert_allclose(_error_lengths(disp), 2 * np.asarray(stds))

    with pytest.raises(ValueError, match="no 'f1'.*test_score"):
        ModelComparisonDisplay.from_cv_results(results, metric="f1")


def test_from_cv_results_metric_without_prefix():
    results = {"a": {"test_accuracy": [0.8, 0.9]}, "b": {"test_accuracy": [0.5, 0.7]}}
    disp = ModelComparisonDisplay.from_cv_results(results, metric="accuracy")
    np.testing.assert_allclose([b.get_height() for b in disp.bars_], [0.85, 0.6])


def test_from_search_top_candidates_best_first(digits_search):
    results = digits_search.cv_results_
    disp = ModelComparisonDisplay.from_search(digits_search, top=4)
    order = np.argsort(results["rank_test_score"], kind="stable")[:4]
    assert len(disp.bars_) == 4
    np.testing.assert_allclose(
        [bar.get_width() for bar in disp.bars_], results["mean_test_score"][order]
    )
    best = [t.get_text() for t in disp.ax_.get_yticklabels()][0]
    params = digits_search.best_params_
    assert best == f"alpha={params['alpha']}, fit_intercept={params['fit_intercept']}"


def test_from_search_multi_metric_uses_refit():
    results = {
        "params": [{"w": 1}, {"w": 2}],
        "mean_test_acc": np.array([0.6, 0.9]),
        "std_test_acc": np.array([0.01, 0.02]),
        "rank_test_acc": np.array([2, 1]),
        "mean_test_f1": np.array([0.5, 0.4]),
    }

    class Search:
        cv_results_ = results
        refit = "acc"

    disp = ModelComparisonDisplay.from_search(Search())
    assert [bar.get_width() for bar in disp.bars_] == [0.9, 0.6]
    disp = ModelComparisonDisplay.from_search(results, metric="f1")
    assert [bar.get_width() for bar in disp.bars_] == [0.5, 0.4]
    with pytest.raises(ValueError, match="acc"):
        ModelComparisonDisplay.from_search(results)
