"""Hyperband over epochs: OptunaSearchCV with pruning, made safe for networks.

optuna-integration's ``OptunaSearchCV(enable_pruning=True)`` trains each
fold's estimator with one ``partial_fit`` call per step, reports the mean fold
score after every step and lets the study's pruner stop the trial. For
skvision networks one ``partial_fit`` is one epoch, so an Optuna
``HyperbandPruner`` over ``max_iter`` steps is Hyperband over epochs. Three
things have to hold for that to be sound, and :class:`HyperbandSearchCV`
enforces them:

- the folds are the same at every step: ``OptunaSearchCV`` calls
  ``cv.split`` again for each epoch, so a shuffling splitter without an int
  ``random_state`` would train every epoch on other samples;
- per-sample fit parameters are not sliced per fold on that path, so
  ``sample_weight`` is refused (``class_weight`` does the same job);
- the refit of the best trial trains as many epochs as the search scored.
"""

import copy
import sys
import time
import warnings
from contextlib import contextmanager
from numbers import Integral

import numpy as np
import optuna
from optuna_integration import OptunaSearchCV
from sklearn.base import clone, is_classifier
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing, check_random_state, get_tags
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_method_params

from ._storage import check_study

# What OptunaSearchCV.fit sets (refit aside); copied from the inner search.
_FITTED = (
    "study_",
    "n_splits_",
    "sample_indices_",
    "scorer_",
)

# User attribute of the trials a distributed worker fails unrun (they lost the
# race for the last place); they are not failures of the objective.
SURPLUS_ATTR = "skvision_surplus"


def deterministic_cv(cv, y=None, *, classifier=False, seed=None):
    """A splitter that gives the same folds at every call of ``split``.

    Parameters
    ----------
    cv : int, cross-validation generator or iterable
        An int gives a shuffled, seeded ``StratifiedKFold`` (classifiers with
        binary or multiclass ``y``) or ``KFold``. A splitter that shuffles
        must have an int ``random_state``.
    y : array-like, default=None
        Targets, to choose stratification.
    classifier : bool, default=False
        Whether the estimator is a classifier.
    seed : int or None, default=None
        ``random_state`` of the splitter made for an int ``cv``; None keeps
        the samples in order (no shuffle).

    Returns
    -------
    cv : cross-validation generator

    Raises
    ------
    ValueError
        If ``cv`` shuffles without an int ``random_state``.

    Examples
    --------
    >>> from sklearn.model_selection import KFold
    >>> from skvision.model_selection import deterministic_cv
    >>> deterministic_cv(3, [0, 1, 0, 1, 0, 1], classifier=True, seed=0)
    StratifiedKFold(n_splits=3, random_state=0, shuffle=True)
    >>> deterministic_cv(KFold(3, shuffle=True))
    Traceback (most recent call last):
    ...
    ValueError: KFold(n_splits=3, random_state=None, shuffle=True) shuffles with...
    """
    if isinstance(cv, Integral) and not isinstance(cv, bool):
        stratify = (
            classifier
            and y is not None
            and type_of_target(y) in ("binary", "multiclass")
        )
        splitter = StratifiedKFold if stratify else KFold
        if seed is None:
            return splitter(cv)
        return splitter(cv, shuffle=True, random_state=int(seed))
    cv = check_cv(cv, y, classifier=classifier)
    shuffles = hasattr(cv, "random_state") and getattr(cv, "shuffle", True)
    if shuffles and not isinstance(cv.random_state, Integral):
        raise ValueError(
            f"{cv!r} shuffles with random_state={cv.random_state!r}, so each call of "
            "split() gives other folds, and a pruned search calls it at every "
            "epoch. Give it an int random_state (or pass cv as an int)."
        )
    return cv


def epoch_estimator(estimator, max_epochs):
    """A clone of ``estimator`` whose ``fit`` trains exactly ``max_epochs`` epochs.

    ``max_iter`` is set to ``max_epochs`` and ``early_stopping`` to False. For
    skvision networks, ``learning_rate="adaptive"`` becomes ``"constant"``:
    its reduce-on-plateau callback starts afresh at each ``partial_fit`` (one
    epoch), so it never acts during a pruned search but would during the
    refit. Epoch-indexed schedules (a dict or a callable) behave the same in
    both and are kept.

    Parameters
    ----------
    estimator : estimator
        Estimator with ``partial_fit``.
    max_epochs : int
        Epochs of the refit.

    Returns
    -------
    estimator : estimator
        A new, unfitted estimator.

    Examples
    --------
    >>> from skvision import DenseNetClassifier
    >>> from skvision.model_selection import epoch_estimator
    >>> net = epoch_estimator(DenseNetClassifier(), 9)
    >>> net.max_iter, net.early_stopping, net.learning_rate
    (9, False, 'constant')
    """
    estimator = clone(estimator)
    params = estimator.get_params(deep=False)
    updates = {}
    if "max_iter" in params:
        updates["max_iter"] = max_epochs
    if "early_stopping" in params:
        updates["early_stopping"] = False
    if _is_network(estimator) and params.get("learning_rate") == "adaptive":
        updates["learning_rate"] = "constant"
    return estimator.set_params(**updates)


def _is_network(estimator):
    # A skvision network has loaded skvision._base; checking sys.modules keeps
    # this module from importing Keras for other estimators.
    base = sys.modules.get("skvision._base")
    return base is not None and isinstance(estimator, base.KerasEstimator)


def check_fit_params(fit_params, n_samples):
    """Refuse per-sample fit parameters, which pruned folds would not slice."""
    if "sample_weight" in fit_params:
        raise ValueError(
            "A pruned search cannot use sample_weight: OptunaSearchCV gives each "
            "fold's partial_fit the weights of all samples, not of the fold's. "
            "Weight the classes with the estimator's class_weight instead, e.g. "
            "class_weight='balanced'."
        )
    per_sample = [
        name
        for name, value in fit_params.items()
        if getattr(value, "shape", (None,))[:1] == (n_samples,)
        or (isinstance(value, list | tuple) and len(value) == n_samples)
    ]
    if per_sample:
        raise ValueError(
            f"A pruned search cannot use the per-sample fit parameters {per_sample}: "
            "OptunaSearchCV passes them unsliced to each fold's partial_fit."
        )


class HyperbandSearchCV(OptunaSearchCV):
    """Hyperband search over epochs: Optuna's TPE sampler and ``HyperbandPruner``.

    A thin :class:`optuna_integration.OptunaSearchCV` with
    ``enable_pruning=True`` and ``max_iter=max_epochs``: every trial trains
    one network per fold, one epoch (one ``partial_fit``) per step, reports
    the mean fold score after each epoch (``study_.trials[i].
    intermediate_values[epoch - 1]``) and stops when the
    ``HyperbandPruner(min_resource=min_epochs, max_resource=max_epochs,
    reduction_factor=reduction_factor)`` prunes it.

    It fixes the pitfalls of that set-up: an int ``cv`` becomes a shuffled,
    seeded (stratified) K-fold, so every epoch sees the same folds, and a
    shuffling splitter without an int ``random_state`` is refused;
    ``sample_weight`` is refused (see Raises); and the best trial is refit
    for exactly ``max_epochs`` epochs (``best_estimator_.n_iter_ ==
    max_epochs``) with :func:`epoch_estimator`'s settings.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        Usually a skvision network; trained with ``max_iter=max_epochs``,
        ``early_stopping=False`` and an ``"adaptive"`` learning rate made
        ``"constant"`` (see :func:`epoch_estimator`).
    param_distributions : dict
        ``{name: optuna distribution}``, e.g. from :func:`dense_search_space`.
    max_epochs : int, default=27
        Epochs of a trial that is never pruned, and of the refit.
    n_trials : int or None, default=30
        Number of trials; None runs until ``timeout``.
    cv : int, cross-validation generator or iterable, default=3
        Folds; see :func:`deterministic_cv`.
    reduction_factor : int, default=3
        Hyperband's ``eta``: a rung promotes the best ``1/reduction_factor``
        of its trials.
    min_epochs : int, default=1
        Hyperband's smallest resource, in epochs.
    n_brackets : int or None, default=None
        Keep only Hyperband's ``n_brackets`` most aggressive brackets (the
        ones that judge trials earliest). None keeps all
        ``floor(log(max_epochs / min_epochs, reduction_factor)) + 1`` of
        them, as in the Hyperband paper; 1 is asynchronous successive
        halving (ASHA). Fewer brackets prune more; see Notes.
    bootstrap_count : int, default=0
        Prune the first ``bootstrap_count`` trials to reach each rung (of
        each bracket) there. A trial is judged against those that reached
        its rung before it, so otherwise the first arrivals, having few
        rivals, are promoted; see Notes.
    scoring : str or callable, default=None
        Scorer; None uses the estimator's ``score``.
    refit : bool, default=True
        Refit the best trial's parameters on all the data.
    error_score : "raise" or float, default=np.nan
        Fold score when a fit fails.
    return_train_score : bool, default=False
        Also record training scores.
    subsample : float or int, default=1.0
        Fraction (or number) of samples used by the search.
    timeout : float or None, default=None
        Seconds after which no new trial starts.
    n_jobs : int, default=1
        Threads running trials.
    study : optuna.study.Study or None, default=None
        Study to run (its sampler and pruner are used as they are); None
        makes an in-memory study with a seeded ``TPESampler`` and the
        ``HyperbandPruner`` above at each ``fit``. For a study in a database,
        pass ``optuna.create_study(storage=url, direction="maximize")``, not
        the URL, or use :func:`run_distributed_search`.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the sampler and the subsample.
    verbose : int, default=0
        Verbosity of the search.
    callbacks : list of callable or None, default=None
        Called as ``callback(study, frozen_trial)`` after each trial.
    catch : tuple of Exception types, default=()
        Exceptions that fail a trial without stopping the search.

    Attributes
    ----------
    best_estimator_ : estimator
        The best trial's estimator, refit on all data for ``max_epochs``.
    best_params_ : dict
        Parameters of the best completed trial.
    best_score_ : float
        Its mean cross-validated score after ``max_epochs`` epochs.
    study_ : optuna.study.Study
        The study; pruned trials have state ``PRUNED`` and fewer
        ``intermediate_values`` than ``max_epochs``.
    trials_ : list of optuna.trial.FrozenTrial
        All trials.
    cv_results_ : dict
        Per-trial results, as in ``OptunaSearchCV``; see
        :func:`search_results_frame` for a table.
    n_splits_ : int
        Number of folds.
    refit_time_ : float
        Seconds spent refitting.
    scorer_ : callable
        The scorer used.

    Raises
    ------
    ValueError
        From ``fit``: for ``sample_weight`` (OptunaSearchCV's pruned path
        gives each fold's ``partial_fit`` the weights of all samples; use the
        estimator's ``class_weight``) or other per-sample fit parameters, for
        a shuffling splitter without an int ``random_state``, and when no
        trial completed (see Notes).
    TypeError
        From ``fit``: when ``study`` is not an ``optuna.Study``, e.g. a
        storage URL.

    See Also
    --------
    hyperband_search : The same, as a function.
    dense_search_space : The dense study's space.
    run_distributed_search : Several processes sharing one study.

    Notes
    -----
    Pruned trials never reach ``max_epochs``, so only completed trials can be
    best, and their score is the one of a ``max_epochs``-epoch network, which
    the refit reproduces. optuna-integration reports the score after epoch
    ``k`` as step ``k - 1``, and the pruner's rungs are at steps
    ``min_epochs * reduction_factor ** i``: with the defaults a trial is
    judged after 2, 4 and 10 epochs. ``max_epochs = min_epochs *
    reduction_factor ** k`` (9, 27, 81, ...) keeps every rung before the last
    epoch; ``fit`` warns when one falls on it.

    Hyperband splits the trials into ``floor(log(max_epochs / min_epochs,
    reduction_factor)) + 1`` brackets of increasing patience; the most
    patient never prunes. Optuna's Hyperband is asynchronous: the first
    trials to reach a rung have few rivals and are promoted. So with tens of
    trials the patient brackets train many of them to the end. Searching
    30 trials of 27 epochs on 20,000 MNIST images
    (``benchmarks/bench_search.py``), ``n_brackets=1`` (ASHA) trained 29 %
    of the unpruned search's epochs, with a best score 0.28 point under its
    best; on 6,000 images all four brackets trained 44 %.
    ``bootstrap_count=1`` prunes the first trial to reach each rung instead
    of promoting it: ASHA then trained 23 %, 0.04 point under; but on 6,000
    images with another seed it pruned all 30 trials. A search whose every
    trial was pruned raises a ``ValueError``: there is no best trial to
    refit. So does one whose trials failed (a fold whose ``partial_fit``
    raises scores ``error_score``, and a trial of nan scores fails); as
    Optuna does not keep the error, the message quotes the one that one
    epoch of the first failed trial's parameters raises on its first fold.
    Each trial trains one network per fold.

    Examples
    --------
    >>> import optuna
    >>> from sklearn.datasets import load_digits
    >>> from skvision import DenseNetClassifier
    >>> from skvision.model_selection import HyperbandSearchCV
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> X, y = load_digits(return_X_y=True)
    >>> net = DenseNetClassifier(hidden_layer_sizes=(16,), batch_size=64)
    >>> space = {"learning_rate_init": optuna.distributions.FloatDistribution(
    ...     1e-3, 1e-1, log=True)}
    >>> search = HyperbandSearchCV(net, space, max_epochs=3, n_trials=2, cv=2,
    ...                            random_state=0).fit(X[:300] / 16, y[:300])
    >>> search.best_estimator_.n_iter_
    3
    >>> [len(t.intermediate_values) <= 3 for t in search.trials_]
    [True, True]
    """

    _parameter_constraints = {
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "reduction_factor": [Interval(Integral, 2, None, closed="left")],
        "min_epochs": [Interval(Integral, 1, None, closed="left")],
        "n_brackets": [Interval(Integral, 1, None, closed="left"), None],
        "bootstrap_count": [Interval(Integral, 0, None, closed="left")],
        "n_trials": [Interval(Integral, 1, None, closed="left"), None],
        "n_jobs": [Integral],
        "refit": ["boolean"],
        "random_state": ["random_state"],
    }

    # OptunaSearchCV.__init__ validates and warns; like any scikit-learn
    # estimator this one only stores its arguments (validated in fit).
    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        max_epochs=27,
        n_trials=30,
        cv=3,
        reduction_factor=3,
        min_epochs=1,
        n_brackets=None,
        bootstrap_count=0,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=False,
        subsample=1.0,
        timeout=None,
        n_jobs=1,
        study=None,
        random_state=None,
        verbose=0,
        callbacks=None,
        catch=(),
    ):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.max_epochs = max_epochs
        self.n_trials = n_trials
        self.cv = cv
        self.reduction_factor = reduction_factor
        self.min_epochs = min_epochs
        self.n_brackets = n_brackets
        self.bootstrap_count = bootstrap_count
        self.scoring = scoring
        self.refit = refit
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.subsample = subsample
        self.timeout = timeout
        self.n_jobs = n_jobs
        self.study = study
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.catch = catch

    def __sklearn_tags__(self):
        # Like scikit-learn's searches, be what the estimator is: a search of a
        # classifier is a classifier (stratified folds in cross_validate, ...).
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = copy.deepcopy(inner.classifier_tags)
        tags.regressor_tags = copy.deepcopy(inner.regressor_tags)
        tags.input_tags = copy.deepcopy(inner.input_tags)
        return tags

    def _make_pruner(self):
        """The ``HyperbandPruner`` of this search."""
        if self.min_epochs > self.max_epochs:
            raise ValueError(
                f"min_epochs={self.min_epochs} is larger than "
                f"max_epochs={self.max_epochs}."
            )
        rung = self.min_epochs
        while rung < self.max_epochs - 1:
            rung *= self.reduction_factor
        if rung == self.max_epochs - 1:
            warnings.warn(
                f"With min_epochs={self.min_epochs} and reduction_factor="
                f"{self.reduction_factor}, a Hyperband rung falls on the last of "
                f"max_epochs={self.max_epochs} epochs (optuna-integration reports "
                "epoch k as step k - 1), so trials can be pruned after training "
                "every epoch. Use max_epochs = min_epochs * reduction_factor ** k, "
                f"e.g. {rung} or {rung * self.reduction_factor}.",
                UserWarning,
                stacklevel=3,
            )
        # Optuna derives the number of brackets from max_resource alone (the
        # rungs of each bracket go on to the trial's last step), so capping
        # max_resource keeps the most aggressive brackets.
        max_resource = self.max_epochs
        if self.n_brackets is not None:
            max_resource = min(
                max_resource,
                self.min_epochs * self.reduction_factor ** (self.n_brackets - 1),
            )
        return optuna.pruners.HyperbandPruner(
            min_resource=self.min_epochs,
            max_resource=max_resource,
            reduction_factor=self.reduction_factor,
            bootstrap_count=self.bootstrap_count,
        )

    def fit(self, X, y=None, groups=None, **fit_params):
        """Run the trials, then refit the best one for ``max_epochs`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training samples.
        y : array-like of shape (n_samples,), default=None
            Targets.
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter.
        **fit_params
            Other parameters of the estimator's ``partial_fit`` and ``fit``;
            no per-sample ones (see Raises).

        Returns
        -------
        self : HyperbandSearchCV
            The fitted search.

        Raises
        ------
        ValueError
            For ``sample_weight`` or other per-sample fit parameters, a
            splitter that shuffles without an int ``random_state``, or when
            no trial completed (pruned or failed; the message quotes the
            first failure's error).
        TypeError
            When ``study`` is not an ``optuna.Study`` (e.g. a storage URL).
        """
        self._validate_params()
        check_study(self.study)
        check_fit_params(fit_params, len(X))
        seed = int(check_random_state(self.random_state).randint(np.iinfo("int32").max))
        study = self.study
        if study is None:
            # Hyperband puts trials in brackets by a hash of study name and
            # trial number; a fixed name makes a seeded search repeatable.
            study = optuna.create_study(
                study_name=f"skvision-hyperband-{seed}",
                direction="maximize",
                sampler=optuna.samplers.TPESampler(seed=seed),
                pruner=self._make_pruner(),
            )
        with _quiet_optuna_integration():
            search = OptunaSearchCV(
                epoch_estimator(self.estimator, self.max_epochs),
                self.param_distributions,
                cv=deterministic_cv(
                    self.cv, y, classifier=is_classifier(self.estimator), seed=seed
                ),
                enable_pruning=True,
                error_score=self.error_score,
                max_iter=self.max_epochs,
                n_jobs=self.n_jobs,
                n_trials=self.n_trials,
                random_state=seed,
                # OptunaSearchCV refits the estimator's defaults, logging an
                # error, when every trial was pruned; so refit here, or raise.
                refit=False,
                return_train_score=self.return_train_score,
                scoring=self.scoring,
                study=study,
                subsample=self.subsample,
                timeout=self.timeout,
                verbose=self.verbose,
                callbacks=self.callbacks,
                catch=self.catch,
            )
            search.fit(X, y, groups=groups, **fit_params)
        for name in _FITTED:
            if hasattr(search, name):
                setattr(self, name, getattr(search, name))
        _check_a_trial_completed(
            study.trials,
            self.max_epochs,
            lambda failed: describe_first_failure(
                failed, self, X, y, groups=groups, fit_params=fit_params
            ),
        )
        if self.refit:
            start = time.perf_counter()
            self.best_estimator_ = clone(search.estimator).set_params(
                **study.best_params
            )
            self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - start
        return self


def is_failure(trial):
    """Whether a trial failed: FAIL, or pruned with every reported score nan.

    With a numeric ``error_score`` a fold whose ``partial_fit`` raises scores
    nan; when every fold does, the pruner may prune the trial on its nan
    scores before Optuna fails it for its nan value.
    """
    state = trial.state
    if state == optuna.trial.TrialState.FAIL:
        return not trial.user_attrs.get(SURPLUS_ATTR, False)
    values = list(trial.intermediate_values.values())
    return (
        state == optuna.trial.TrialState.PRUNED
        and bool(values)
        and bool(np.all(np.isnan(values)))
    )


def _counted(n, singular, plural):
    return f"{n} {singular if n == 1 else plural}"


def _check_a_trial_completed(trials, max_epochs, describe_failure):
    """Raise when no trial completed: there is no best trial.

    The message says why: pruning (advice to prune less), or failures (the
    error of the first, from ``describe_failure(failed_trials)``).
    """
    states = [trial.state for trial in trials]
    if optuna.trial.TrialState.COMPLETE in states:
        return
    failed = [trial for trial in trials if is_failure(trial)]
    n_pruned = states.count(optuna.trial.TrialState.PRUNED) - sum(
        trial.state == optuna.trial.TrialState.PRUNED for trial in failed
    )
    n_other = len(trials) - n_pruned - len(failed)
    counts = [
        _counted(n, singular, plural)
        for n, singular, plural in (
            (n_pruned, "was pruned", "were pruned"),
            (len(failed), "failed", "failed"),
            (n_other, "did not finish", "did not finish"),
        )
        if n
    ]
    summary = " and ".join(counts) or "none ran"
    head = f"No trial trained all max_epochs={max_epochs} epochs"
    if not n_pruned:
        head = "No trial completed"
    message = f"{head}: of {len(trials)} trials, {summary}, so there is no best trial."
    if failed:
        message += " " + describe_failure(failed)
    if n_pruned:
        message += (
            " Run more trials, or prune less (a smaller bootstrap_count, more "
            "n_brackets)."
        )
    elif not failed:
        message += " Run more trials, or give them more time (timeout)."
    raise ValueError(message)


def describe_first_failure(failed, search, X, y=None, *, groups=None, fit_params=None):
    """A sentence on the first failed trial: its parameters and its error.

    Optuna does not store why a trial failed, and ``OptunaSearchCV`` turns a
    fold's error into an ``error_score``. So the first trial's parameters are
    trained again the way its first fold was, for one epoch (one
    ``partial_fit`` for a pruned search, else ``fit`` with ``max_iter=1``),
    and the error it raises is quoted.

    Parameters
    ----------
    failed : list of optuna.trial.FrozenTrial
        The failed trials, first first.
    search : OptunaSearchCV or HyperbandSearchCV
        The search that ran them (its estimator, folds and pruning).
    X : array-like of shape (n_samples, ...)
        The samples searched on.
    y : array-like of shape (n_samples,), default=None
        Targets.
    groups : array-like of shape (n_samples,), default=None
        Group labels for the splitter.
    fit_params : dict or None, default=None
        Fit parameters given to the search.

    Returns
    -------
    sentence : str
    """
    trial = failed[0]
    head = f"The first, trial {trial.number} with parameters {trial.params},"
    error = _rerun_first_fold(trial.params, search, X, y, groups, fit_params or {})
    if error is None:
        return (
            f"{head} failed, but one epoch of these parameters on its first fold "
            "trained without error, so its error came later (e.g. a nan score) or "
            "from outside (a dead worker). Optuna's log names it; "
            "error_score='raise' raises it."
        )
    reason = str(error).strip() or "(no message)"
    if not reason.endswith((".", "!", "?")):
        reason += "."
    return (
        f"{head} failed with {type(error).__name__}: {reason} Fix the estimator or "
        "the search space (error_score='raise' raises such errors at once)."
    )


def _rerun_first_fold(params, search, X, y, groups, fit_params):
    """The exception of one epoch of ``params`` on the first fold, or None."""
    classifier = is_classifier(search.estimator)
    try:
        cv = check_cv(search.cv, y, classifier=classifier)
        train, _ = next(iter(cv.split(X, y, groups)))
        estimator = epoch_estimator(search.estimator, 1).set_params(**params)
        X_train = _safe_indexing(X, train)
        y_train = None if y is None else _safe_indexing(y, train)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if isinstance(search, HyperbandSearchCV) or search.enable_pruning:
                if classifier and y is not None:
                    fit_params = {"classes": np.unique(y), **fit_params}
                estimator.partial_fit(X_train, y_train, **fit_params)
            else:
                fit_params = _check_method_params(X, fit_params, train)
                estimator.fit(X_train, y_train, **fit_params)
    except Exception as error:
        return error
    return None


@contextmanager
def _quiet_optuna_integration():
    """Silence what optuna-integration says about its own internals.

    Nothing in these is for a HyperbandSearchCV user to act on: the
    ExperimentalWarning of ``OptunaSearchCV``, the FutureWarning of the
    ``optuna.terminator`` module it imports, and its warning at every trial
    that one hold-out split gives the terminator too few fold scores.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", "`optuna.terminator` module", FutureWarning)
        warnings.filterwarnings("ignore", "Failed to report cross validation")
        yield


def hyperband_search(
    estimator,
    param_distributions,
    *,
    max_epochs,
    n_trials=30,
    cv=3,
    reduction_factor=3,
    random_state=None,
    **kwargs,
):
    """A :class:`HyperbandSearchCV`: Hyperband over epochs with ``partial_fit``.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        Usually a skvision network.
    param_distributions : dict
        ``{name: optuna distribution}``.
    max_epochs : int
        Epochs of an unpruned trial and of the refit.
    n_trials : int, default=30
        Number of trials.
    cv : int, cross-validation generator or iterable, default=3
        Folds; see :func:`deterministic_cv`.
    reduction_factor : int, default=3
        Hyperband's ``eta``.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the sampler.
    **kwargs
        Other parameters of :class:`HyperbandSearchCV`.

    Returns
    -------
    search : HyperbandSearchCV
        The unfitted search.

    Examples
    --------
    >>> from skvision import DenseNetClassifier
    >>> from skvision.model_selection import dense_search_space, hyperband_search
    >>> net, space = dense_search_space(DenseNetClassifier(batch_size=64))
    >>> search = hyperband_search(net, space, max_epochs=27, n_trials=30,
    ...                           random_state=0)
    >>> search.max_epochs, search.reduction_factor
    (27, 3)
    """
    return HyperbandSearchCV(
        estimator,
        param_distributions,
        max_epochs=max_epochs,
        n_trials=n_trials,
        cv=cv,
        reduction_factor=reduction_factor,
        random_state=random_state,
        **kwargs,
    )
