"""Fully connected building blocks and the dense classifier network."""

from .._keras import keras, layers
from .._training import variable_dtype
from .params import offset_seed, positive_ints

ACTIVATIONS = ("relu", "leaky_relu", "elu", "selu", "gelu", "tanh")

# Initializers matched to the activation keep the signal's variance stable
# through deep stacks (He for the ReLU family, LeCun for SELU, Glorot for tanh).
_INITIALIZERS = {
    "relu": keras.initializers.HeNormal,
    "leaky_relu": keras.initializers.HeNormal,
    "elu": keras.initializers.HeNormal,
    "gelu": keras.initializers.HeNormal,
    "selu": keras.initializers.LecunNormal,
    "tanh": keras.initializers.GlorotUniform,
}


def initializer(activation, seed=None):
    """The kernel initializer matched to ``activation``."""
    return _INITIALIZERS[activation](seed=seed)


def activation_layer(activation, negative_slope=0.3, name=None, dtype=None):
    """Return the Keras layer applying ``activation``."""
    if activation == "leaky_relu":
        return layers.LeakyReLU(negative_slope=negative_slope, name=name, dtype=dtype)
    return layers.Activation(activation, name=name, dtype=dtype)


def weighted_block(
    layer,
    x,
    *,
    activation="relu",
    negative_slope=0.3,
    batch_normalization=False,
    l2=0.0,
    seed=None,
    name,
    dtype=None,
    normalization=layers.BatchNormalization,
    **options,
):
    """``layer(**options)`` -> [BatchNormalization] -> activation.

    The pattern of every hidden layer with weights (``layers.Dense``,
    ``layers.Conv2D``, ``layers.Conv2DTranspose``): its kernel initializer is
    matched to ``activation``, ``l2`` penalizes its kernel, and it has no bias
    before batch normalization, an instance of the ``normalization`` class.
    """
    x = layer(
        # A bias before batch normalization is cancelled by its centring.
        use_bias=not batch_normalization,
        kernel_initializer=initializer(activation, seed),
        kernel_regularizer=keras.regularizers.L2(l2) if l2 else None,
        name=name,
        dtype=dtype,
        **options,
    )(x)
    if batch_normalization:
        x = normalization(name=f"{name}_bn", dtype=dtype)(x)
    return activation_layer(activation, negative_slope, f"{name}_act", dtype)(x)


def dense_block(
    x, units, *, dropout=0.0, seed=None, name="dense", dtype=None, **layer_params
):
    """Dense -> [BatchNormalization] -> activation -> [Dropout].

    ``layer_params`` are :func:`weighted_block`'s ``activation``,
    ``negative_slope``, ``batch_normalization`` and ``l2``.
    """
    x = weighted_block(
        layers.Dense, x, units=units, seed=seed, name=name, dtype=dtype, **layer_params
    )
    if dropout:
        x = layers.Dropout(dropout, seed=seed, name=f"{name}_dropout", dtype=dtype)(x)
    return x


def dense_stack(x, hidden_layer_sizes, *, seed=None, **block_params):
    """Apply one :func:`dense_block` per entry of ``hidden_layer_sizes``."""
    for i, units in enumerate(hidden_layer_sizes):
        name = f"dense_{i}"
        x = dense_block(x, units, seed=offset_seed(seed, i), name=name, **block_params)
    return x


# The output layer's activation for each task, and the layer's name.
_OUTPUT_NAMES = {"softmax": "probabilities", "sigmoid": "probabilities"}


def output_layer(x, n_outputs, *, activation="softmax", seed=None, dtype=None):
    """The final layer: class probabilities (softmax), label probabilities
    (sigmoid) or regression targets (linear).

    Under a mixed-precision ``dtype`` it computes in float32, as Keras'
    mixed-precision guide asks of the last activation: probabilities that
    sum to 1 in float32, and a stable loss.
    """
    return layers.Dense(
        n_outputs,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        name=_OUTPUT_NAMES.get(activation, "predictions"),
        dtype=None if dtype is None else variable_dtype(dtype),
    )(x)


def network_head(
    x,
    n_outputs,
    *,
    output_activation="softmax",
    dense_layer_sizes=(),
    dropout=0.0,
    seed=None,
    dtype=None,
    **params,
):
    """Hidden dense layers (or, without any, dropout) and the output layer.

    ``params`` are :func:`dense_block`'s layer options (``activation``,
    ``negative_slope``, ``batch_normalization``, ``l2``).
    """
    if dense_layer_sizes:
        x = dense_stack(
            x, dense_layer_sizes, seed=seed, dropout=dropout, dtype=dtype, **params
        )
    elif dropout:
        x = layers.Dropout(dropout, seed=seed, name="dropout", dtype=dtype)(x)
    output_seed = offset_seed(seed, len(dense_layer_sizes))
    return output_layer(
        x, n_outputs, activation=output_activation, seed=output_seed, dtype=dtype
    )


def pixel_input(n_features, *, pixel_scale=1.0, dtype="float32"):
    """The ``"pixels"`` input of flat samples, and the tensor networks read.

    With ``pixel_scale != 1`` a ``Rescaling`` layer multiplies the inputs by
    it, so uint8 images can be fed as they are: Keras casts them batch by
    batch, and a saved model scales what it is given, as it was trained.

    The input is of ``dtype``'s variable dtype (float32 under mixed
    precision); the layers after it compute in ``dtype``.

    Returns
    -------
    inputs, x : keras.KerasTensor
        The model's input, and the (scaled) tensor to build on.
    """
    inputs = keras.Input((n_features,), dtype=variable_dtype(dtype), name="pixels")
    if pixel_scale == 1.0:
        return inputs, inputs
    rescale = layers.Rescaling(pixel_scale, name="scale_pixels", dtype=dtype)
    return inputs, rescale(inputs)


def build_dense_net(
    n_features,
    n_outputs,
    *,
    output_activation="softmax",
    hidden_layer_sizes=(512, 256),
    pixel_scale=1.0,
    seed=None,
    dtype="float32",
    **block_params,
):
    """Fully connected network on flat inputs of ``n_features`` values.

    Parameters
    ----------
    n_features : int
        Length of each (flattened) input sample.
    n_outputs : int
        Number of outputs: classes, labels or regression targets.
    output_activation : {"softmax", "sigmoid", "linear"}
        Activation of the output layer (see :func:`output_layer`).
    hidden_layer_sizes : tuple of int
        Width of each hidden layer; ``()`` gives multinomial logistic regression.
    pixel_scale : float
        Factor applied to the inputs first (1/255 for uint8 images).
    seed : int or None
        Seed of every initializer and dropout layer.
    dtype : {"float32", "float64", "mixed_float16", "mixed_bfloat16"}
        Precision of the weights and computations; a mixed policy computes
        the hidden layers in half precision (see :func:`output_layer`).
    **block_params
        ``activation``, ``negative_slope``, ``batch_normalization``, ``dropout``
        and ``l2``, as in :func:`dense_block`.

    Returns
    -------
    keras.Model
        An uncompiled functional model.

    Examples
    --------
    >>> from skvision._networks import build_dense_net
    >>> model = build_dense_net(784, 10, hidden_layer_sizes=(32,), seed=0)
    >>> model.output_shape
    (None, 10)
    """
    hidden_layer_sizes = positive_ints(hidden_layer_sizes, "hidden_layer_sizes")
    inputs, x = pixel_input(n_features, pixel_scale=pixel_scale, dtype=dtype)
    x = dense_stack(x, hidden_layer_sizes, seed=seed, dtype=dtype, **block_params)
    head_seed = offset_seed(seed, len(hidden_layer_sizes))
    outputs = output_layer(
        x, n_outputs, activation=output_activation, seed=head_seed, dtype=dtype
    )
    return keras.Model(inputs, outputs, name="dense_net")
