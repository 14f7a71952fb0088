"""The searches check every argument before any storage or data is touched,
and name the argument (skvision/model_selection/_arguments.py)."""

import optuna
import pytest
from optuna.distributions import FloatDistribution
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier

from skvision.model_selection import (
    HyperbandSearchCV,
    hyperband_search,
    load_best_estimator,
    run_distributed_search,
)

SPACE = {"alpha": FloatDistribution(1e-6, 1.0, log=True)}
INCONSISTENT = r"inconsistent numbers of samples: \[200, 199\]"  # scikit-learn's


def sgd_search(**kwargs):
    defaults = {"param_distributions": SPACE, "max_epochs": 3, "cv": 2}
    return HyperbandSearchCV(
        SGDClassifier(random_state=0), **{**defaults, "random_state": 0, **kwargs}
    )


@pytest.fixture(scope="module")
def data():
    X, y = load_digits(return_X_y=True)
    return X[:200] / 16, y[:200]


def _refused(name, value, expected):
    message = f"The '{name}' parameter of run_distributed_search must be {expected}"
    return pytest.param(name, value, message, id=f"{name}={value!r}")


BAD_ARGUMENTS = [
    _refused("study_name", None, "an instance of 'str'"),
    _refused("study_name", 3, "an instance of 'str'"),
    _refused("n_trials", True, r"an int in the range \[1, inf\)\. Got True"),
    _refused("n_trials", 0, r"an int in the range \[1, inf\)"),
    _refused("n_trials", 2.0, r"an int in the range \[1, inf\)"),
    _refused("poll_interval", 0, r"a float in the range \(0.0, inf\)"),
    _refused("poll_interval", "1s", r"a float in the range \(0.0, inf\)"),
    _refused("poll_interval", None, r"a float in the range \(0.0, inf\)"),
    _refused("worker_id", -1, r"an int in the range \[0, inf\) or None"),
    _refused("worker_id", "w1", r"an int in the range \[0, inf\) or None"),
    _refused("worker_id", True, r"an int in the range \[0, inf\) or None"),
    _refused("heartbeat_interval", -1, r"a float in the range \(0.0, inf\)"),
    _refused("grace_period", "long", r"a float in the range \(0.0, inf\) or None"),
    _refused("reconnect_timeout", 0, r"a float in the range \(0.0, inf\)"),
    _refused("refit", "yes", "an instance of 'bool'"),
]


def _run(data, url, **arguments):
    X, y = data
    settings = {"storage": url, "study_name": "s", "n_trials": 2, **arguments}
    return run_distributed_search(sgd_search(), X, y, **settings)


@pytest.mark.parametrize("name, value, message", BAD_ARGUMENTS)
def test_run_distributed_search_names_a_bad_argument_before_the_storage(
    data, tmp_path, nothing_runs, name, value, message
):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    with pytest.raises(ValueError, match=message):
        _run(data, url, **{name: value})
    nothing_runs()
    assert not (tmp_path / "study.db").exists()


def test_x_and_y_of_different_lengths_are_refused_before_the_storage(
    data, tmp_path, nothing_runs
):
    X, y = data
    url = f"sqlite:///{tmp_path / 'study.db'}"
    with pytest.raises(ValueError, match=INCONSISTENT):
        run_distributed_search(
            sgd_search(), X, y[:-1], storage=url, study_name="s", n_trials=2
        )
    with pytest.raises(ValueError, match=INCONSISTENT):
        load_best_estimator(sgd_search(), X, y[:-1], storage=url, study_name="s")
    with pytest.raises(ValueError, match=r"\[200, 200, 150\]"):
        run_distributed_search(
            sgd_search(cv=2),
            X,
            y,
            groups=y[:150],
            storage=url,
            study_name="s",
            n_trials=2,
        )
    nothing_runs()
    assert not (tmp_path / "study.db").exists()


def test_a_failed_call_creates_no_study_in_a_shared_database(data, postgres_url):
    X, y = data
    for name, value, _ in (case.values for case in BAD_ARGUMENTS):
        with pytest.raises(ValueError, match=f"'{name}'"):
            _run(data, postgres_url, **{name: value})
    with pytest.raises(ValueError, match=INCONSISTENT):
        run_distributed_search(
            sgd_search(), X, y[:-1], storage=postgres_url, study_name="s", n_trials=2
        )
    storage = optuna.storages.RDBStorage(postgres_url)
    try:
        assert optuna.get_all_study_names(storage) == []
    finally:
        storage.engine.dispose()  # left to the garbage collector, they warn later


def test_load_best_estimator_names_a_bad_argument_before_the_storage(
    data, tmp_path, nothing_runs
):
    X, y = data
    url = f"sqlite:///{tmp_path / 'study.db'}"
    with pytest.raises(ValueError, match="'study_name' parameter of load_best"):
        load_best_estimator(sgd_search(), X, y, storage=url, study_name=None)
    with pytest.raises(ValueError, match="'search' parameter of load_best"):
        load_best_estimator("sgd", X, y, storage=url, study_name="s")
    nothing_runs()


def test_hyperband_searches_name_a_bad_argument_before_any_trial(data, nothing_runs):
    X, y = data
    bad = [
        ({"n_trials": True}, ValueError, r"'n_trials' parameter .* Got True"),
        ({"max_epochs": 0}, ValueError, r"'max_epochs' parameter"),
        ({"timeout": -1}, ValueError, r"'timeout' parameter"),
        ({"scoring": "accuracy_score"}, ValueError, r"'scoring' parameter"),
        ({"subsample": 1.5}, ValueError, r"'subsample' parameter"),
        ({"param_distributions": {"alpha": [0.1, 1.0]}}, TypeError, "'alpha' maps"),
    ]
    for arguments, error, message in bad:
        with pytest.raises(error, match=message):
            sgd_search(**arguments).fit(X, y)
        arguments = {"max_epochs": 3, "param_distributions": SPACE, **arguments}
        with pytest.raises(error, match=message):  # when called, not at fit
            hyperband_search(SGDClassifier(), **arguments)
    with pytest.raises(ValueError, match=INCONSISTENT):
        sgd_search().fit(X, y[:-1])
    nothing_runs()
