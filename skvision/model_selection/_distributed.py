"""Several processes or machines run one Optuna study to exactly N trials.

Usage
-----
Every worker runs the same script, on one machine or many, pointing at one
database (a SQLite file on one machine; PostgreSQL or MySQL across
machines)::

    from skvision import DenseNetClassifier
    from skvision.model_selection import (
        dense_search_space, hyperband_search, load_best_estimator,
        run_distributed_search)

    net, space = dense_search_space(DenseNetClassifier(batch_size=128))
    search = hyperband_search(net, space, max_epochs=27, random_state=0)
    run_distributed_search(
        search, X, y,
        storage="postgresql://user:password@host/optuna",  # or "sqlite:///study.db"
        study_name="mnist-dense", n_trials=100,
        worker_id=int(os.environ["WORKER_ID"]), refit=False)

Each call returns when the study holds ``n_trials`` finished trials, so the
best network can then be built by any of them, or later by anyone::

    best = load_best_estimator(search, X, y, storage=..., study_name="mnist-dense")

A worker that dies (killed, pre-empted, out of memory) leaves its trial
RUNNING. Its heartbeat stops, so after ``grace_period`` seconds the other
workers mark it FAIL and run a new trial in its place; if every worker died,
rerunning the script resumes the study. Resuming a finished study runs
nothing.

How exactly N trials are run
----------------------------
Optuna's ``MaxTrialsCallback`` stops a worker only after its trial ends, and
counts other workers' running trials only if told to, so several workers
overshoot the total (optuna/optuna#3518). Here every worker runs one trial
at a time and, before each, marks stale trials FAIL and counts the finished
(COMPLETE or PRUNED) and RUNNING trials: it stops when ``n_trials`` have
finished, waits while the missing ones are running elsewhere, and otherwise
starts a trial. That check races with other workers, so the new trial then
claims its place: Optuna numbers trials in creation order under a lock (SQLite
serializes writes; PostgreSQL and MySQL lock the study row), and a trial
runs only if fewer than ``n_trials`` trials that are not FAIL have smaller
numbers. Of two workers starting the last trial at once, the later one finds
the earlier one's trial and marks its own FAIL before sampling anything (user
attribute ``"skvision_surplus"``), then counts again. So finished trials
never exceed ``n_trials``, and since a worker only leaves once they reach
it, every worker returning means exactly ``n_trials``.

What remains: trials of dead workers are FAIL rows, not lost ones, and are
replaced by freshly sampled trials (not retried with the same parameters:
``RetryHeartbeatStaleTrialCallback`` re-enqueues them as WAITING trials, and
taking a WAITING trial is a read-then-write that two SQLite workers can both
win, running it twice). A worker killed in the milliseconds between creating
a trial and its first heartbeat leaves a RUNNING trial that never becomes
stale, and the other workers wait for it; mark it FAIL by hand
(``study.tell(number, state=optuna.trial.TrialState.FAIL)``).
"""

import os
import random
import time
import warnings
from numbers import Integral

import numpy as np
import optuna
from optuna.exceptions import ExperimentalWarning
from optuna.trial import TrialState
from optuna_integration import OptunaSearchCV
from sklearn.base import clone, is_classifier
from sklearn.utils import check_random_state
from sqlalchemy.exc import SQLAlchemyError

from ._hyperband import (
    SURPLUS_ATTR,
    HyperbandSearchCV,
    describe_first_failure,
    deterministic_cv,
    epoch_estimator,
)
from ._storage import (
    check_shareable_storage,
    check_storage,
    check_study,
    shown_storage,
)

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)
_LIVE = (*FINISHED, TrialState.RUNNING, TrialState.WAITING)


class _SurplusTrial(Exception):
    """A trial created after ``n_trials`` others had already claimed their place."""


class _TooManyFailures(RuntimeError):
    """More of a worker's trials failed than the study needs in all."""

    def __init__(self, message, numbers):
        super().__init__(message)
        self.numbers = numbers


def _claims_place(study, number, n_trials):
    """Whether trial ``number`` is among the first ``n_trials`` live trials.

    Live trials are those not FAIL: finished, running or waiting. Numbers
    follow creation order, so of several trials started at once for the last
    place, exactly the first gets it.
    """
    live = study.get_trials(deepcopy=False, states=_LIVE)
    return sum(trial.number < number for trial in live) < n_trials


def _fail_stale_trials(study):
    # Optuna calls this experimental function the same way inside optimize.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


class _ExactStudy(optuna.Study):
    """A study whose ``optimize`` runs trials until exactly ``n_trials`` finished.

    ``OptunaSearchCV.fit`` calls ``study.optimize(objective, n_trials=...)``;
    this study ignores that per-worker count and follows the shared one.
    """

    def __init__(self, study_name, storage, sampler, pruner, *, n_trials, poll):
        super().__init__(
            study_name=study_name, storage=storage, sampler=sampler, pruner=pruner
        )
        self._n_total = n_trials
        self._poll = poll

    def _counts(self):
        trials = self.get_trials(deepcopy=False)
        finished = sum(trial.state in FINISHED for trial in trials)
        running = sum(trial.state == TrialState.RUNNING for trial in trials)
        return finished, running

    def optimize(self, func, n_trials=None, timeout=None, catch=(), **kwargs):
        """Run trials of ``func``, one at a time, until the shared count is reached.

        The caller's ``n_trials`` (a per-worker count) and ``n_jobs`` are
        ignored; ``timeout`` stops this worker early.
        """
        if not isinstance(catch, tuple | list):
            catch = (catch,)
        catch = (*catch, _SurplusTrial)
        callbacks = kwargs.get("callbacks")
        start, failed = time.monotonic(), []
        while timeout is None or time.monotonic() - start < timeout:
            _fail_stale_trials(self)
            finished, running = self._counts()
            if finished >= self._n_total:
                return
            if finished + running >= self._n_total:
                time.sleep(self._poll)  # the last trials run elsewhere
                continue
            number, surplus = self._run_one(func, catch, callbacks)
            state = self._storage.get_trial(self._trial_id(number)).state
            if state == TrialState.FAIL and not surplus:
                failed.append(number)
                if len(failed) > self._n_total:
                    raise _TooManyFailures(
                        f"{len(failed)} trials of this worker failed, more than the "
                        f"study's n_trials={self._n_total}, so it stops.",
                        failed,
                    )

    def _run_one(self, func, catch, callbacks):
        """Run one trial if it claims a place; return its number and whether not."""
        ran = {}

        def claimed(trial):
            ran["number"] = trial.number
            if not _claims_place(self, trial.number, self._n_total):
                ran["surplus"] = True
                trial.set_user_attr(SURPLUS_ATTR, True)
                raise _SurplusTrial(
                    f"{self._n_total} trials were already claimed; not running "
                    f"trial {trial.number}."
                )
            return func(trial)

        super().optimize(claimed, n_trials=1, catch=catch, callbacks=callbacks)
        return ran["number"], ran.get("surplus", False)

    def _trial_id(self, number):
        return self._storage.get_trial_id_from_study_id_trial_number(
            self._study_id, number
        )


def _rdb_storage(storage, heartbeat_interval, grace_period, attempts=5):
    """The ``RDBStorage`` of ``storage``, refusing what workers cannot share.

    A URL is checked first (scheme, driver, SQLite folder, in-memory, one
    connection), so only the race of workers creating the tables of a new
    database is retried.
    """
    if isinstance(storage, str):
        check_storage(storage)
        # SQLite lets writers wait 5 s for the lock by default; several workers
        # and their heartbeats need longer.
        engine_kwargs = (
            {"connect_args": {"timeout": 60}} if storage.startswith("sqlite") else {}
        )
        for attempt in range(attempts):
            try:
                with warnings.catch_warnings():
                    # heartbeat_interval is "experimental" in Optuna since 2.9,
                    # and is what detects dead workers; nothing to act on.
                    warnings.simplefilter("ignore", ExperimentalWarning)
                    return optuna.storages.RDBStorage(
                        storage,
                        engine_kwargs=engine_kwargs,
                        heartbeat_interval=heartbeat_interval,
                        grace_period=grace_period,
                    )
            except SQLAlchemyError:
                # Workers started together on a new database all create its
                # tables; the losers fail on a unique constraint, and the tables
                # are there when they try again.
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5 + random.random())
    check_storage(storage)  # a TypeError for what is no storage at all
    if (
        not isinstance(storage, optuna.storages.RDBStorage)
        or storage.get_heartbeat_interval() is None
    ):
        raise ValueError(
            "storage must be a database URL or an optuna RDBStorage with a "
            "heartbeat_interval: heartbeats are how workers notice a dead one; got "
            f"{type(storage).__name__}."
        )
    return check_shareable_storage(storage)


def _check_shared_folds(search, y):
    """Every worker must score trials on the same folds (and subsample)."""
    if isinstance(search, HyperbandSearchCV):
        if search.random_state is None and (
            isinstance(search.cv, Integral) or search.subsample != 1.0
        ):
            raise ValueError(
                "With random_state=None each worker would draw its own folds; give "
                "the search an int random_state."
            )
    elif search.random_state is None and search.subsample != 1.0:
        raise ValueError(
            "With random_state=None each worker would draw its own subsample; give "
            "the search an int random_state."
        )
    deterministic_cv(search.cv, y, classifier=is_classifier(search.estimator))


def _worker_seed(random_state, worker_id):
    """Different sampler seeds per worker, or every worker samples alike."""
    if random_state is None:
        return None
    base = int(check_random_state(random_state).randint(np.iinfo("int32").max))
    worker = os.getpid() if worker_id is None else int(worker_id)
    return int(np.random.SeedSequence([base, worker]).generate_state(1)[0])


def run_distributed_search(
    search,
    X,
    y=None,
    *,
    storage,
    study_name,
    n_trials,
    worker_id=None,
    heartbeat_interval=10,
    grace_period=None,
    poll_interval=1.0,
    refit=True,
    **fit_params,
):
    """Run this process's share of one study that several workers finish together.

    Joins (or creates) the study ``study_name`` in ``storage`` and runs
    ``search``'s trials one at a time until the study holds exactly
    ``n_trials`` finished (COMPLETE or PRUNED) trials, whoever ran them, then
    optionally refits the best one. See the module documentation of
    ``skvision.model_selection._distributed`` for the guarantee and its
    limits.

    Parameters
    ----------
    search : OptunaSearchCV or HyperbandSearchCV
        The search to share: its estimator, space, folds, scoring and (for
        :class:`HyperbandSearchCV`) pruner. It is not modified. Its folds must
        be the same in every worker: an int ``cv`` of a
        ``HyperbandSearchCV`` needs an int ``random_state``.
    X : array-like of shape (n_samples, ...)
        Training samples, the same in every worker.
    y : array-like of shape (n_samples,), default=None
        Targets.
    storage : str or optuna.storages.RDBStorage
        Database URL, e.g. ``"sqlite:///study.db"`` or
        ``"postgresql://user:password@host/db"``, or an ``RDBStorage`` with a
        ``heartbeat_interval``. It is checked before anything runs (see
        Raises); an in-memory SQLite database (``"sqlite://"``) is refused,
        as every process and thread sees its own, empty one.
    study_name : str
        Name of the shared study; created by the first worker.
    n_trials : int
        Finished trials the study must hold in the end (not per worker).
    worker_id : int or None, default=None
        Distinct number of this worker, mixed into the sampler's seed so that
        seeded workers sample different parameters; None uses the process id.
    heartbeat_interval : int, default=10
        Seconds between the heartbeats of a running trial (URL storages).
    grace_period : int or None, default=None
        Seconds without heartbeat after which a trial is FAIL; None is twice
        ``heartbeat_interval``. It must exceed any pause of a live worker (a
        live trial marked FAIL is replaced, and its worker stops with an
        error when it reports).
    poll_interval : float, default=1.0
        Seconds between checks while the last trials run in other workers.
    refit : bool, default=True
        Refit the study's best parameters on ``X, y`` in this worker.
    **fit_params
        Passed to ``search.fit`` (e.g. ``groups``).

    Returns
    -------
    search : OptunaSearchCV or HyperbandSearchCV
        A fitted copy of ``search`` whose ``study_`` is the shared study (all
        workers' trials) and, with ``refit=True``, whose ``best_estimator_``
        is the study's best.

    Raises
    ------
    ValueError
        When ``storage`` cannot work: not a URL, an unknown database scheme,
        an in-memory SQLite database, a SQLite file in a missing folder, a
        database that cannot be reached (one attempt, no retries), or a
        storage object without heartbeats. Also for folds that would differ
        between workers, and (from the search) when no trial completed.
    TypeError
        When ``search`` is not an Optuna search, ``storage`` is no storage,
        or ``search.study`` is not an ``optuna.Study`` (e.g. a URL).
    ImportError
        When the driver of the URL's database is not installed.
    RuntimeError
        When more of this worker's trials failed than ``n_trials``; the
        message quotes the first one's error.

    See Also
    --------
    load_best_estimator : Build the best estimator of a finished study.

    Examples
    --------
    >>> import optuna
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from optuna_integration import OptunaSearchCV
    >>> from skvision.model_selection import run_distributed_search
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> X, y = load_iris(return_X_y=True)
    >>> search = OptunaSearchCV(
    ...     LogisticRegression(max_iter=200),
    ...     {"C": optuna.distributions.FloatDistribution(0.01, 10, log=True)},
    ...     cv=3, random_state=0)  # doctest: +SKIP
    >>> search = run_distributed_search(
    ...     search, X, y, storage="sqlite:///study.db", study_name="iris",
    ...     n_trials=5)  # doctest: +SKIP
    >>> len(search.study_.trials)  # doctest: +SKIP
    5
    """
    if not isinstance(search, OptunaSearchCV):
        raise TypeError(
            "search must be an OptunaSearchCV or HyperbandSearchCV; got "
            f"{type(search).__name__}."
        )
    if not isinstance(n_trials, Integral) or n_trials < 1:
        raise ValueError(f"n_trials must be an int >= 1; got {n_trials!r}.")
    check_study(search.study, name="search.study")
    _check_shared_folds(search, y)
    storage = _rdb_storage(storage, heartbeat_interval, grace_period)
    seed = _worker_seed(search.random_state, worker_id)
    if search.study is not None:
        sampler, pruner = search.study.sampler, search.study.pruner
    else:
        sampler = optuna.samplers.TPESampler(seed=seed)
        pruner = (
            search._make_pruner()
            if isinstance(search, HyperbandSearchCV)
            else optuna.pruners.MedianPruner()  # create_study's default
        )
    optuna.create_study(
        storage=storage,
        study_name=study_name,
        direction="maximize",
        load_if_exists=True,
    )
    study = _ExactStudy(
        study_name, storage, sampler, pruner, n_trials=n_trials, poll=poll_interval
    )
    params = search.get_params(deep=False)
    worker = type(search)(**{**params, "study": study, "refit": refit})
    try:
        return worker.fit(X, y, **fit_params)
    except _TooManyFailures as error:
        failed = [t for t in study.get_trials() if t.number in error.numbers]
        groups = fit_params.pop("groups", None)
        reason = describe_first_failure(
            failed, search, X, y, groups=groups, fit_params=fit_params
        )
        raise RuntimeError(f"{error} {reason}") from None


def load_best_estimator(search, X, y=None, *, storage, study_name, **fit_params):
    """Fit the best parameters of a stored study, as the search's refit would.

    Parameters
    ----------
    search : OptunaSearchCV, HyperbandSearchCV or estimator
        The search that ran the study, or its estimator. For a
        :class:`HyperbandSearchCV` the estimator trains ``max_epochs`` epochs,
        like its refit (see :func:`epoch_estimator`).
    X : array-like of shape (n_samples, ...)
        Training samples.
    y : array-like of shape (n_samples,), default=None
        Targets.
    storage : str or optuna.storages.BaseStorage
        Where the study is stored: a database URL (checked first, as in
        :func:`run_distributed_search`; a SQLite file must exist) or any
        Optuna storage object.
    study_name : str
        Its name.
    **fit_params
        Passed to the estimator's ``fit``.

    Returns
    -------
    estimator : estimator
        A new estimator with the best trial's parameters, fitted.

    Raises
    ------
    ValueError
        When ``storage`` cannot hold the study (see
        :func:`run_distributed_search`) or holds no study ``study_name``.

    Examples
    --------
    >>> import optuna
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skvision.model_selection import load_best_estimator
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> storage = optuna.storages.InMemoryStorage()
    >>> study = optuna.create_study(storage=storage, study_name="iris",
    ...                             direction="maximize")
    >>> study.enqueue_trial({"C": 0.5})
    >>> study.optimize(lambda t: t.suggest_float("C", 0.01, 10), n_trials=1)
    >>> X, y = load_iris(return_X_y=True)
    >>> load_best_estimator(LogisticRegression(max_iter=500), X, y,
    ...                     storage=storage, study_name="iris").C
    0.5
    """
    study = _load_study(study_name, check_storage(storage, stored=True))
    if isinstance(search, HyperbandSearchCV):
        estimator = epoch_estimator(search.estimator, search.max_epochs)
    elif isinstance(search, OptunaSearchCV):
        estimator = clone(search.estimator)
    else:
        estimator = clone(search)
    return estimator.set_params(**study.best_params).fit(X, y, **fit_params)


def _load_study(study_name, storage):
    try:
        return optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:
        names = optuna.get_all_study_names(storage)
        raise ValueError(
            f"storage={shown_storage(storage)} holds no study named {study_name!r}; "
            f"its studies are {names}."
        ) from None
