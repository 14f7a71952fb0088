"""One 12-trial search on 1 and 2 workers: a PostgreSQL study, and a Dask cluster.

Run ``python benchmarks/bench_distributed.py`` (MNIST under ``SKVISION_DATA``,
PostgreSQL's programs installed, ``skvision[distributed]``). The search is
the dense study's space (:func:`skvision.model_selection.dense_search_space`,
2-3 hidden layers) over ``DenseNetClassifier(max_iter=5, batch_size=128)``,
12 random trials with 3-fold CV on a 10,000-image MNIST subset, run two ways:

- **PostgreSQL**: 1 or 2 worker processes, each calling
  :func:`~skvision.model_selection.run_distributed_search` on one study in a
  throw-away server on loopback (``OptunaSearchCV``, random sampler). Wall
  time runs from launching the processes until the last one exits, so it
  includes each worker's start (importing TensorFlow, loading the data).
- **Dask**: ``RandomizedSearchCV(n_iter=12)`` of the same space under
  ``joblib.parallel_backend("dask")`` on a ``LocalCluster`` of 1 or 2
  single-threaded worker processes, started (and TensorFlow imported in
  them) before the clock starts, as a standing cluster would be. With one
  worker thread joblib fits in the calling process instead (its Dask
  backend's n_jobs is the cluster's thread count, and n_jobs=1 runs
  in-process), so that row is the sequential baseline.

Each worker bounds TensorFlow to ``cores // workers`` threads
(``TF_NUM_INTRAOP_THREADS``/``TF_NUM_INTEROP_THREADS``), so 1 and 2 workers
use the same cores. Idle time is workers x wall time minus the time spent in
trials (PostgreSQL) or in tasks (Dask): start-up, and the tail where one
worker finishes its last trial while the other has nothing left. It prints a
Markdown table and saves it with the machine in
``benchmarks/results/distributed.json``. ``--quick`` uses scikit-learn's 8x8
digits, 6 trials and 2 epochs (about two minutes).
"""

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# optuna-integration imports modules that Optuna 5 deprecates, and calls
# OptunaSearchCV experimental.
warnings.filterwarnings("ignore", category=FutureWarning, module="optuna")
warnings.filterwarnings("ignore", "OptunaSearchCV is experimental")

import numpy as np  # noqa: E402

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
One search, 12 random trials of the dense study's space (2-3 hidden layers,
``max_iter=5``, 3-fold CV on 10,000 MNIST images), on 1 and 2 workers of the
same cores, each worker's TensorFlow bounded to ``cores / workers`` threads.
PostgreSQL: worker processes sharing one
:func:`~skvision.model_selection.run_distributed_search` study on a
throw-away server on loopback (wall time includes each worker's start:
importing TensorFlow, loading the data). Dask: ``RandomizedSearchCV`` under
``joblib.parallel_backend("dask")`` on a standing ``LocalCluster`` of
single-threaded workers. Idle worker-seconds are workers x wall time minus
the time spent in trials: start-up, and the tail where one worker runs the
last trial while the other has nothing left to do."""

N_TRIALS, N_TRIALS_QUICK = 12, 6
CORES = os.cpu_count() or 1


def load(quick):
    if quick:
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        return (X / 16).astype(np.float32), y
    from skvision.datasets import fetch_mnist

    X, y = fetch_mnist(subset="train", return_X_y=True)
    rows = np.random.RandomState(0).permutation(len(X))[:10_000]
    return X[rows], y[rows]


def space(kind, quick):
    from skvision import DenseNetClassifier
    from skvision.model_selection import dense_search_space

    net = DenseNetClassifier(
        max_iter=2 if quick else 5,
        batch_size=128,
        early_stopping=False,
        random_state=0,
    )
    return dense_search_space(net, max_layers=3, kind=kind)


def tf_threads(n_workers):
    threads = str(max(1, CORES // n_workers))
    return {"TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": threads}


# PostgreSQL ------------------------------------------------------------------


def worker(url, study_name, n_trials, worker_id, quick):
    """Run in each worker process: its share of the study."""
    import optuna
    from optuna_integration import OptunaSearchCV

    from skvision.model_selection import run_distributed_search

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    X, y = load(quick)
    net, distributions = space("optuna", quick)
    search = OptunaSearchCV(
        net,
        distributions,
        cv=3,
        n_trials=n_trials,
        random_state=0,
        study=optuna.create_study(
            direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0)
        ),
    )
    run_distributed_search(
        search,
        X,
        y,
        storage=url,
        study_name=study_name,
        n_trials=n_trials,
        worker_id=worker_id,
        poll_interval=0.2,
        refit=False,
    )
    print(json.dumps({"end": time.time()}), flush=True)


def run_postgres(server, n_workers, n_trials, quick):
    import optuna

    from skvision.model_selection._distributed import WORKER_ATTR

    name = f"bench_{n_workers}"
    url = server.create_database(name)
    command = [sys.executable, __file__, "--worker", url, name, str(n_trials)]
    env = {**os.environ, **tf_threads(n_workers)}
    start = time.time()
    processes = [
        subprocess.Popen(
            [*command, str(i), *(["--quick"] if quick else [])],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(n_workers)
    ]
    ends = []
    for process in processes:
        out, _ = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"a worker failed ({process.returncode})")
        ends.append(json.loads(out.strip().splitlines()[-1])["end"])
    wall = max(ends) - start
    storage = optuna.storages.RDBStorage(url)
    trials = optuna.load_study(study_name=name, storage=storage).get_trials()
    storage.engine.dispose()
    done = [t for t in trials if t.datetime_complete is not None]
    busy = sum((t.datetime_complete - t.datetime_start).total_seconds() for t in done)
    first = min(t.datetime_start.timestamp() for t in done)
    per_worker = {t.user_attrs[WORKER_ATTR] for t in done}
    return {
        "setup": "PostgreSQL study",
        "workers": n_workers,
        "trials": len(done),
        "wall": wall,
        "busy": busy,
        "start_up": first - start,
        "workers_used": len(per_worker),
    }


# Dask ------------------------------------------------------------------------


def start_tensorflow():
    import skvision.classifiers  # noqa: F401  (imports TensorFlow quietly)

    # isort: split
    import tensorflow as tf

    tf.constant(1.0) + 1.0


def run_dask(n_workers, n_trials, quick):
    import logging

    import joblib
    from distributed import Client, LocalCluster, get_task_stream
    from sklearn.model_selection import RandomizedSearchCV

    X, y = load(quick)
    net, distributions = space("sklearn", quick)
    # n_jobs=None: as many jobs as the cluster has threads.
    search = RandomizedSearchCV(
        net, distributions, n_iter=n_trials, cv=3, refit=False, random_state=0
    )
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
            env=tf_threads(n_workers),
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(start_tensorflow)
        start = time.time()
        with get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
            search.fit(X, y)
        wall = time.time() - start
    busy = sum(
        span["stop"] - span["start"]
        for task in tasks.data
        for span in task["startstops"]
        if span["action"] == "compute"
    )
    if not tasks.data:
        # joblib's Dask backend counts the cluster's threads as its n_jobs, and
        # runs one job in the calling process, as it does any n_jobs=1.
        busy = wall
    return {
        "setup": "Dask cluster",
        "workers": n_workers,
        "trials": len(search.cv_results_["params"]),
        "wall": wall,
        "busy": busy,
        "start_up": 0.0,
        "workers_used": len({task["worker"] for task in tasks.data}),
    }


# Report ----------------------------------------------------------------------


def table_rows(rows):
    """The table's rows: speed-up against one worker of the same setup."""
    result = []
    for row in rows:
        one = next(
            r["wall"] for r in rows if r["setup"] == row["setup"] and r["workers"] == 1
        )
        result.append(
            [
                row["setup"],
                row["workers"],
                int(tf_threads(row["workers"])["TF_NUM_INTRAOP_THREADS"]),
                row["trials"],
                row["wall"],
                60 * row["trials"] / row["wall"],
                one / row["wall"],
                row["workers"] * row["wall"] - row["busy"],
                row["workers"] * row["start_up"],
            ]
        )
    return result


def print_table(rows):
    print(
        "| setup | workers | TF threads each | trials | wall s | trials/min "
        "| speed-up | idle worker-s (of which start-up) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in table_rows(rows):
        setup, workers, threads, trials, wall, rate, speed_up, idle, start_up = row
        print(
            f"| {setup} | {workers} | {threads} | {trials} | {wall:.1f} | {rate:.1f} "
            f"| {speed_up:.2f}x | {idle:.1f} ({start_up:.1f}) |"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="digits, 6 trials")
    parser.add_argument("--skip", nargs="*", default=[], choices=["postgres", "dask"])
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    add_arguments(parser)
    args = parser.parse_args()
    n_trials = N_TRIALS_QUICK if args.quick else N_TRIALS
    if args.worker:
        url, name, n, worker_id = args.worker
        return worker(url, name, int(n), int(worker_id), args.quick)

    rows = []
    if "postgres" not in args.skip:
        # Test infrastructure, not part of skvision: the tests' own module.
        here = os.path.dirname(os.path.abspath(__file__))
        sys.path.append(os.path.join(here, os.pardir, "tests", "model_selection"))
        from _postgres import PostgresServer

        server = PostgresServer().start()
        try:
            for n_workers in (1, 2):
                rows.append(run_postgres(server, n_workers, n_trials, args.quick))
                print(rows[-1], flush=True)
        finally:
            server.stop()
    if "dask" not in args.skip:
        for n_workers in (1, 2):
            rows.append(run_dask(n_workers, n_trials, args.quick))
            print(rows[-1], flush=True)
    data = "8x8 digits" if args.quick else "10,000 MNIST images"
    print(f"\n{data}, {n_trials} trials of 3-fold CV, {CORES} cores\n")
    print_table(rows)
    save_run(
        "distributed",
        " and ".join(name for name in ("postgres", "dask") if name not in args.skip),
        title="Distributed search",
        description=DESCRIPTION,
        run_title=f"{data}, {n_trials} trials of 3-fold CV",
        tables=[
            table(
                "One search on 1 and 2 workers",
                [
                    "setup",
                    "workers",
                    "TF threads each",
                    "trials",
                    "wall s",
                    "trials/min",
                    "speed-up",
                    "idle worker-s",
                    "of which start-up",
                ],
                table_rows(rows),
                formats=[None, "d", "d", "d", ".1f", ".1f", ".2f", ".1f", ".1f"],
            )
        ],
        args=args,
        packages=("optuna", "optuna-integration", "distributed", "psycopg"),
    )


if __name__ == "__main__":
    main()
