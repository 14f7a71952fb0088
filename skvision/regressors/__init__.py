"""Image regressors: dense and convolutional networks with a linear output."""

from ._conv import ConvNetRegressor
from ._dense import DenseNetRegressor

__all__ = ["ConvNetRegressor", "DenseNetRegressor"]
