"""Tiny Keras backbones and model builders for the tests.

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


def mlp(input_shape, n_outputs, units=32, output_activation="softmax"):
    """A user's model builder for the tests of ``KerasClassifier`` and
    ``KerasRegressor``: flatten what it is given, one hidden layer."""
    from ._keras import keras

    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(n_outputs, activation=output_activation),
        ]
    )


def residual_cnn(input_shape, n_outputs, filters=8):
    """A user's functional model that is not a chain: one residual block."""
    from ._keras import keras

    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.Add()([x, keras.layers.Conv2D(filters, 1)(inputs)])
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(n_outputs)(x))


class MLP:
    """:func:`mlp` (16 units, linear outputs by default) with a stable repr,
    like :class:`TinyBackbone`, for the estimator checks."""

    def __call__(self, input_shape, n_outputs, units=16, output_activation=None):
        return mlp(input_shape, n_outputs, units, output_activation)

    def __repr__(self):
        return "MLP()"
