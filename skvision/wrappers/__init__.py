"""Any Keras model, or a function building one, as a scikit-learn estimator."""

from ._classifier import KerasClassifier
from ._regressor import KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor"]
