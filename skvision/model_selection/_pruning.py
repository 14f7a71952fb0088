"""What a search pruned epoch by epoch needs: fixed folds, epochs, a pruner.

Used by :class:`HyperbandSearchCV` and :func:`run_distributed_search`, and
public so that an ``OptunaSearchCV(enable_pruning=True)`` built by hand can
use them too.
"""

import warnings
from numbers import Integral

import optuna
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils.multiclass import type_of_target

from .._fixes import validate_params
from ._arguments import integers


def draw_search_seed(random_state):
    """The int seed of a search's folds, sampler and subsample.

    It is :func:`skvision._random.draw_seed`, the seed every skvision
    estimator draws: equal states give equal seeds, and a ``RandomState``
    instance is not advanced. That module loads Keras, so it is imported on
    the first ``fit`` (where a network's search has loaded it anyway), not
    with this package.
    """
    from .._random import draw_seed

    return draw_seed(random_state)


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
    if params.get("learning_rate") == "adaptive" and _is_network(estimator):
        updates["learning_rate"] = "constant"
    return estimator.set_params(**updates)


def _is_network(estimator):
    """Whether ``estimator`` is a skvision network (a ``KerasEstimator``)."""
    # Only a class built on one of skvision's can be; the others (an
    # SGDClassifier's "adaptive" means something else) skip importing
    # skvision._base, which loads Keras.
    if not any(cls.__module__.startswith("skvision.") for cls in type(estimator).mro()):
        return False
    from .._base import KerasEstimator

    return isinstance(estimator, KerasEstimator)


# The pruner's parameters, which HyperbandSearchCV shares.
PRUNER_CONSTRAINTS = {
    "max_epochs": [integers(1)],
    "min_epochs": [integers(1)],
    "reduction_factor": [integers(2)],
    "n_brackets": [integers(1), None],
    "bootstrap_count": [integers(0)],
}


def pruner_settings(search):
    """The arguments of :func:`make_hyperband_pruner` among ``search``'s parameters."""
    return {name: getattr(search, name) for name in PRUNER_CONSTRAINTS}


@validate_params(PRUNER_CONSTRAINTS, prefer_skip_nested_validation=True)
def make_hyperband_pruner(
    max_epochs, *, min_epochs=1, reduction_factor=3, n_brackets=None, bootstrap_count=0
):
    """Optuna's ``HyperbandPruner`` for a search that reports once per epoch.

    The pruner of :class:`HyperbandSearchCV` and of
    :func:`run_distributed_search`; give it to
    ``optuna.create_study(pruner=...)`` to prune an ``OptunaSearchCV(
    enable_pruning=True, max_iter=max_epochs)`` the same way.

    Parameters
    ----------
    max_epochs : int
        Epochs of a trial that is never pruned.
    min_epochs : int, default=1
        Hyperband's smallest resource, in epochs.
    reduction_factor : int, default=3
        Hyperband's ``eta``: a rung promotes the best ``1/reduction_factor``
        of its trials.
    n_brackets : int or None, default=None
        Keep only Hyperband's ``n_brackets`` most aggressive brackets (the
        ones that judge trials earliest); None keeps all
        ``floor(log(max_epochs / min_epochs, reduction_factor)) + 1``, and 1
        is asynchronous successive halving (ASHA).
    bootstrap_count : int, default=0
        Prune the first ``bootstrap_count`` trials to reach each rung (of each
        bracket) there, instead of promoting them for lack of rivals.

    Returns
    -------
    pruner : optuna.pruners.HyperbandPruner

    Raises
    ------
    ValueError
        When ``min_epochs`` exceeds ``max_epochs``, or a parameter is out of
        its range.

    Warns
    -----
    UserWarning
        When a rung falls on the last epoch (optuna-integration reports epoch
        ``k`` as step ``k - 1``), so that a trial can be pruned after training
        all its epochs; ``max_epochs = min_epochs * reduction_factor ** k``
        avoids that.

    See Also
    --------
    HyperbandSearchCV : The search that uses it.

    Examples
    --------
    >>> import optuna
    >>> from skvision.model_selection import make_hyperband_pruner
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> pruner = make_hyperband_pruner(27, n_brackets=1, bootstrap_count=1)
    >>> type(pruner).__name__
    'HyperbandPruner'
    >>> study = optuna.create_study(direction="maximize", pruner=pruner)
    """
    if min_epochs > max_epochs:
        raise ValueError(
            f"min_epochs={min_epochs} is larger than max_epochs={max_epochs}."
        )
    rung = min_epochs
    while rung < max_epochs - 1:
        rung *= reduction_factor
    if rung == max_epochs - 1:
        warnings.warn(
            f"With min_epochs={min_epochs} and reduction_factor={reduction_factor}, "
            f"a Hyperband rung falls on the last of max_epochs={max_epochs} epochs "
            "(optuna-integration reports epoch k as step k - 1), so trials can be "
            "pruned after training every epoch. Use max_epochs = min_epochs * "
            f"reduction_factor ** k, e.g. {rung} or {rung * reduction_factor}.",
            UserWarning,
            stacklevel=3,  # the caller of validate_params' wrapper
        )
    # Optuna derives the number of brackets from max_resource alone (the rungs
    # of each bracket go on to the trial's last step), so capping max_resource
    # keeps the most aggressive brackets.
    max_resource = max_epochs
    if n_brackets is not None:
        max_resource = min(
            max_resource, min_epochs * reduction_factor ** (n_brackets - 1)
        )
    return optuna.pruners.HyperbandPruner(
        min_resource=min_epochs,
        max_resource=max_resource,
        reduction_factor=reduction_factor,
        bootstrap_count=bootstrap_count,
    )


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
