import gc
import importlib.util
import itertools
import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState
from sklearn.model_selection import StratifiedShuffleSplit

from skvision import DenseNetClassifier
from skvision.model_selection import HyperbandSearchCV, dense_search_space


@pytest.fixture(scope="session")
def pruned_search_and_warnings(digits):
    """A Hyperband search of the dense space on 400 digits, and its warnings."""
    X, y, _, _ = digits
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    net, space = dense_search_space(
        DenseNetClassifier(batch_size=64, random_state=0),
        max_layers=3,
        min_units=8,
        max_units=32,
        step=8,
    )
    # Very low learning rates make bad trials that Hyperband should prune.
    space["learning_rate_init"] = FloatDistribution(1e-5, 1e-1, log=True)
    search = HyperbandSearchCV(
        net,
        space,
        max_epochs=4,
        reduction_factor=2,
        n_trials=6,
        # One seeded hold-out split: a network per trial, not per fold, keeps
        # this fixture fast (each new Keras model costs seconds of tracing).
        cv=StratifiedShuffleSplit(1, test_size=0.5, random_state=0),
        random_state=0,
    )
    # Garbage of earlier tests (an unclosed file or connection) warns when it
    # is collected: here, not while this search's own warnings are recorded.
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X[:400], y[:400])
    return search, caught


@pytest.fixture(scope="session")
def pruned_search(pruned_search_and_warnings):
    """The fitted search of ``pruned_search_and_warnings``, shared by modules."""
    return pruned_search_and_warnings[0]


def _load(name):
    """The module ``name``.py next to this file, imported by its path.

    (``tests/`` is not a package: pytest imports with ``importlib``.)
    """
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PostgresServer = _load("_postgres").PostgresServer


def _started_postgres_server():
    """A started ``PostgresServer``; or skips, saying why, when none can start,
    unless ``SKVISION_REQUIRE_POSTGRES=1`` (set by CI, which installs
    PostgreSQL) makes that a failure."""
    server = PostgresServer()
    try:
        return server.start()
    except RuntimeError as error:
        if os.environ.get("SKVISION_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"no PostgreSQL server could be started here: {error}")


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server on loopback, started for this test session."""
    server = _started_postgres_server()
    yield server
    server.stop()


@pytest.fixture
def own_postgres_server():
    """A PostgreSQL server of the test's own, which it may pause or break."""
    server = _started_postgres_server()
    yield server
    server.stop()


_databases = itertools.count()


@pytest.fixture
def postgres_url(postgres_server):
    """The URL of a new, empty database on ``postgres_server``."""
    return postgres_server.create_database(f"study_{next(_databases)}")


class SearchWorkers:
    """``_search_worker.py`` processes sharing the study ``name`` in ``storage``.

    ``storage`` is a database URL or ``journal:PATH`` (see the worker).
    """

    script = Path(__file__).with_name("_search_worker.py")

    def __init__(self, storage, name, n_trials):
        self.storage, self.name, self.n_trials = storage, name, n_trials
        self._optuna_storage = None
        self.optuna_storage()  # creates the tables before any worker races to

    def start(self, worker_id, *args):
        command = [sys.executable, str(self.script), self.storage, self.name]
        return subprocess.Popen(
            [*command, str(self.n_trials), str(worker_id), *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def finish(process, timeout=180):
        """Wait for a worker to succeed; return how many trials it ran."""
        out, err = process.communicate(timeout=timeout)
        assert process.returncode == 0, err[-3000:]
        return int(out.split()[-1])  # "ran K"

    @staticmethod
    def kill(process):
        process.kill()  # SIGKILL: no clean-up of any kind
        process.communicate()

    def optuna_storage(self):
        """``storage`` as an Optuna storage object, made once."""
        if self._optuna_storage is None:
            if self.storage.startswith("journal:"):
                self._optuna_storage = _load("_search_worker").storage_of(self.storage)
            else:
                # pool_pre_ping: the test reads on after restarting the server.
                self._optuna_storage = optuna.storages.RDBStorage(
                    self.storage, engine_kwargs={"pool_pre_ping": True}
                )
        return self._optuna_storage

    def close(self):
        """Close this process's connections to the database, if any."""
        if isinstance(self._optuna_storage, optuna.storages.RDBStorage):
            self._optuna_storage.engine.dispose()

    def study(self):
        """The shared study, or None before a worker created it."""
        try:
            return optuna.load_study(
                study_name=self.name, storage=self.optuna_storage()
            )
        except KeyError:
            return None

    def wait_for(self, condition, what, timeout=120):
        """Poll the study until ``condition(trials)``; return those trials."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            study = self.study()
            trials = study.get_trials() if study else []
            if condition(trials):
                return trials
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def wait_for_running(self, n=1):
        return self.wait_for(
            lambda trials: running(trials) >= n, f"{n} running trial(s)"
        )


def running(trials):
    return sum(trial.state == TrialState.RUNNING for trial in trials)


@pytest.fixture
def search_workers():
    """Make ``SearchWorkers``; their database connections close after the test.

    (Connections left to the garbage collector warn, in whichever test runs
    then.)
    """
    made = []

    def make(*args, **kwargs):
        made.append(SearchWorkers(*args, **kwargs))
        return made[-1]

    yield make
    for workers in made:
        workers.close()


@pytest.fixture
def nothing_runs(monkeypatch):
    """Fail the test if a study is made or loaded, or anything waits to retry.

    Yields a function that checks, after the call, that no thread (a trial's
    heartbeat) was started.
    """

    def refuse(what):
        def fail(*args, **kwargs):
            raise AssertionError(f"{what} ran before the error")

        return fail

    monkeypatch.setattr(time, "sleep", refuse("a retry's time.sleep"))
    monkeypatch.setattr(optuna, "create_study", refuse("optuna.create_study"))
    monkeypatch.setattr(optuna, "load_study", refuse("optuna.load_study"))
    before = set(threading.enumerate())

    def no_new_threads():
        assert set(threading.enumerate()) <= before

    return no_new_threads
