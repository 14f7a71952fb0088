"""scikit-learn's private helpers, imported in this one module.

skvision follows scikit-learn's own conventions (parameter constraints,
``_fit_context``), whose tools are private; a scikit-learn release that moves
them then breaks this file only (Keras' wrappers do the same in
``keras/src/wrappers/fixes.py``).
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import _check_method_params, _check_y

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "_check_method_params",
    "_check_y",
    "_fit_context",
    "_safe_indexing",
    "validate_params",
]
