"""Metrics of the autoencoder studies: Fréchet distances and reconstruction errors.

Importing this module does not load Keras.
"""

from ._fid import fid_score, frechet_distance
from ._reconstruction import reconstruction_error

__all__ = ["fid_score", "frechet_distance", "reconstruction_error"]
