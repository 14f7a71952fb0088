"""Search results as a table and a figure."""

import matplotlib
import numpy as np
import optuna
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skvision.model_selection import SearchHistoryDisplay, search_results_frame

matplotlib.use("Agg")


def test_frame_of_a_pruned_search(pruned_search):
    frame = search_results_frame(pruned_search)
    trials = pruned_search.trials_
    assert len(frame) == len(trials)
    assert frame["number"].tolist() == [t.number for t in trials]
    assert set(frame["state"]) == {"COMPLETE", "PRUNED"}
    params = {f"param_{name}" for name in pruned_search.param_distributions}
    assert params <= set(frame.columns)
    assert frame.columns[:2].tolist() == ["number", "state"]
    complete = frame[frame["state"] == "COMPLETE"]
    pruned = frame[frame["state"] == "PRUNED"]
    assert (complete["n_epochs"] == pruned_search.max_epochs).all()
    assert (pruned["n_epochs"] < pruned_search.max_epochs).all()
    assert pruned["rank_test_score"].isna().all()
    best = complete.loc[complete["rank_test_score"] == 1, "number"].tolist()
    assert pruned_search.best_trial_.number in best
    assert np.allclose(complete["mean_test_score"], complete["value"])
    assert (frame["duration_s"] > 0).all()
    # The study itself gives the same table.
    assert search_results_frame(pruned_search.study_).equals(frame)


def test_frame_of_a_grid_search(digits):
    X, y, _, _ = digits
    search = GridSearchCV(
        LogisticRegression(max_iter=200), {"C": [0.01, 1.0], "tol": [1e-3]}, cv=2
    ).fit(X[:300], y[:300])
    frame = search_results_frame(search)
    assert frame["param_C"].tolist() == [0.01, 1.0]
    assert (frame["state"] == "COMPLETE").all() and frame["n_epochs"].isna().all()
    ranks = search.cv_results_["rank_test_score"].tolist()
    assert frame["rank_test_score"].tolist() == ranks
    assert np.allclose(frame["mean_test_score"], search.cv_results_["mean_test_score"])


def test_frame_of_failed_and_empty_studies():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize")
    assert search_results_frame(study).empty
    study.tell(study.ask(), state=optuna.trial.TrialState.FAIL)
    study.tell(study.ask({"x": optuna.distributions.IntDistribution(0, 3)}), 1.0)
    frame = search_results_frame(study)
    assert frame["state"].tolist() == ["FAIL", "COMPLETE"]
    assert frame["rank_test_score"].tolist()[1] == 1
    assert np.isnan(frame["param_x"][0])


def test_unfitted_search_is_refused():
    search = GridSearchCV(LogisticRegression(), {"C": [1.0]})
    with pytest.raises(NotFittedError, match="fit it"):
        search_results_frame(search)


def test_display_of_a_pruned_search(pruned_search):
    disp = SearchHistoryDisplay.from_search(pruned_search)
    trials = pruned_search.trials_
    pruned = [t for t in trials if t.state.name == "PRUNED"]
    complete = [t for t in trials if t.state.name == "COMPLETE"]
    assert disp.pruned_.get_xdata().tolist() == [t.number for t in pruned]
    assert disp.complete_.get_xdata().tolist() == [t.number for t in complete]
    assert max(disp.best_line_.get_ydata()) == pruned_search.best_score_
    for trial in trials:
        epochs = disp.curves_[trial.number].get_xdata().tolist()
        assert epochs == list(range(1, len(trial.intermediate_values) + 1))
    assert len(disp.axes_) == 2 and disp.ax_ is disp.axes_[0]
    assert disp.figure_ is disp.ax_.figure
    assert disp.axes_[1].get_xlabel() == "epoch"


def test_display_draws_into_given_axes_and_needs_a_study():
    import matplotlib.pyplot as plt

    study = optuna.create_study(direction="maximize")
    study.optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=3)
    fig, axes = plt.subplots(1, 2)
    disp = SearchHistoryDisplay.from_study(study, ax=axes)
    assert disp.figure_ is fig and not disp.curves_  # no per-epoch reports
    assert len(disp.complete_.get_xdata()) == 3
    grid = GridSearchCV(LogisticRegression(), {"C": [1.0]})
    grid.cv_results_ = {}  # fitted-looking, but no study
    with pytest.raises(ValueError, match="no Optuna study"):
        SearchHistoryDisplay.from_search(grid)
    plt.close("all")
