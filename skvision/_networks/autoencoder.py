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
from .dense import activation_layer, dense_stack, initializer

OUTPUT_ACTIVATIONS = ("sigmoid", "linear")
LATENT_ACTIVATIONS = ("linear", "relu", "leaky_relu", "elu", "selu", "tanh", "sigmoid")
DOWNSAMPLING = ("stride", "pool")
UPSAMPLING = ("transpose", "nearest")


def _offset(seed, i):
    return None if seed is None else seed + i


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
            mask_fraction, seed=_offset(seed, 1), name="mask", dtype=dtype
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
    inputs = keras.Input((n_features,), dtype=dtype, name="pixels")
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
    dtype : {"float32", "float64"}
        Precision of the weights and computations.
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
    depth = len(hidden_layer_sizes)
    params = dict(dtype=dtype, **block_params)

    inputs = keras.Input((n_features,), dtype=dtype, name="pixels")
    x = dense_stack(inputs, hidden_layer_sizes, seed=seed, **params)
    code = code_layer(
        x,
        latent_dim,
        latent_activation=latent_activation,
        activity_l1=activity_l1,
        seed=_offset(seed, depth),
        dtype=dtype,
    )
    encoder = keras.Model(inputs, code, name="encoder")

    codes = keras.Input((latent_dim,), dtype=dtype, name="codes")
    x = dense_stack(
        codes, hidden_layer_sizes[::-1], seed=_offset(seed, depth + 1), **params
    )
    outputs = layers.Dense(
        n_features,
        activation=output_activation,
        kernel_initializer=keras.initializers.GlorotUniform(
            seed=_offset(seed, 2 * depth + 1)
        ),
        name="reconstruction",
        dtype=dtype,
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
        seed=_offset(seed, 2 * depth + 2),
    )


def conv_block(
    x,
    filters,
    *,
    kernel_size=3,
    strides=1,
    transpose=False,
    activation="relu",
    negative_slope=0.3,
    batch_normalization=True,
    seed=None,
    name="conv",
    dtype=None,
):
    """``Conv2D`` (or ``Conv2DTranspose``) -> [BatchNormalization] -> activation."""
    conv = layers.Conv2DTranspose if transpose else layers.Conv2D
    x = conv(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        # A bias before batch normalization is cancelled by its centring.
        use_bias=not batch_normalization,
        kernel_initializer=initializer(activation, seed),
        name=name,
        dtype=dtype,
    )(x)
    if batch_normalization:
        x = layers.BatchNormalization(name=f"{name}_bn", dtype=dtype)(x)
    return activation_layer(activation, negative_slope, f"{name}_act", dtype)(x)


def _downsampled(size, times):
    for _ in range(times):
        size = math.ceil(size / 2)
    return size


def build_conv_autoencoder(
    image_shape,
    latent_dim,
    *,
    filters=(32, 64),
    kernel_size=3,
    downsampling="stride",
    upsampling="transpose",
    latent_activation="linear",
    output_activation="sigmoid",
    activity_l1=0.0,
    noise_std=0.0,
    mask_fraction=0.0,
    seed=None,
    dtype="float32",
    **block_params,
):
    """Convolutional autoencoder on flat inputs holding ``image_shape`` images.

    Encoder: per entry of ``filters``, a :func:`conv_block` that halves the
    height and width (a stride-2 convolution, or a convolution then 2x2 max
    pooling), then ``Flatten`` and the code layer. Decoder, the mirror: a dense
    layer back to the smallest feature map, one block per entry of
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
    filters : tuple of int
        Filters of each encoder block.
    kernel_size : int
        Height and width of every convolution kernel.
    downsampling : {"stride", "pool"}
        How encoder blocks halve the feature maps.
    upsampling : {"transpose", "nearest"}
        How decoder blocks double them.
    latent_activation, output_activation, activity_l1, noise_std, \
mask_fraction, seed, dtype
        As in :func:`build_dense_autoencoder`.
    **block_params
        ``activation``, ``negative_slope`` and ``batch_normalization`` of the
        convolution blocks.

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
    height, width, channels = image_shape
    n_features = height * width * channels
    depth = len(filters)
    block = dict(kernel_size=kernel_size, dtype=dtype, **block_params)

    inputs = keras.Input((n_features,), dtype=dtype, name="pixels")
    x = layers.Reshape(image_shape, name="image", dtype=dtype)(inputs)
    for i, n_filters in enumerate(filters):
        pool = downsampling == "pool"
        x = conv_block(
            x,
            n_filters,
            strides=1 if pool else 2,
            seed=_offset(seed, i),
            name=f"conv_{i}",
            **block,
        )
        if pool:
            x = layers.MaxPooling2D(
                2, padding="same", name=f"conv_{i}_pool", dtype=dtype
            )(x)
    x = layers.Flatten(name="flatten", dtype=dtype)(x)
    code = code_layer(
        x,
        latent_dim,
        latent_activation=latent_activation,
        activity_l1=activity_l1,
        seed=_offset(seed, depth),
        dtype=dtype,
    )
    encoder = keras.Model(inputs, code, name="encoder")

    small = (_downsampled(height, depth), _downsampled(width, depth), filters[-1])
    codes = keras.Input((latent_dim,), dtype=dtype, name="codes")
    x = layers.Dense(
        math.prod(small),
        activation="relu",
        kernel_initializer=keras.initializers.HeNormal(seed=_offset(seed, depth + 1)),
        name="expand",
        dtype=dtype,
    )(codes)
    x = layers.Reshape(small, name="feature_map", dtype=dtype)(x)
    for i, n_filters in enumerate(filters[::-1]):
        name, layer_seed = f"deconv_{i}", _offset(seed, depth + 2 + i)
        if upsampling == "transpose":
            x = conv_block(
                x,
                n_filters,
                strides=2,
                transpose=True,
                seed=layer_seed,
                name=name,
                **block,
            )
        else:
            x = layers.UpSampling2D(2, name=f"{name}_up", dtype=dtype)(x)
            x = conv_block(x, n_filters, seed=layer_seed, name=name, **block)
    extra_h, extra_w = small[0] * 2**depth - height, small[1] * 2**depth - width
    if extra_h or extra_w:
        crop = (
            (extra_h // 2, extra_h - extra_h // 2),
            (extra_w // 2, extra_w - extra_w // 2),
        )
        x = layers.Cropping2D(crop, name="crop", dtype=dtype)(x)
    x = layers.Conv2D(
        channels,
        kernel_size,
        padding="same",
        activation=output_activation,
        kernel_initializer=keras.initializers.GlorotUniform(
            seed=_offset(seed, 2 * depth + 2)
        ),
        name="reconstruction",
        dtype=dtype,
    )(x)
    outputs = layers.Flatten(name="pixels_out", dtype=dtype)(x)
    decoder = keras.Model(codes, outputs, name="decoder")
    return _assemble(
        n_features,
        encoder,
        decoder,
        name="conv_autoencoder",
        dtype=dtype,
        noise_std=noise_std,
        mask_fraction=mask_fraction,
        seed=_offset(seed, 2 * depth + 3),
    )
