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

Design: ``HyperbandSearchCV`` is a real subclass of ``OptunaSearchCV``, not a
wrapper of one. Users and :func:`run_distributed_search` take it for one
(``isinstance``, ``best_params_``, ``trials_``, ``predict``, ``score``), and
its fitted state is exactly what ``OptunaSearchCV.fit`` sets on ``self``:
nothing is copied from an inner search. It departs from its parent in two
marked places only: ``__init__`` stores its own arguments, in epochs
(scikit-learn's convention; the parent's validates and warns), with
``enable_pruning`` and ``max_iter`` as read-only properties; and ``fit``
shows ``OptunaSearchCV.fit`` the estimator, folds, study and seed that
Hyperband derives from the user's, for the duration of the call.
"""

import copy
import time
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import optuna
from optuna_integration import OptunaSearchCV
from sklearn.base import clone, is_classifier
from sklearn.metrics import get_scorer_names
from sklearn.utils import get_tags

from .._fixes import HasMethods, Interval, StrOptions
from ._arguments import check_distributions, check_lengths, integers, positive_numbers
from ._failures import check_a_trial_completed, describe_first_failure
from ._pruning import (
    PRUNER_CONSTRAINTS,
    check_fit_params,
    deterministic_cv,
    draw_search_seed,
    epoch_estimator,
    make_hyperband_pruner,
    pruner_settings,
)
from ._storage import check_study


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

    :func:`hyperband_search` builds the same search as a function.

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
        of its trials. This and the next three parameters make the pruner,
        with :func:`make_hyperband_pruner`.
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
        Seeds the folds, the sampler and the subsample, through one seed
        drawn as skvision's estimators draw theirs (a ``RandomState``
        instance is not advanced).
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
    make_hyperband_pruner : Its pruner.
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
    trials to reach a rung have few rivals and are promoted, so with tens of
    trials the patient brackets train many of them to the end. Fewer
    ``n_brackets`` and a ``bootstrap_count`` prune more; the user guide
    ("Hyperparameter search with pruning") has measurements. A search whose
    every trial was pruned raises a ``ValueError``: there is no best trial
    to refit. So does one whose trials failed (a fold whose ``partial_fit``
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
        **PRUNER_CONSTRAINTS,
        "estimator": [HasMethods(["fit", "partial_fit"])],
        "param_distributions": [dict],  # of optuna distributions
        "n_trials": [integers(1), None],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "refit": ["boolean"],
        "error_score": [StrOptions({"raise"}), Real],
        "return_train_score": ["boolean"],
        "subsample": [Interval(Real, 0, 1, closed="right"), integers(1)],
        "timeout": [positive_numbers(), None],
        "n_jobs": [Integral],
        "study": "no_validation",  # check_study: a hint for a storage URL
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "catch": [tuple, list, type],
    }

    # Not OptunaSearchCV.__init__, which validates, warns and takes
    # enable_pruning and max_iter: like any scikit-learn estimator this one only
    # stores its own arguments (validated in fit).
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

    @property
    def enable_pruning(self):
        """True: what ``OptunaSearchCV.fit`` reads to prune epoch by epoch."""
        return True

    @property
    def max_iter(self):
        """``max_epochs``: what ``OptunaSearchCV.fit`` reads as a trial's steps."""
        return self.max_epochs

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
            For a parameter out of its range (``InvalidParameterError``,
            naming it), ``X``, ``y`` and ``groups`` of different lengths,
            ``sample_weight`` or other per-sample fit parameters, a splitter
            that shuffles without an int ``random_state``, or when no trial
            completed (pruned or failed; the message quotes the first
            failure's error). All but the last are checked before any trial.
        TypeError
            When ``study`` is not an ``optuna.Study`` (e.g. a storage URL), or
            ``param_distributions`` holds something other than Optuna
            distributions.
        """
        self._check_arguments()
        check_lengths(X, y, groups)
        check_fit_params(fit_params, len(X))
        seed = draw_search_seed(self.random_state)
        study = self._new_study(seed) if self.study is None else self.study
        estimator = epoch_estimator(self.estimator, self.max_epochs)
        cv = deterministic_cv(
            self.cv, y, classifier=is_classifier(self.estimator), seed=seed
        )
        # OptunaSearchCV refits the estimator's defaults, logging an error,
        # when every trial was pruned; so it does not refit, and this refits
        # or raises below.
        settings = dict(estimator=estimator, cv=cv, study=study, random_state=seed)
        with _quiet_optuna_integration(), self._shown(**settings, refit=False):
            super().fit(X, y, groups=groups, **fit_params)
        check_a_trial_completed(
            study.trials,
            self.max_epochs,
            lambda failed: describe_first_failure(
                failed, self, X, y, groups=groups, fit_params=fit_params
            ),
        )
        if self.refit:
            start = time.perf_counter()
            self.best_estimator_ = clone(estimator).set_params(**study.best_params)
            self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - start
        return self

    def _check_arguments(self):
        """The parameters, as scikit-learn checks them, and the distributions."""
        self._validate_params()
        check_distributions(self.param_distributions)
        check_study(self.study)

    def _new_study(self, seed):
        """An in-memory study with a seeded TPE sampler and this search's pruner."""
        pruner = make_hyperband_pruner(**pruner_settings(self))
        # Hyperband puts trials in brackets by a hash of study name and trial
        # number; a fixed name makes a seeded search repeatable.
        return optuna.create_study(
            study_name=f"skvision-hyperband-{seed}",
            direction="maximize",
            sampler=optuna.samplers.TPESampler(seed=seed),
            pruner=pruner,
        )

    @contextmanager
    def _shown(self, **settings):
        """Show ``OptunaSearchCV.fit`` these values of its parameters.

        ``OptunaSearchCV.fit`` has no hooks: it reads its settings from
        ``self``. These are the ones Hyperband derives from the user's; the
        user's are put back when the block ends or raises, so ``get_params()``
        is the same after ``fit`` (only a callback reading the search during
        ``fit`` would see the derived ones).
        """
        saved = {name: getattr(self, name) for name in settings}
        vars(self).update(settings)
        try:
            yield
        finally:
            vars(self).update(saved)


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


def hyperband_search(estimator, param_distributions, *, max_epochs, **kwargs):
    """Make a :class:`HyperbandSearchCV`, whose docstring has the parameters.

    ``hyperband_search(estimator, space, max_epochs=k, **kwargs)`` is
    ``HyperbandSearchCV(estimator, space, max_epochs=k, **kwargs)``, except
    that ``max_epochs`` has no default here.

    Returns
    -------
    search : HyperbandSearchCV
        The unfitted search.

    Raises
    ------
    ValueError
        When an argument is out of its range (scikit-learn's
        ``InvalidParameterError``, naming it); checked here, not at ``fit``.
    TypeError
        When ``param_distributions`` holds something other than Optuna
        distributions, or ``study`` is not an ``optuna.Study``.

    Examples
    --------
    >>> from skvision import DenseNetClassifier
    >>> from skvision.model_selection import dense_search_space, hyperband_search
    >>> net, space = dense_search_space(DenseNetClassifier(batch_size=64))
    >>> search = hyperband_search(net, space, max_epochs=27, random_state=0)
    >>> search.max_epochs, search.reduction_factor
    (27, 3)
    """
    search = HyperbandSearchCV(
        estimator, param_distributions, max_epochs=max_epochs, **kwargs
    )
    search._check_arguments()  # a function checks its arguments when called
    return search
