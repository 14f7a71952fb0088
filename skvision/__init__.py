"""Keras image networks as first-class scikit-learn estimators."""

import os as _os

# TensorFlow prints C++ start-up logs on import unless told otherwise; a level
# the user chose is kept.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from .classifiers import DenseNetClassifier  # noqa: E402

__all__ = ["DenseNetClassifier", "__version__"]
__version__ = "0.1.0"
