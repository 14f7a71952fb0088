"""Scikit-learn's searches of skvision networks on a two-process Dask cluster."""

import logging
import os
import sys
from contextlib import contextmanager

import joblib
import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_validate

from skvision import ConvNetClassifier, DenseNetClassifier

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")

# What bounds TensorFlow in a worker: its runtime reads these when it starts,
# at the first operation (tf.config.threading's getters only report the
# values set through tf.config.threading, so they cannot see them).
INTRA_OP_THREADS = INTER_OP_THREADS = 1
TF_THREADS = {
    "TF_NUM_INTRAOP_THREADS": str(INTRA_OP_THREADS),
    "TF_NUM_INTEROP_THREADS": str(INTER_OP_THREADS),
}
# Log loss, not accuracy: any change in any weight changes it.
SCORING = "neg_log_loss"


@contextmanager
def restored_environ():
    # Each nanny writes its pre-spawn variables (OMP_NUM_THREADS,
    # PYTHONHASHSEED, ...) into this process's environment; later tests must
    # not inherit them.
    saved = os.environ.copy()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def pickled_by_value(module):
    # Workers may not import this test module (it is not on their path), so
    # the functions they run from it travel as code.
    cloudpickle.register_pickle_by_value(module)
    try:
        yield
    finally:
        cloudpickle.unregister_pickle_by_value(module)


def thread_ids():
    import psutil

    return {thread.id for thread in psutil.Process().threads()}


def start_tensorflow():
    """This process's pid and the threads TensorFlow starts at its first op."""
    # skvision first: it imports TensorFlow without its start-up logs.
    import skvision.classifiers  # noqa: F401

    # isort: split
    import tensorflow as tf

    before = thread_ids()
    tf.constant(1.0) + 1.0
    return os.getpid(), len(thread_ids() - before)


@pytest.fixture(scope="module")
def cluster():
    """A client of two single-threaded worker processes, and their TF start."""
    with (
        restored_environ(),
        pickled_by_value(sys.modules[__name__]),
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
            env=TF_THREADS,
        ) as local_cluster,
        distributed.Client(local_cluster) as client,
    ):
        # Measured before any test: TensorFlow starts only once per worker.
        yield client, client.run(start_tensorflow)


@pytest.fixture(scope="module")
def client(cluster):
    return cluster[0]


@pytest.fixture(scope="module")
def digits_300(digits):
    X, y, _, _ = digits
    return X[:300], y[:300]


def dense_net():
    return DenseNetClassifier(
        hidden_layer_sizes=(16,),
        max_iter=3,
        batch_size=64,
        learning_rate="constant",
        random_state=0,
    )


def on_dask(client, run):
    """``run()`` under joblib's Dask backend, and the workers that ran tasks."""
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_backend("dask"):
            result = run()
    return result, {task["worker"] for task in tasks.data}


def assert_same_results(expected, actual):
    # Every fit is seeded by random_state, but the workers run TensorFlow on
    # one thread and this process on every core: kernels may split their sums
    # otherwise (oneDNN, other CPUs), so scores agree to float32 rounding
    # carried through a few epochs (~1e-6 of a log loss), not to the bit.
    # Another seed or other rows would move them by 1e-3 or more. Parameters
    # and ranks are exact: the candidates' scores are far apart.
    keys = sorted(key for key in expected if not key.endswith("_time"))
    assert keys == sorted(key for key in actual if not key.endswith("_time"))
    for key in keys:
        if np.asarray(expected[key]).dtype.kind == "f":
            np.testing.assert_allclose(
                actual[key], expected[key], rtol=1e-4, atol=1e-5, err_msg=key
            )
        else:
            np.testing.assert_array_equal(actual[key], expected[key], err_msg=key)


def check_search(client, search, X, y):
    expected = search.set_params(n_jobs=1).fit(X, y).cv_results_
    # n_jobs=None lets joblib's backend decide: all the Dask workers.
    search.set_params(n_jobs=None)
    actual, workers = on_dask(client, lambda: search.fit(X, y).cv_results_)
    assert workers == set(client.scheduler_info()["workers"])
    assert_same_results(expected, actual)


def test_grid_search_on_dask_equals_one_job(client, digits_300):
    search = GridSearchCV(
        dense_net(),
        {"learning_rate_init": [1e-3, 1e-2]},
        scoring=SCORING,
        cv=2,
        refit=False,
    )
    check_search(client, search, *digits_300)


def test_randomized_search_on_dask_equals_one_job(client, digits_300):
    search = RandomizedSearchCV(
        dense_net(),
        {"learning_rate_init": loguniform(1e-4, 1e-1), "dropout": [0.0, 0.5]},
        n_iter=2,
        scoring=SCORING,
        cv=2,
        refit=False,
        random_state=0,
    )
    check_search(client, search, *digits_300)


def test_cross_validate_conv_net_on_dask_equals_one_job(client, digits_300):
    X, y = digits_300
    X = X.reshape(-1, 8, 8)
    net = ConvNetClassifier(
        conv_blocks=((4,),),
        dense_layer_sizes=(),
        max_iter=2,
        learning_rate="constant",
        random_state=0,
    )
    expected = cross_validate(net, X, y, scoring=SCORING, cv=2, n_jobs=1)
    actual, workers = on_dask(
        client, lambda: cross_validate(net, X, y, scoring=SCORING, cv=2)
    )
    assert workers == set(client.scheduler_info()["workers"])
    assert_same_results(expected, actual)


@pytest.mark.skipif(
    (os.cpu_count() or 1) < 2, reason="one core: TensorFlow's default is the bound"
)
def test_tensorflow_threads_are_bounded_in_each_worker(cluster):
    client, started = cluster
    pids = [pid for pid, _ in started.values()]
    assert len(set(pids)) == 2 and os.getpid() not in pids
    # Its intra-op and inter-op pools, and one graph-runner thread; unbounded,
    # each pool has a thread per core.
    bound = INTRA_OP_THREADS + INTER_OP_THREADS + 1
    assert all(threads <= bound for _, threads in started.values()), started
