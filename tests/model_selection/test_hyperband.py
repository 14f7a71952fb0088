"""Hyperband over epochs: pruning stops trials early, the refit matches the search."""

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState
from optuna_integration import OptunaSearchCV
from sklearn.base import clone, is_classifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    TimeSeriesSplit,
)
from sklearn.utils.validation import check_is_fitted

from skvision import DenseNetClassifier
from skvision.model_selection import (
    HyperbandSearchCV,
    deterministic_cv,
    epoch_estimator,
    hyperband_search,
    make_hyperband_pruner,
)
from skvision.model_selection._failures import check_a_trial_completed

SPACE = {"learning_rate_init": optuna.distributions.FloatDistribution(1e-3, 1e-1)}


def test_every_epoch_is_reported_and_pruned_trials_stop_early(pruned_search):
    N_TRIALS, MAX_EPOCHS = pruned_search.n_trials, pruned_search.max_epochs
    trials = pruned_search.trials_
    assert len(trials) == N_TRIALS
    epochs = {t.number: len(t.intermediate_values) for t in trials}
    for trial in trials:
        # One report per epoch trained: steps 0, 1, ..., n_epochs - 1.
        assert sorted(trial.intermediate_values) == list(range(epochs[trial.number]))
        assert trial.params.keys() == pruned_search.param_distributions.keys()
        if trial.state == TrialState.COMPLETE:
            assert epochs[trial.number] == MAX_EPOCHS
        else:
            assert trial.state == TrialState.PRUNED
            assert 1 <= epochs[trial.number] < MAX_EPOCHS
    states = [t.state for t in trials]
    assert TrialState.PRUNED in states and TrialState.COMPLETE in states
    assert sum(epochs.values()) < N_TRIALS * MAX_EPOCHS


def test_fit_passes_on_no_optuna_integration_noise(pruned_search_and_warnings):
    # OptunaSearchCV's ExperimentalWarning, optuna.terminator's FutureWarning
    # and the per-trial "Failed to report cross validation" (one hold-out
    # split) are about optuna-integration's internals.
    _, caught = pruned_search_and_warnings
    assert [str(w.message) for w in caught] == []


def test_refit_trains_the_epochs_the_search_scored(pruned_search, digits):
    best = pruned_search.best_estimator_
    assert best.n_iter_ == pruned_search.max_epochs == len(best.history_["loss"])
    assert best.early_stopping is False and best.learning_rate == "constant"
    assert pruned_search.best_trial_.state == TrialState.COMPLETE
    assert pruned_search.best_params_["learning_rate_init"] == best.learning_rate_init
    assert pruned_search.best_score_ == max(
        t.value for t in pruned_search.trials_ if t.state == TrialState.COMPLETE
    )
    _, _, X_test, y_test = digits
    assert pruned_search.score(X_test, y_test) > 0.3
    check_is_fitted(pruned_search)
    assert pruned_search.refit_time_ > 0


def test_the_search_prunes_with_hyperband_epoch_by_epoch(pruned_search):
    pruner = pruned_search.study_.pruner
    assert isinstance(pruner, optuna.pruners.HyperbandPruner)
    assert pruned_search.enable_pruning and pruned_search.max_iter == 4


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fit_keeps_the_parameters_and_the_callers_random_state(digits):
    X, y, _, _ = digits
    sgd_space = {"alpha": optuna.distributions.FloatDistribution(1e-5, 1e-1)}
    studies = []
    for _ in range(2):
        rng = np.random.RandomState(0)
        before = rng.get_state()[1].copy()
        search = HyperbandSearchCV(
            SGDClassifier(random_state=0),
            sgd_space,
            max_epochs=3,
            n_trials=2,
            cv=2,
            random_state=rng,
        )
        params = search.get_params(deep=False)
        search.fit(X[:200], y[:200])
        assert search.get_params(deep=False) == params  # estimator, cv, study...
        assert search.random_state is rng
        np.testing.assert_array_equal(rng.get_state()[1], before)
        studies.append(search.study_)
    # draw_seed's seed: the same for equal states, as for skvision's estimators.
    assert studies[0].study_name == studies[1].study_name
    assert [t.params for t in studies[0].trials] == [
        t.params for t in studies[1].trials
    ]


def test_the_search_is_a_clonable_optuna_search(pruned_search):
    copy = clone(pruned_search)
    assert (
        copy.get_params(deep=False).keys()
        == pruned_search.get_params(deep=False).keys()
    )
    assert copy.max_epochs == pruned_search.max_epochs and not hasattr(copy, "study_")
    assert isinstance(pruned_search, OptunaSearchCV)
    assert is_classifier(pruned_search)


def test_int_cv_becomes_shuffled_seeded_folds():
    y = np.repeat([0, 1, 2], 10)
    cv = deterministic_cv(3, y, classifier=True, seed=7)
    assert isinstance(cv, StratifiedKFold) and cv.shuffle and cv.random_state == 7
    assert isinstance(deterministic_cv(3, y.astype(float) / 3, seed=1), KFold)
    X = np.zeros((30, 1))
    first = [test.tolist() for _, test in cv.split(X, y)]
    assert first == [test.tolist() for _, test in cv.split(X, y)]


@pytest.mark.parametrize(
    "cv",
    [
        KFold(3, shuffle=True),
        StratifiedKFold(3, shuffle=True, random_state=np.random.RandomState(0)),
        ShuffleSplit(3),
        GroupKFold(3, shuffle=True),
    ],
)
def test_splitters_that_reshuffle_are_refused(cv, digits):
    X, y, _, _ = digits
    search = HyperbandSearchCV(DenseNetClassifier(), SPACE, max_epochs=3, cv=cv)
    with pytest.raises(ValueError, match="int random_state"):
        search.fit(X, y)  # before any training


@pytest.mark.parametrize(
    "cv", [KFold(3), KFold(3, shuffle=True, random_state=0), TimeSeriesSplit(3)]
)
def test_deterministic_splitters_are_kept(cv):
    assert deterministic_cv(cv, np.arange(9) % 3, classifier=True) is cv


def test_sample_weight_is_refused_with_a_hint(digits):
    X, y, _, _ = digits
    search = HyperbandSearchCV(DenseNetClassifier(), SPACE, max_epochs=3)
    with pytest.raises(ValueError, match="class_weight"):
        search.fit(X, y, sample_weight=np.ones(len(y)))
    with pytest.raises(ValueError, match=r"\['weights'\]"):
        search.fit(X, y, weights=np.ones(len(y)))


class _UsersNet(DenseNetClassifier):
    """A user's subclass of a skvision network, defined outside skvision."""


def test_epoch_estimator_knows_subclasses_of_skvision_networks():
    net = epoch_estimator(_UsersNet(learning_rate="adaptive"), 3)
    assert net.learning_rate == "constant"


def test_epoch_estimator_fixes_the_epochs():
    net = epoch_estimator(DenseNetClassifier(learning_rate={3: 1e-4}), 7)
    assert (net.max_iter, net.early_stopping) == (7, False)
    assert net.learning_rate == {3: 1e-4}  # epoch-indexed schedules are kept
    sgd = epoch_estimator(SGDClassifier(learning_rate="adaptive", eta0=0.1), 5)
    assert sgd.learning_rate == "adaptive" and sgd.max_iter == 5


def test_bad_settings_are_refused(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="min_epochs=5 is larger"):
        HyperbandSearchCV(DenseNetClassifier(), SPACE, max_epochs=3, min_epochs=5).fit(
            X, y
        )
    with pytest.raises(ValueError, match="reduction_factor"):
        HyperbandSearchCV(DenseNetClassifier(), SPACE, reduction_factor=1).fit(X, y)


def test_a_rung_on_the_last_epoch_warns():
    with pytest.warns(UserWarning, match="a Hyperband rung falls on the last"):
        make_hyperband_pruner(4)
    pruner = make_hyperband_pruner(9)
    assert isinstance(pruner, optuna.pruners.HyperbandPruner)
    with pytest.raises(ValueError, match="min_epochs=5 is larger"):
        make_hyperband_pruner(3, min_epochs=5)
    with pytest.raises(ValueError, match="reduction_factor"):
        make_hyperband_pruner(9, reduction_factor=1)


def test_hyperband_search_builds_the_search():
    search = hyperband_search(
        DenseNetClassifier(), SPACE, max_epochs=9, n_trials=5, cv=4, verbose=1
    )
    assert isinstance(search, HyperbandSearchCV)
    settings = (search.max_epochs, search.n_trials, search.cv, search.verbose)
    assert settings == (9, 5, 4, 1)


def _synthetic_study(pruner, n_trials=30, max_steps=27):
    """A study of ``n_trials`` synthetic learning curves run under ``pruner``."""
    rng = np.random.RandomState(0)
    study = optuna.create_study(
        study_name="brackets", direction="maximize", pruner=pruner
    )
    for _ in range(n_trials):
        trial = study.ask()
        final, rate = rng.uniform(0.9, 0.99), rng.uniform(0.1, 0.5)
        for step in range(max_steps):
            trial.report(final - 0.1 * np.exp(-rate * (step + 1)), step)
            if trial.should_prune():
                study.tell(trial, state=TrialState.PRUNED)
                break
        else:
            study.tell(trial, final)
    return study


def _steps_trained(pruner):
    trials = _synthetic_study(pruner).trials
    return sum(len(trial.intermediate_values) for trial in trials)


def test_fewer_brackets_prune_more():
    steps = {
        n_brackets: _steps_trained(make_hyperband_pruner(27, n_brackets=n_brackets))
        for n_brackets in (None, 4, 2, 1)
    }
    assert steps[None] == steps[4]  # 27 epochs, factor 3: four brackets in all
    assert steps[1] < steps[2] < steps[4] < 30 * 27


def test_bootstrap_count_prunes_the_first_arrivals_at_each_rung():
    def asha(bootstrap_count):
        return make_hyperband_pruner(27, n_brackets=1, bootstrap_count=bootstrap_count)

    # Alone at the first rung (step 1), the first trial is promoted to the end
    # by default, and pruned there with bootstrap_count=1.
    first_epochs = [
        len(_synthetic_study(asha(count)).trials[0].intermediate_values)
        for count in (0, 1)
    ]
    assert first_epochs == [27, 2]
    assert _steps_trained(asha(1)) < _steps_trained(asha(0))


def test_a_search_with_every_trial_pruned_raises(digits):
    X, y, _, _ = digits
    search = HyperbandSearchCV(
        DenseNetClassifier(hidden_layer_sizes=(8,), batch_size=64),
        SPACE,
        max_epochs=4,
        reduction_factor=2,
        n_trials=2,
        bootstrap_count=5,
        cv=ShuffleSplit(1, test_size=0.5, random_state=0),
        random_state=0,
    )
    with pytest.raises(ValueError, match="of 2 trials, 2 were pruned") as error:
        search.fit(X[:100], y[:100])
    assert "prune less" in str(error.value) and "failed" not in str(error.value)
    assert not hasattr(search, "best_estimator_")


@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Degrees of freedom:RuntimeWarning")
def test_a_search_whose_every_trial_fails_quotes_the_first_error(digits):
    X, y, _, _ = digits
    search = HyperbandSearchCV(
        DenseNetClassifier(hidden_layer_sizes=(0,), batch_size=64),  # cannot fit
        SPACE,
        max_epochs=3,
        n_trials=2,
        cv=2,
        random_state=0,
    )
    with pytest.raises(ValueError, match="of 2 trials, 2 failed") as error:
        search.fit(X[:100], y[:100])
    message = str(error.value)
    first = search.study_.trials[0]
    assert f"trial 0 with parameters {first.params}" in message
    assert "failed with ValueError: hidden_layer_sizes" in message
    assert "prune" not in message


def _trial(state, intermediate_values=(), **user_attrs):
    return optuna.trial.create_trial(
        state=state,
        value=0.5 if state == TrialState.COMPLETE else None,
        intermediate_values=dict(enumerate(intermediate_values)),
        user_attrs=user_attrs,
    )


def test_pruned_trials_of_nan_scores_are_failures_not_prunes():
    # A trial whose folds all raised reports nan scores, and can be pruned.
    trials = [
        _trial(TrialState.PRUNED, [np.nan, np.nan]),
        _trial(TrialState.PRUNED, [0.3, 0.4]),
        _trial(TrialState.FAIL, [np.nan]),
        _trial(TrialState.FAIL, skvision_surplus=True),  # a lost race, not a failure
    ]
    described = []

    def describe(failed):
        described.extend(failed)
        return "The first failed."

    with pytest.raises(ValueError) as error:
        check_a_trial_completed(trials, 4, describe)
    assert described == [trials[0], trials[2]]
    assert str(error.value).startswith(
        "No trial trained all max_epochs=4 epochs: of 4 trials, 1 was pruned and "
        "2 failed and 1 did not finish, so there is no best trial. The first failed."
    )
    assert "prune less" in str(error.value)  # one trial was really pruned
    check_a_trial_completed([*trials, _trial(TrialState.COMPLETE)], 4, describe)
