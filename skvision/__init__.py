"""Keras image networks as first-class scikit-learn estimators."""

import importlib
import os as _os

# TensorFlow prints C++ start-up logs on import unless told otherwise; a level
# the user chose is kept.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"

from ._layer_sizes import LayerSizes  # noqa: E402

# Estimators load Keras (seconds); `skvision.datasets` and `skvision.metrics`
# must not pay for that, so the public names resolve on first use (PEP 562).
_LAZY = {
    "BackboneClassifier": "skvision.transfer",
    "BackboneFeatures": "skvision.transfer",
    "ConvAutoencoder": "skvision.autoencoders",
    "ConvNetClassifier": "skvision.classifiers",
    "DenseAutoencoder": "skvision.autoencoders",
    "ConvNetRegressor": "skvision.regressors",
    "DenseNetClassifier": "skvision.classifiers",
    "DenseNetRegressor": "skvision.regressors",
    "EmbeddingNet": "skvision.embedding",
    "KerasClassifier": "skvision.wrappers",
    "KerasRegressor": "skvision.wrappers",
    "load": "skvision._persistence",
}

__all__ = [*_LAZY, "LayerSizes", "__version__"]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'skvision' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
