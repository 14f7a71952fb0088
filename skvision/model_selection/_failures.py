"""Why a search has no best trial: pruned trials, or failed ones and their error."""

import warnings

import numpy as np
import optuna
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from .._fixes import _check_method_params, _safe_indexing
from ._pruning import epoch_estimator

# User attribute of the trials a distributed worker fails unrun (they lost the
# race for the last place); they are not failures of the objective.
SURPLUS_ATTR = "skvision_surplus"


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


def check_a_trial_completed(trials, max_epochs, describe_failure):
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
            if search.enable_pruning:
                if classifier and y is not None:
                    fit_params = {"classes": np.unique(y), **fit_params}
                estimator.partial_fit(X_train, y_train, **fit_params)
            else:
                fit_params = _check_method_params(X, fit_params, train)
                estimator.fit(X_train, y_train, **fit_params)
    except Exception as error:
        return error
    return None
