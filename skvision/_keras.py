"""Keras and scikeras, imported once, with TensorFlow's start-up logs filtered
(:mod:`skvision._native_log`)."""

import logging
from contextlib import contextmanager

from ._native_log import filtered_native_stderr, min_log_level


class _RetracingFilter(logging.Filter):
    def filter(self, record):
        return "triggered tf.function retracing" not in record.getMessage()


@contextmanager
def no_retracing_warnings():
    """Drop TensorFlow's "N calls triggered tf.function retracing" warnings.

    Every skvision fit builds a new model with new train and predict functions,
    so a cross-validation or search traces each of them once, by design; that
    is not the retracing in a loop the warning is about.
    """
    retracing = _RetracingFilter()
    logger = logging.getLogger("tensorflow")
    logger.addFilter(retracing)
    try:
        yield
    finally:
        logger.removeFilter(retracing)


# scikeras imports TensorFlow too, so its parts that skvision uses come from here.
with filtered_native_stderr(min_log_level()):
    import keras
    from keras import activations, layers
    from scikeras.utils.random_state import tf_get_seed, tf_set_seed
    from scikeras.wrappers import BaseWrapper

__all__ = [
    "BaseWrapper",
    "activations",
    "keras",
    "layers",
    "no_retracing_warnings",
    "tf_get_seed",
    "tf_set_seed",
]
