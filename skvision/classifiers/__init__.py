"""Image classifiers: dense and convolutional networks."""

from ._dense import DenseNetClassifier

__all__ = ["DenseNetClassifier"]
