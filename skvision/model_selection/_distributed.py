"""Several processes or machines run one Optuna study to exactly N trials.

Every worker runs the same script against one shared storage (a database URL
or a ``JournalStorage``). :class:`_ExactStudy` runs trials until the study
holds ``n_trials`` finished ones, whoever ran them; :class:`_Liveness` tells
the trials of dead workers by their heartbeats. The user guide's "Running a
search on a cluster" tells how to use it.
"""

import contextlib
import os
import random
import socket
import threading
import time
import warnings
from numbers import Integral

import numpy as np
import optuna
from optuna.exceptions import (
    ExperimentalWarning,
    StorageInternalError,
    UpdateFinishedTrialError,
)
from optuna.trial import TrialState
from optuna_integration import OptunaSearchCV
from sklearn.base import clone, is_classifier
from sqlalchemy.exc import SQLAlchemyError

from .._fixes import HasMethods, validate_params
from ._arguments import check_distributions, check_lengths, integers, positive_numbers
from ._failures import SURPLUS_ATTR, describe_first_failure
from ._hyperband import HyperbandSearchCV
from ._pruning import (
    deterministic_cv,
    draw_search_seed,
    epoch_estimator,
    make_hyperband_pruner,
    pruner_settings,
)
from ._storage import (
    check_shareable_storage,
    check_storage,
    check_study,
    shown_storage,
)

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)
_LIVE = (*FINISHED, TrialState.RUNNING, TrialState.WAITING)
BEATS_ATTR = "skvision_beats"
WORKER_ATTR = "skvision_worker"
# What a storage raises when its database went away: Optuna wraps SQLAlchemy's
# errors as StorageInternalError, or not (reads outside its sessions).
_STORAGE_ERRORS = (StorageInternalError, SQLAlchemyError)
_DONE = object()


class _SurplusTrial(Exception):
    """A trial created after ``n_trials`` others had already claimed their place."""


class _TooManyFailures(RuntimeError):
    """More of a worker's trials failed than the study needs in all."""

    def __init__(self, message, numbers):
        super().__init__(message)
        self.numbers = numbers


class LostStorageError(RuntimeError):
    """The study's database stayed unreachable for ``reconnect_timeout`` seconds.

    Raised by :func:`run_distributed_search`. Nothing finished is lost: run
    the worker again when the database is back, and the study resumes.

    Examples
    --------
    >>> from skvision.model_selection import LostStorageError
    >>> try:  # doctest: +SKIP
    ...     run_distributed_search(search, X, y, storage=url, study_name="s",
    ...                            n_trials=50, reconnect_timeout=600)
    ... except LostStorageError as error:
    ...     print(error)  # then rerun this worker once the server is up
    """


def _claims_place(study, number, n_trials):
    """Whether trial ``number`` is among the first ``n_trials`` live trials.

    Live trials are those not FAIL: finished, running or waiting. Numbers
    follow creation order, so of several trials started at once for the last
    place, exactly the first gets it.
    """
    live = study.get_trials(deepcopy=False, states=_LIVE)
    return sum(trial.number < number for trial in live) < n_trials


def _lost_storage(error):
    """Whether ``error`` (or an error it arose from) is a storage's."""
    while error is not None:
        if isinstance(error, _STORAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
    return False


class _Beats:
    """Count a running trial's ``BEATS_ATTR`` up every ``interval`` seconds.

    A failed write (the database restarting) is retried at the next beat; a
    trial that others already marked FAIL stops beating.
    """

    def __init__(self, trial, interval):
        self._trial, self._interval = trial, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _beat(self):
        count = 0
        while True:
            try:
                self._trial.set_user_attr(BEATS_ATTR, count)
                count += 1
            except UpdateFinishedTrialError:
                return
            except _STORAGE_ERRORS:
                pass
            if self._stop.wait(self._interval):
                return


class _Liveness:
    """Tell the running trials of dead workers by beat counts that stopped.

    Each worker times the counts it sees on its own clock, so machines need
    no common clock. A count that has not moved for ``grace_period`` seconds,
    or that never appeared (a worker killed between creating its trial and
    its first beat), is a dead worker's trial. Only user attributes are
    read, so this works on every storage, Optuna's journal included.
    """

    def __init__(self, grace_period):
        self.grace_period = grace_period
        self._seen = {}  # trial number -> (beat count, when first seen)

    def dead(self, running):
        """Numbers of ``running`` trials whose count stood for ``grace_period`` s."""
        now, seen = time.monotonic(), {}
        for trial in running:
            beats = trial.user_attrs.get(BEATS_ATTR)
            last = self._seen.get(trial.number)
            seen[trial.number] = last if last and last[0] == beats else (beats, now)
        self._seen = seen
        return [n for n, (_, since) in seen.items() if now - since > self.grace_period]

    def forget(self):
        """Start timing afresh (after this worker could not see the storage)."""
        self._seen = {}


class _ExactStudy(optuna.Study):
    """A study whose ``optimize`` runs trials until exactly ``n_trials`` finished.

    ``OptunaSearchCV.fit`` calls ``study.optimize(objective, n_trials=...)``;
    this study ignores that per-worker count and follows the shared one. A
    worker runs one trial at a time and, before each, counts finished
    (COMPLETE or PRUNED) and RUNNING trials: it stops at ``n_trials``
    finished, waits while the missing ones run elsewhere, and otherwise
    starts a trial. Two workers may start the last trial at once, so a new
    trial runs only if it claims a place (:func:`_claims_place`); the loser
    fails its trial unsampled, with the user attribute ``SURPLUS_ATTR``.
    A worker that loses its database waits ``reconnect_timeout`` seconds for
    it, fails the trial it was running and goes on, or raises
    :class:`LostStorageError`.
    """

    def __init__(
        self,
        study_name,
        storage,
        sampler,
        pruner,
        *,
        n_trials,
        poll,
        worker=None,
        heartbeat_interval=1.0,
        grace_period=None,
        reconnect_timeout=60.0,
    ):
        super().__init__(
            study_name=study_name, storage=storage, sampler=sampler, pruner=pruner
        )
        self._n_total = n_trials
        self._poll = poll
        self._worker = worker
        self._heartbeat_interval = heartbeat_interval
        self._liveness = _Liveness(grace_period or 2 * heartbeat_interval)
        self._reconnect_timeout = reconnect_timeout
        self._running = None  # number of this worker's running trial

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
            try:
                outcome = self._step(func, catch, callbacks)
            except Exception as error:
                if not _lost_storage(error):
                    raise
                outcome = self._reconnect(error)
            if outcome is _DONE:
                return
            if outcome is not None:
                failed.append(outcome)
                if len(failed) > self._n_total:
                    raise _TooManyFailures(
                        f"{len(failed)} trials of this worker failed, more than the "
                        f"study's n_trials={self._n_total}, so it stops.",
                        failed,
                    )

    def _step(self, func, catch, callbacks):
        """Fail dead trials, then stop, wait or run a trial (returned if FAIL)."""
        for number in self._liveness.dead(self._running_trials()):
            self._fail(number)
        finished, running = self._counts()
        if finished >= self._n_total:
            return _DONE
        if finished + running >= self._n_total:
            time.sleep(self._poll)  # the last trials run elsewhere
            return None
        number, surplus = self._run_one(func, catch, callbacks)
        failed = not surplus and self._state(number) == TrialState.FAIL
        return number if failed else None

    def _run_one(self, func, catch, callbacks):
        """Run one trial if it claims a place; return its number and whether not."""
        surplus = []

        def claimed(trial):
            self._running = trial.number
            with _Beats(trial, self._heartbeat_interval):
                if self._worker is not None:
                    trial.set_user_attr(WORKER_ATTR, self._worker)
                if not _claims_place(self, trial.number, self._n_total):
                    surplus.append(trial.number)
                    trial.set_user_attr(SURPLUS_ATTR, True)
                    raise _SurplusTrial(
                        f"{self._n_total} trials were already claimed; not running "
                        f"trial {trial.number}."
                    )
                return func(trial)

        super().optimize(claimed, n_trials=1, catch=catch, callbacks=callbacks)
        number, self._running = self._running, None
        return number, bool(surplus)

    def _fail(self, number):
        """Mark trial ``number`` FAIL, unless it finished (another worker was first)."""
        try:
            self.tell(number, state=TrialState.FAIL, skip_if_finished=True)
        except UpdateFinishedTrialError:
            pass  # finished between tell's check and its write

    def _running_trials(self):
        return self.get_trials(deepcopy=False, states=(TrialState.RUNNING,))

    def _state(self, number):
        trials = self.get_trials(deepcopy=False)
        return next(trial.state for trial in trials if trial.number == number)

    def _reconnect(self, error):
        """Wait for the storage; fail the trial the lost connection interrupted."""
        self._liveness.forget()  # every worker's beats stopped meanwhile
        deadline = time.monotonic() + self._reconnect_timeout
        while True:
            time.sleep(self._poll)
            try:
                self.get_trials(deepcopy=False)
                break
            except Exception as again:
                if not _lost_storage(again) or time.monotonic() > deadline:
                    raise LostStorageError(
                        f"The study's storage did not answer for "
                        f"{self._reconnect_timeout} s ({error!r}), so this worker "
                        "stops. Nothing finished is lost: rerun it when the database "
                        "is back, and the study resumes."
                    ) from again
        number, self._running = self._running, None
        if number is None:
            return None
        self._fail(number)
        return number if self._state(number) == TrialState.FAIL else None


def _shared_storage(storage, attempts=5):
    """The storage of ``storage``, refusing what workers cannot share.

    A URL is checked first (scheme, driver, SQLite folder, in-memory, one
    connection), so only the race of workers creating the tables of a new
    database is retried.
    """
    check_storage(storage)  # a TypeError for what is no storage at all
    if not isinstance(storage, str):
        if isinstance(storage, optuna.storages.InMemoryStorage):
            raise ValueError(
                "storage is an optuna InMemoryStorage, which lives in one process: "
                "workers cannot share it. Use a database URL, e.g. "
                "'sqlite:///study.db', or optuna.storages.JournalStorage("
                "optuna.storages.journal.JournalFileBackend('study.log'))."
            )
        return check_shareable_storage(storage)
    # pool_pre_ping: a connection the server closed (a restart) is replaced
    # before use instead of failing the next query.
    engine_kwargs = {"pool_pre_ping": True}
    if storage.startswith("sqlite"):
        # SQLite lets writers wait 5 s for the lock by default; several workers
        # and their beats need longer.
        engine_kwargs["connect_args"] = {"timeout": 60}
    for attempt in range(attempts):
        try:
            return optuna.storages.RDBStorage(storage, engine_kwargs=engine_kwargs)
        except SQLAlchemyError:
            # Workers started together on a new database all create its tables;
            # the losers fail on a unique constraint, and the tables are there
            # when they try again.
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 + random.random())


def _check_liveness(heartbeat_interval, grace_period):
    if grace_period is None:
        return 2 * heartbeat_interval
    if grace_period <= heartbeat_interval:
        raise ValueError(
            f"grace_period must be a number of seconds > heartbeat_interval="
            f"{heartbeat_interval}, or a live trial would look dead between two "
            f"beats; got {grace_period!r}."
        )
    return grace_period


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


def _check_search(search, X, y, fit_params):
    """Everything ``search.fit`` would refuse, refused before any storage is."""
    if not isinstance(search, OptunaSearchCV):
        raise TypeError(
            "search must be an OptunaSearchCV or HyperbandSearchCV; got "
            f"{type(search).__name__}."
        )
    if isinstance(search, HyperbandSearchCV):
        search._validate_params()
    check_distributions(search.param_distributions, "search.param_distributions")
    check_study(search.study, name="search.study")
    check_lengths(X, y, fit_params.get("groups"))
    _check_shared_folds(search, y)


def _worker_name(worker_id):
    """What a trial's ``"skvision_worker"`` says ran it."""
    if worker_id is not None:
        return int(worker_id)
    return f"{socket.gethostname()}:{os.getpid()}"


def _worker_seed(random_state, worker_id):
    """Different sampler seeds per worker, or every worker samples alike."""
    if random_state is None:
        return None
    base = draw_search_seed(random_state)
    worker = os.getpid() if worker_id is None else int(worker_id)
    return int(np.random.SeedSequence([base, worker]).generate_state(1)[0])


def _sampler_and_pruner(search, seed):
    """The worker's sampler and pruner: those of ``search.study``, or new ones."""
    if search.study is not None:
        return search.study.sampler, search.study.pruner
    if isinstance(search, HyperbandSearchCV):
        pruner = make_hyperband_pruner(**pruner_settings(search))
    else:
        pruner = optuna.pruners.MedianPruner()  # create_study's default
    return optuna.samplers.TPESampler(seed=seed), pruner


@validate_params(
    {
        "search": "no_validation",  # _check_search
        "X": ["array-like"],
        "y": ["array-like", None],
        "storage": "no_validation",  # check_storage, after all the others
        "study_name": [str],
        "n_trials": [integers(1)],
        "worker_id": [integers(0), None],
        "heartbeat_interval": [positive_numbers()],
        "grace_period": [positive_numbers(), None],
        "poll_interval": [positive_numbers()],
        "reconnect_timeout": [positive_numbers()],
        "refit": ["boolean"],
    },
    prefer_skip_nested_validation=False,
)
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
    reconnect_timeout=60,
    refit=True,
    **fit_params,
):
    """Run this process's share of one study that several workers finish together.

    Joins (or creates) the study ``study_name`` in ``storage`` and runs
    ``search``'s trials one at a time until the study holds exactly
    ``n_trials`` finished (COMPLETE or PRUNED) trials, whoever ran them, then
    optionally refits the best one. A worker that dies is noticed by the
    others, and its trial replaced; a study whose workers all died resumes
    when one is started again. The user guide's "Running a search on a
    cluster" tells how.

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
    storage : str or optuna.storages.BaseStorage
        Database URL, e.g. ``"sqlite:///study.db"`` (one machine) or
        ``"postgresql://user:password@host/db"`` (needs
        ``pip install "skvision[distributed]"``), or a storage object such as
        ``optuna.storages.JournalStorage(JournalFileBackend(path))`` for a
        shared file system without a database (a worker killed while it
        writes leaves the journal's lock behind; the others break it after
        the lock's ``grace_period``, 30 s unless you pass
        ``lock_obj=JournalFileSymlinkLock(path, grace_period=...)``). It is
        checked before anything runs (see Raises); storages that processes
        cannot share (an in-memory SQLite database ``"sqlite://"``, an
        ``InMemoryStorage``) are refused.
    study_name : str
        Name of the shared study; created by the first worker.
    n_trials : int
        Finished trials the study must hold in the end (not per worker).
    worker_id : int or None, default=None
        Distinct number of this worker, mixed into the sampler's seed so that
        seeded workers sample different parameters, and kept in each of its
        trials' user attribute ``"skvision_worker"``; None uses the process id
        (and ``"host:pid"`` in the attribute).
    heartbeat_interval : float, default=10
        Seconds between the beats of a running trial (its user attribute
        ``"skvision_beats"`` counts up), on any storage.
    grace_period : float or None, default=None
        Seconds without a beat after which other workers mark a running trial
        FAIL and replace it; None is twice ``heartbeat_interval``. It must
        exceed any pause of a live worker: a live trial marked FAIL is
        replaced, and its result is not recorded.
    poll_interval : float, default=1.0
        Seconds between checks while the last trials run in other workers.
    reconnect_timeout : float, default=60
        Seconds a worker that lost its database (a server restart) waits for
        it before it stops; the trial the loss interrupted is marked FAIL and
        replaced.
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
        file that is not a SQLite database, a database that cannot be reached
        (one attempt, no retries), or an ``InMemoryStorage``. Also for an
        argument out of its range (scikit-learn's ``InvalidParameterError``,
        naming it; ``n_trials=True`` is no int here), ``X`` and ``y`` of
        different lengths, folds that would differ between workers, a
        ``grace_period`` not above ``heartbeat_interval``, and (from the
        search) when no trial completed. Every argument is checked before the
        storage is opened: a call that fails so creates no study.
    TypeError
        When ``search`` is not an Optuna search, ``storage`` is no storage,
        or ``search.study`` is not an ``optuna.Study`` (e.g. a URL).
    ImportError
        When the driver of the URL's database is not installed.
    RuntimeError
        When more of this worker's trials failed than ``n_trials``; the
        message quotes the first one's error.
    LostStorageError
        A ``RuntimeError``, when the database stayed unreachable for
        ``reconnect_timeout`` seconds; rerunning the worker resumes.

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
    _check_search(search, X, y, fit_params)
    grace_period = _check_liveness(heartbeat_interval, grace_period)
    with _opened(storage, _shared_storage) as storage:
        seed = _worker_seed(search.random_state, worker_id)
        sampler, pruner = _sampler_and_pruner(search, seed)
        optuna.create_study(
            storage=storage,
            study_name=study_name,
            direction="maximize",
            load_if_exists=True,
        )
        study = _ExactStudy(
            study_name,
            storage,
            sampler,
            pruner,
            n_trials=n_trials,
            poll=poll_interval,
            worker=_worker_name(worker_id),
            heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
            reconnect_timeout=reconnect_timeout,
        )
        params = search.get_params(deep=False)
        with warnings.catch_warnings():
            # The user was told when they made their OptunaSearchCV; not twice.
            warnings.simplefilter("ignore", ExperimentalWarning)
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


@validate_params(
    {
        "search": [HasMethods(["fit"])],
        "X": ["array-like"],
        "y": ["array-like", None],
        "storage": "no_validation",  # check_storage, after all the others
        "study_name": [str],
    },
    prefer_skip_nested_validation=False,
)
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
        :func:`run_distributed_search`) or holds no study ``study_name``, when
        an argument is out of its range (``InvalidParameterError``, naming
        it), and when ``X`` and ``y`` differ in length; all are checked
        before the storage is opened.

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
    check_lengths(X, y)
    with _opened(check_storage(storage, stored=True), _rdb_storage) as storage:
        best_params = _load_study(study_name, storage).best_params
    if isinstance(search, HyperbandSearchCV):
        estimator = epoch_estimator(search.estimator, search.max_epochs)
    elif isinstance(search, OptunaSearchCV):
        estimator = clone(search.estimator)
    else:
        estimator = clone(search)
    return estimator.set_params(**best_params).fit(X, y, **fit_params)


@contextlib.contextmanager
def _opened(storage, open_storage):
    """``open_storage(storage)``; closed after when ``storage`` is a URL.

    The connections an ``RDBStorage`` made here pools would otherwise stay
    open until the garbage collector deletes them, each warning
    (``ResourceWarning``) in whatever code runs at that moment. A disposed
    engine opens new ones if the study is read again.
    """
    opened = open_storage(storage)
    try:
        yield opened
    finally:
        if isinstance(storage, str):
            opened.engine.dispose()


def _rdb_storage(storage):
    if isinstance(storage, str):
        return optuna.storages.RDBStorage(storage)
    return storage


def _load_study(study_name, storage):
    try:
        return optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:
        names = optuna.get_all_study_names(storage)
        raise ValueError(
            f"storage={shown_storage(storage)} holds no study named {study_name!r}; "
            f"its studies are {names}."
        ) from None
