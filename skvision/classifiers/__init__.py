"""Image classifiers: dense and convolutional networks."""

from ._conv import ConvNetClassifier
from ._dense import DenseNetClassifier

__all__ = ["ConvNetClassifier", "DenseNetClassifier"]
