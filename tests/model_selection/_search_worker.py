"""One worker of the distributed-search tests, run as its own process.

    python _search_worker.py STORAGE STUDY N_TRIALS WORKER_ID [--delay S]
        [--barrier DIR --n-workers K] [--reconnect-timeout S]

STORAGE is a database URL, or ``journal:PATH`` for Optuna's JournalStorage
on the file PATH.

It joins the study and runs Hyperband trials of a linear model on the digits
(cheap, so the workers race for the last trials) until the study holds
N_TRIALS finished trials, then prints how many trials it ran itself.
``--delay`` makes every epoch sleep, so a test can kill the worker mid-trial;
``--barrier`` makes the workers start together.
"""

import argparse
import time
from pathlib import Path

import optuna
from optuna.distributions import FloatDistribution
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier

from skvision.model_selection import HyperbandSearchCV, run_distributed_search


class SlowSGDClassifier(SGDClassifier):
    """A linear model whose every ``partial_fit`` (one epoch) sleeps ``delay`` s."""

    def __init__(self, *, delay=0.0, alpha=1e-4, random_state=None):
        super().__init__(alpha=alpha, random_state=random_state)
        self.delay = delay

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        time.sleep(self.delay)
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


def wait_for_everyone(folder, worker_id, n_workers):
    folder = Path(folder)
    (folder / f"ready-{worker_id}").touch()
    while len(list(folder.glob("ready-*"))) < n_workers:
        time.sleep(0.05)


def storage_of(spec):
    if spec.startswith("journal:"):
        return journal_storage(spec.removeprefix("journal:"))
    return spec


def journal_storage(path):
    """Optuna's journal on the file ``path``, whose lock breaks after 3 s.

    A worker killed while it writes leaves the lock behind; Optuna's default
    30 s before breaking it would make the fault tests wait that long.
    """
    journal = optuna.storages.journal
    lock = journal.JournalFileSymlinkLock(path, grace_period=3)
    return optuna.storages.JournalStorage(journal.JournalFileBackend(path, lock))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("storage")
    parser.add_argument("study_name")
    parser.add_argument("n_trials", type=int)
    parser.add_argument("worker_id", type=int)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--barrier")
    parser.add_argument("--n-workers", type=int, default=1)
    parser.add_argument("--reconnect-timeout", type=float, default=60)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    X, y = load_digits(return_X_y=True)
    search = HyperbandSearchCV(
        SlowSGDClassifier(delay=args.delay, random_state=0),
        {"alpha": FloatDistribution(1e-6, 1.0, log=True)},
        max_epochs=3,
        cv=2,
        random_state=0,
    )
    ran = []
    search.set_params(callbacks=[lambda study, trial: ran.append(trial.number)])
    if args.barrier:
        wait_for_everyone(args.barrier, args.worker_id, args.n_workers)
    run_distributed_search(
        search,
        X / 16,
        y,
        storage=storage_of(args.storage),
        study_name=args.study_name,
        n_trials=args.n_trials,
        worker_id=args.worker_id,
        heartbeat_interval=1,
        grace_period=2,
        poll_interval=0.2,
        reconnect_timeout=args.reconnect_timeout,
        refit=False,
    )
    print(f"ran {len(ran)}", flush=True)


if __name__ == "__main__":
    main()
