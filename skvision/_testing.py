"""Tiny Keras backbones for the tests of the transfer estimators.

They live in the package, unlike the tests' other helpers, because estimators
holding them are pickled (scikit-learn's common checks, joblib workers), and
pickle finds a class or function by its importable module: ``tests/`` is not
a package.
"""


def tiny_backbone(image_shape, dtype="float64"):
    """A backbone of one 1x1 convolution (8 filters), for fast tests.

    A builder for ``BackboneClassifier(backbone=...)``: it takes the images'
    ``(height, width, channels)`` and reads any size.
    """
    from ._keras import keras

    return keras.Sequential(
        [
            keras.Input((None, None, image_shape[2]), dtype=dtype),
            keras.layers.Conv2D(8, 1, activation="relu", dtype=dtype, name="conv"),
        ],
        name="tiny",
    )


class TinyBackbone:
    """:func:`tiny_backbone` as a builder whose repr is stable across processes.

    Test ids contain the estimators' reprs, which must be equal in every
    pytest-xdist worker; a function's repr holds its memory address.
    """

    def __call__(self, image_shape):
        return tiny_backbone(image_shape)

    def __repr__(self):
        return "TinyBackbone()"
