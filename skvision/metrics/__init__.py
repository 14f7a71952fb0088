"""Metrics of the studies: Fréchet distances, reconstruction errors, the
calibration of a classifier's probabilities and the classes it confuses.

Importing this module does not load Keras.
"""

from ._calibration import expected_calibration_error
from ._confusion import most_confused
from ._fid import fid_score, frechet_distance
from ._reconstruction import reconstruction_error

__all__ = [
    "expected_calibration_error",
    "fid_score",
    "frechet_distance",
    "most_confused",
    "reconstruction_error",
]
