"""Processes sharing one study finish exactly N trials; process-based grid search."""

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState
from optuna_integration import OptunaSearchCV
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GridSearchCV

from skvision import DenseNetClassifier
from skvision.model_selection import (
    HyperbandSearchCV,
    load_best_estimator,
    run_distributed_search,
)
from skvision.model_selection._distributed import (
    SURPLUS_ATTR,
    _claims_place,
    _ExactStudy,
    _shared_storage,
)

WORKER = Path(__file__).with_name("_search_worker.py")
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def start_worker(storage, study_name, n_trials, worker_id, *args):
    command = [sys.executable, str(WORKER), storage, study_name, str(n_trials)]
    return subprocess.Popen(
        [*command, str(worker_id), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, timeout=180):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return int(out.split()[-1])  # "ran K"


def sgd_search(**kwargs):
    return HyperbandSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": FloatDistribution(1e-6, 1.0, log=True)},
        **{"max_epochs": 3, "cv": 2, "random_state": 0, **kwargs},
    )


def test_two_processes_finish_exactly_n_trials(tmp_path):
    storage, n_trials = f"sqlite:///{tmp_path / 'study.db'}", 10
    # Trials of ~0.3 s, two workers released together: both race to the end.
    workers = [
        start_worker(
            storage,
            "shared",
            n_trials,
            worker_id,
            "--delay",
            "0.05",
            "--barrier",
            str(tmp_path),
            "--n-workers",
            "2",
        )  # fmt: skip
        for worker_id in range(2)
    ]
    ran = [finish(worker) for worker in workers]
    study = optuna.load_study(study_name="shared", storage=storage)
    trials = study.get_trials()
    finished = [t for t in trials if t.state in FINISHED]
    assert len(finished) == n_trials
    assert sorted(t.number for t in finished) == list(range(n_trials))
    assert all(t.params.keys() == {"alpha"} for t in finished)
    assert all(len(t.intermediate_values) >= 1 for t in finished)
    # Any other trial lost the race for a place: FAIL, marked, never sampled.
    for trial in trials:
        if trial.state not in FINISHED:
            assert trial.state == TrialState.FAIL and trial.number >= n_trials
            assert trial.user_attrs[SURPLUS_ATTR] and not trial.params
    assert sum(ran) == len(trials) and min(ran) >= 1  # both took part


def wait_for_a_running_trial(storage, study_name, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            study = optuna.load_study(study_name=study_name, storage=storage)
        except KeyError:  # not created yet
            study = None
        if study and study.get_trials(states=(TrialState.RUNNING,)):
            return
        time.sleep(0.2)
    raise AssertionError("the worker never started a trial")


def test_a_killed_worker_is_replaced_and_the_study_resumes(tmp_path):
    storage, n_trials = f"sqlite:///{tmp_path / 'study.db'}", 4
    victim = start_worker(storage, "resume", n_trials, 0, "--delay", "60")
    try:
        wait_for_a_running_trial(storage, "resume")
        time.sleep(1.5)  # let its heartbeat be recorded
    finally:
        victim.kill()
        victim.communicate()
    study = optuna.load_study(study_name="resume", storage=storage)
    assert [t.state for t in study.trials] == [TrialState.RUNNING]

    ran = finish(start_worker(storage, "resume", n_trials, 1))
    states = Counter(t.state for t in study.get_trials())
    assert states[TrialState.COMPLETE] + states[TrialState.PRUNED] == n_trials
    assert study.trials[0].state == TrialState.FAIL  # the killed worker's trial
    assert ran == n_trials

    # Joining a finished study runs nothing, and any process builds the best.
    X, y = load_digits(return_X_y=True)
    search = run_distributed_search(
        sgd_search(), X / 16, y, storage=storage, study_name="resume", n_trials=4
    )
    assert len(search.study_.trials) == n_trials + 1
    assert search.best_params_ == study.best_params
    best = load_best_estimator(
        sgd_search(), X / 16, y, storage=storage, study_name="resume"
    )
    assert best.alpha == study.best_params["alpha"] and best.max_iter == 3
    assert best.score(X / 16, y) == search.best_estimator_.score(X / 16, y)


def test_a_trial_claims_a_place_only_among_the_first_n_live_ones():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study()
    first, second = study.ask(), study.ask()  # two running trials
    assert _claims_place(study, second.number, n_trials=2)
    third = study.ask()
    assert not _claims_place(study, third.number, n_trials=2)
    study.tell(first, state=TrialState.FAIL)  # a dead worker's trial frees its place
    assert _claims_place(study, third.number, n_trials=2)


def test_a_worker_that_loses_the_race_fails_its_trial_unsampled(tmp_path):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    storage = _shared_storage(url)
    optuna.create_study(storage=storage, study_name="race", direction="maximize")
    other = optuna.load_study(study_name="race", storage=url)
    other.tell(other.ask(), 0.5)
    last = other.ask()  # another worker runs the last of 2 trials...
    study = _ExactStudy(
        "race", storage, optuna.samplers.RandomSampler(0), None, n_trials=2, poll=0.1
    )
    stale = [(1, 0)]  # ...which this worker's count came too early to see

    def counts():
        return stale.pop() if stale else _ExactStudy._counts(study)

    study._counts = counts
    sampled = []

    def objective(trial):
        sampled.append(trial.suggest_float("x", 0, 1))
        return 0.0

    study.optimize(objective, timeout=1)  # then waits for the other worker
    surplus = study.trials[-1]
    assert surplus.number == 2 and surplus.state == TrialState.FAIL
    assert surplus.user_attrs[SURPLUS_ATTR] and not surplus.params and not sampled
    other.tell(last, 0.7)
    finished = study.get_trials(states=FINISHED)
    assert [t.number for t in finished] == [0, 1]


def test_misconfigured_distributed_searches_are_refused(tmp_path):
    X, y = load_digits(return_X_y=True)
    url = f"sqlite:///{tmp_path / 'study.db'}"
    common = dict(storage=url, study_name="s", n_trials=2)
    with pytest.raises(ValueError, match="int random_state"):
        run_distributed_search(sgd_search(random_state=None), X, y, **common)
    with pytest.raises(TypeError, match="OptunaSearchCV or HyperbandSearchCV"):
        run_distributed_search(SGDClassifier(), X, y, **common)
    with pytest.raises(ValueError, match="InMemoryStorage, which lives in one"):
        in_memory = optuna.storages.InMemoryStorage()
        run_distributed_search(sgd_search(), X, y, **{**common, "storage": in_memory})
    with pytest.raises(ValueError, match="grace_period must be .* > heartbeat"):
        run_distributed_search(
            sgd_search(), X, y, **common, heartbeat_interval=2, grace_period=2
        )
    with pytest.raises(ValueError, match="'reconnect_timeout' parameter"):
        run_distributed_search(sgd_search(), X, y, **common, reconnect_timeout=0)
    with pytest.raises(ValueError, match="n_trials"):
        run_distributed_search(sgd_search(), X, y, **{**common, "n_trials": 0})


@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Degrees of freedom:RuntimeWarning")
@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.filterwarnings("ignore:`optuna.terminator` module:FutureWarning")
def test_a_worker_whose_trials_all_fail_quotes_the_first_error(tmp_path, digits):
    X, y, _, _ = digits
    search = OptunaSearchCV(
        DenseNetClassifier(hidden_layer_sizes=(0,), max_iter=1),  # cannot fit
        {"learning_rate_init": FloatDistribution(1e-3, 1e-1)},
        cv=2,
        random_state=0,
    )
    url = f"sqlite:///{tmp_path / 'study.db'}"
    with pytest.raises(RuntimeError, match="2 trials of this worker failed") as error:
        run_distributed_search(
            search, X[:100], y[:100], storage=url, study_name="f", n_trials=1
        )
    study = optuna.load_study(study_name="f", storage=url)
    first = study.trials[0]
    assert first.state == TrialState.FAIL
    message = str(error.value)
    assert f"trial 0 with parameters {first.params}" in message
    assert "failed with ValueError: hidden_layer_sizes" in message


def test_grid_search_runs_skvision_networks_in_two_processes(digits, small_net):
    X, y, _, _ = digits
    net = DenseNetClassifier(**{**small_net, "max_iter": 3})
    one_split = [(np.arange(300), np.arange(300, 500))]
    search = GridSearchCV(
        net, {"dropout": [0.0, 0.2]}, cv=one_split, n_jobs=2, refit=False
    ).fit(X[:500], y[:500])
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (2,) and np.all(scores > 0.5)
