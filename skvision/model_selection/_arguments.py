"""Argument checks of the searches, made before any storage or data is touched.

In scikit-learn's style (``_parameter_constraints``, ``validate_params``),
each error names the argument. Two things scikit-learn's constraints let
through are refused here: booleans where a number is expected
(``Interval(Integral, 1, None)`` takes ``n_trials=True`` for 1), and a
``param_distributions`` whose values are not Optuna distributions.
"""

from numbers import Integral, Real

from optuna.distributions import BaseDistribution
from sklearn.utils.validation import check_consistent_length

from .._fixes import Interval

__all__ = [
    "check_distributions",
    "check_lengths",
    "integers",
    "positive_numbers",
]


class _Numbers(Interval):
    """``Interval`` that refuses booleans (``True`` is no number of trials)."""

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)


def integers(low, high=None):
    """Ints from ``low`` (to ``high``, inclusive), booleans refused."""
    return _Numbers(Integral, low, high, closed="left" if high is None else "both")


def positive_numbers():
    """Numbers > 0 (ints or floats), booleans refused."""
    return _Numbers(Real, 0, None, closed="neither")


def check_distributions(param_distributions, name="param_distributions"):
    """Raise ``TypeError`` unless every value is an Optuna distribution."""
    wrong = {
        key: value
        for key, value in param_distributions.items()
        if not isinstance(value, BaseDistribution)
    }
    if wrong:
        key, value = next(iter(wrong.items()))
        raise TypeError(
            f"{name} must map parameter names to optuna distributions (e.g. "
            f"optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True)); "
            f"{key!r} maps to the {type(value).__name__} {value!r}."
        )


def check_lengths(X, y=None, groups=None):
    """scikit-learn's check that ``X``, ``y`` and ``groups`` (when given) hold
    as many samples, and its message."""
    check_consistent_length(*(a for a in (X, y, groups) if a is not None))
