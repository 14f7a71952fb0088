"""Autoencoders as scikit-learn transformers: dense and convolutional."""

from ._conv import ConvAutoencoder
from ._dense import DenseAutoencoder

__all__ = ["ConvAutoencoder", "DenseAutoencoder"]
