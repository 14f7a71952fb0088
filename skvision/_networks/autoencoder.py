"""Encoder and decoder networks of the dense and convolutional autoencoders.

Every autoencoder is the same three-part model: ``pixels -> [corruption] ->
encoder -> decoder``, where ``encoder`` and ``decoder`` are nested
``keras.Model`` layers of that name. Training the whole model trains both, and
the estimators encode and decode with the nested models directly (they share
the weights), so no sub-model has to be rebuilt after fitting or unpickling.
Inputs and reconstructions are flat vectors; the convolutional networks
reshape to images inside.
"""

import math

from .._keras import keras, layers
from .._training import variable_dtype
from .conv import conv_block
from .dense import activation_layer, dense_stack
from .params import (
    DOWNSAMPLING,
    UPSAMPLING,
    check_conv_autoencoder,
    offset_seed,
    positive_ints,
)

__all__ = [
    "DOWNSAMPLING",
    "LATENT_ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "UPSAMPLING",
    "build_conv_autoencoder",
    "build_dense_autoencoder",
    "code_layer",
    "corrupt",
]

OUTPUT_ACTIVATIONS = ("sigmoid", "linear")
LATENT_ACTIVATIONS = ("linear", "relu", "leaky_relu", "elu", "selu", "tanh", "sigmoid")


def corrupt(x, *, noise_std=0.0, mask_fraction=0.0, seed=None, dtype=None):
    """Training-only corruption of the inputs of a denoising autoencoder.

    ``GaussianNoise(noise_std)`` adds noise; ``Dropout(mask_fraction)`` zeroes
    that fraction of the values and, like every Keras dropout, scales the
    others by ``1 / (1 - mask_fraction)``. Both are the identity at inference.
    """
    if noise_std:
        x = layers.GaussianNoise(noise_std, seed=seed, name="noise", dtype=dtype)(x)
    if mask_fraction:
        x = layers.Dropout(
            mask_fraction, seed=offset_seed(seed, 1), name="mask", dtype=dtype
        )(x)
    return x


def code_layer(
    x,
    latent_dim,
    *,
    latent_activation="linear",
    activity_l1=0.0,
    seed=None,
    dtype=None,
):
    """``Dense(latent_dim)`` -> [activation] -> [L1 activity penalty]: the code.

    The penalty adds ``activity_l1 * sum(|code|)``, averaged over the batch, to
    the loss (Keras' ``ActivityRegularization``), which makes codes sparse.
    """
    x = layers.Dense(
        latent_dim,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        name="code",
        dtype=dtype,
    )(x)
    if latent_activation != "linear":
        x = activation_layer(latent_activation, name="code_act", dtype=dtype)(x)
    if activity_l1:
        x = layers.ActivityRegularization(l1=activity_l1, name="sparsity", dtype=dtype)(
            x
        )
    return x


def _assemble(n_features, encoder, decoder, *, name, dtype, **corruption):
    inputs = keras.Input((n_features,), dtype=variable_dtype(dtype), name="pixels")
    x = corrupt(inputs, dtype=dtype, **corruption)
    return keras.Model(inputs, decoder(encoder(x)), name=name)


def build_dense_autoencoder(
    n_features,
    latent_dim,
    *,
    hidden_layer_sizes=(256, 128),
    latent_activation="linear",
    output_activation="sigmoid",
    activity_l1=0.0,
    noise_std=0.0,
    mask_fraction=0.0,
    seed=None,
    dtype="float32",
    **block_params,
):
    """Fully connected autoencoder on flat inputs of ``n_features`` values.

    The encoder is ``dense_stack(hidden_layer_sizes)`` then the code layer; the
    decoder mirrors it (``hidden_layer_sizes`` reversed) and ends in
    ``Dense(n_features, output_activation)``.

    Parameters
    ----------
    n_features : int
        Length of each (flattened) input sample.
    latent_dim : int
        Size of the code.
    hidden_layer_sizes : tuple of int
        Widths of the encoder's hidden layers, from the input inwards.
    latent_activation : str
        Activation of the code (one of ``LATENT_ACTIVATIONS``).
    output_activation : {"sigmoid", "linear"}
        Activation of the reconstruction.
    activity_l1 : float
        L1 penalty on the code (sparse autoencoder).
    noise_std, mask_fraction : float
        Training-only corruption of the inputs (denoising autoencoder), see
        :func:`corrupt`.
    seed : int or None
        Seed of every initializer and random layer.
    dtype : {"float32", "float64", "mixed_float16", "mixed_bfloat16"}
        Precision of the weights and computations; under a mixed policy the
        inputs, the weights and the reconstruction layer are float32.
    **block_params
        ``activation``, ``negative_slope``, ``batch_normalization``,
        ``dropout`` and ``l2`` of the hidden layers, as in
        :func:`~skvision._networks.dense_block`.

    Returns
    -------
    keras.Model
        Uncompiled; its layers ``"encoder"`` and ``"decoder"`` are models.

    Examples
    --------
    >>> from skvision._networks import build_dense_autoencoder
    >>> model = build_dense_autoencoder(64, 8, hidden_layer_sizes=(32,), seed=0)
    >>> model.get_layer("encoder").output_shape, model.output_shape
    ((None, 8), (None, 64))
    """
    hidden_layer_sizes = positive_ints(hidden_layer_sizes, "hidden_layer_sizes")
    depth = len(hidden_layer_sizes)
    params = dict(dtype=dtype, **block_params)

    inputs = keras.Input((n_features,), dtype=variable_dtype(dtype), name="pixels")
    x = dense_stack(inputs, hidden_layer_sizes, seed=seed, **params)
    code = code_layer(
        x,
        latent_dim,
        latent_activation=latent_activation,
        activity_l1=activity_l1,
        seed=offset_seed(seed, depth),
        dtype=dtype,
    )
    encoder = keras.Model(inputs, code, name="encoder")

    codes = keras.Input((latent_dim,), dtype=variable_dtype(dtype), name="codes")
    x = dense_stack(
        codes, hidden_layer_sizes[::-1], seed=offset_seed(seed, depth + 1), **params
    )
    outputs = layers.Dense(
        n_features,
        activation=output_activation,
        kernel_initializer=keras.initializers.GlorotUniform(
            seed=offset_seed(seed, 2 * depth + 1)
        ),
        name="reconstruction",
        dtype=variable_dtype(dtype),  # float32 under mixed precision
    )(x)
    decoder = keras.Model(codes, outputs, name="decoder")
    return _assemble(
        n_features,
        encoder,
        decoder,
        name="dense_autoencoder",
        dtype=dtype,
        noise_std=noise_std,
        mask_fraction=mask_fraction,
        seed=offset_seed(seed, 2 * depth + 2),
    )


def build_conv_autoencoder(
    image_shape,
    latent_dim,
    *,
    latent_activation="linear",
    output_activation="sigmoid",
    activity_l1=0.0,
    noise_std=0.0,
    mask_fraction=0.0,
    seed=None,
    dtype="float32",
    **params,
):
    """Convolutional autoencoder on flat inputs holding ``image_shape`` images.

    Encoder: per entry of ``filters``, a :func:`~.conv.conv_block` that halves
    the height and width (a stride-2 convolution, or a convolution then 2x2
    max pooling), then ``Flatten`` and the code layer. Decoder, the mirror: a
    dense layer back to the smallest feature map, one block per entry of
    ``filters`` reversed that doubles the size (a stride-2 transposed
    convolution, or nearest-neighbour upsampling then a convolution), a crop
    to the image size, and a ``Conv2D`` to the image's channels with
    ``output_activation``.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)`` of one image.
    latent_dim : int
        Size of the code.
    latent_activation, output_activation, activity_l1, noise_std, \
mask_fraction, seed, dtype
        As in :func:`build_dense_autoencoder`. Seeds follow the layers: the
        i-th encoder convolution takes ``seed + i``, then the code, the
        decoder's dense layer, its convolutions, the reconstruction and the
        corruption take the next ones.
    **params
        The architecture, checked by
        :func:`~skvision._networks.params.check_conv_autoencoder`:

        filters : tuple of int, default=(32, 64)
            Filters of each encoder block.
        kernel_size : int, default=3
            Height and width of every convolution kernel.
        downsampling : {"stride", "pool"}, default="stride"
            How encoder blocks halve the feature maps.
        upsampling : {"transpose", "nearest"}, default="transpose"
            How decoder blocks double them.
        activation, negative_slope, batch_normalization
            Options of the convolution blocks (batch normalization by
            default).

    Returns
    -------
    keras.Model
        Uncompiled, on flat inputs of ``prod(image_shape)`` values; its layers
        ``"encoder"`` and ``"decoder"`` are models.

    Examples
    --------
    >>> from skvision._networks import build_conv_autoencoder
    >>> model = build_conv_autoencoder((28, 28, 1), 16, filters=(8, 16), seed=0)
    >>> model.get_layer("encoder").output_shape, model.output_shape
    ((None, 16), (None, 784))
    """
    config = check_conv_autoencoder(image_shape, **params)
    depth = len(config.filters)
    encoder = _conv_encoder(
        config,
        latent_dim,
        latent_activation=latent_activation,
        activity_l1=activity_l1,
        seed=seed,
        dtype=dtype,
    )
    decoder = _conv_decoder(
        config,
        latent_dim,
        output_activation=output_activation,
        seed=offset_seed(seed, depth + 1),
        dtype=dtype,
    )
    return _assemble(
        math.prod(config.image_shape),
        encoder,
        decoder,
        name="conv_autoencoder",
        dtype=dtype,
        noise_std=noise_std,
        mask_fraction=mask_fraction,
        seed=offset_seed(seed, 2 * depth + 3),
    )


def _conv_encoder(config, latent_dim, *, latent_activation, activity_l1, seed, dtype):
    """Flat pixels -> image -> downsampling blocks -> code (seeds ``seed + i``)."""
    block = dict(kernel_size=config.kernel_size, dtype=dtype, **config.block_params)
    inputs = keras.Input(
        (math.prod(config.image_shape),), dtype=variable_dtype(dtype), name="pixels"
    )
    x = layers.Reshape(config.image_shape, name="image", dtype=dtype)(inputs)
    for i, n_filters in enumerate(config.filters):
        x = conv_block(
            x,
            n_filters,
            strides=1 if config.pool else 2,
            seed=offset_seed(seed, i),
            name=f"conv_{i}",
            **block,
        )
        if config.pool:
            x = layers.MaxPooling2D(
                2, padding="same", name=f"conv_{i}_pool", dtype=dtype
            )(x)
    x = layers.Flatten(name="flatten", dtype=dtype)(x)
    code = code_layer(
        x,
        latent_dim,
        latent_activation=latent_activation,
        activity_l1=activity_l1,
        seed=offset_seed(seed, len(config.filters)),
        dtype=dtype,
    )
    return keras.Model(inputs, code, name="encoder")


def _conv_decoder(config, latent_dim, *, output_activation, seed, dtype):
    """Codes -> smallest feature maps -> upsampling blocks -> flat pixels.

    The dense layer takes ``seed``, the i-th block ``seed + 1 + i`` and the
    reconstruction ``seed + depth + 1``.
    """
    block = dict(kernel_size=config.kernel_size, dtype=dtype, **config.block_params)
    codes = keras.Input((latent_dim,), dtype=variable_dtype(dtype), name="codes")
    x = layers.Dense(
        math.prod(config.smallest),
        activation="relu",
        kernel_initializer=keras.initializers.HeNormal(seed=seed),
        name="expand",
        dtype=dtype,
    )(codes)
    x = layers.Reshape(config.smallest, name="feature_map", dtype=dtype)(x)
    for i, n_filters in enumerate(config.filters[::-1]):
        name, layer_seed = f"deconv_{i}", offset_seed(seed, 1 + i)
        if not config.transpose:
            x = layers.UpSampling2D(2, name=f"{name}_up", dtype=dtype)(x)
        x = conv_block(
            x,
            n_filters,
            strides=2 if config.transpose else 1,
            transpose=config.transpose,
            seed=layer_seed,
            name=name,
            **block,
        )
    if config.crop is not None:
        x = layers.Cropping2D(config.crop, name="crop", dtype=dtype)(x)
    x = layers.Conv2D(
        config.image_shape[2],
        config.kernel_size,
        padding="same",
        activation=output_activation,
        kernel_initializer=keras.initializers.GlorotUniform(
            seed=offset_seed(seed, len(config.filters) + 1)
        ),
        name="reconstruction",
        dtype=variable_dtype(dtype),  # float32 under mixed precision
    )(x)
    outputs = layers.Flatten(name="pixels_out", dtype=variable_dtype(dtype))(x)
    return keras.Model(codes, outputs, name="decoder")
