"""The convolution block and the convolutional classifier network.

The network reads flat samples (the estimators flatten every image) and
starts with a ``Reshape`` to ``(height, width, channels)``, then optional
resizing and training-only augmentation, an optional strided stem, blocks of
convolutions each followed by max pooling, a flatten or global pooling, a
dense head and a softmax. Its parameters are checked first, into a
:class:`~skvision._networks.params.ConvClassifierConfig`, so that a bad
combination is a clear ``ValueError`` rather than a Keras shape error; the
builder then only assembles layers. :func:`conv_block` is also the block of
the convolutional autoencoder.
"""

from .._keras import keras, layers
from .dense import network_head, pixel_input, weighted_block
from .layers import BatchNormalization
from .params import (
    AUGMENTATION_SEED_OFFSET,
    HEAD_SEED_OFFSET,
    PADDINGS,
    POOLINGS,
    check_conv_classifier,
    offset_seed,
    resolve_image_shape,
)

__all__ = [
    "PADDINGS",
    "POOLINGS",
    "augmentation_block",
    "build_conv_net",
    "conv_block",
    "conv_features",
    "resolve_image_shape",
]


def conv_block(
    x,
    filters,
    kernel_size=3,
    *,
    strides=1,
    padding="same",
    transpose=False,
    name="conv",
    **layer_params,
):
    """``Conv2D`` (or ``Conv2DTranspose``) -> [BatchNormalization] -> activation.

    ``transpose=True`` makes the convolution a transposed one, which grows the
    feature maps by ``strides`` (the autoencoder's decoder). The batch
    normalization is skvision's, which trains through TensorFlow's fused
    kernel (:class:`~skvision._networks.layers.BatchNormalization`: half the
    ``make demo`` CNN's step on a CPU). ``layer_params``
    are :func:`~skvision._networks.dense.weighted_block`'s ``activation``,
    ``negative_slope``, ``batch_normalization``, ``l2``, ``seed`` and
    ``dtype``.
    """
    return weighted_block(
        layers.Conv2DTranspose if transpose else layers.Conv2D,
        x,
        filters=filters,
        kernel_size=kernel_size,
        strides=strides,
        padding=padding,
        name=name,
        normalization=BatchNormalization,
        **layer_params,
    )


def augmentation_block(
    *,
    rotation_range=0.0,
    zoom_range=0.0,
    translation_range=0.0,
    brightness=0.0,
    horizontal_flip=False,
    seed=None,
    dtype=None,
):
    """Random image transformations, active only when called with training=True.

    Returns a ``keras.Sequential`` named "augmentation", or None when every
    transformation is off. ``rotation_range`` is in degrees; ``zoom_range`` and
    ``translation_range`` are fractions of the image size; ``brightness`` is
    Keras' additive ``RandomBrightness`` factor for pixels in [0, 1].
    """

    def options(i, name):
        return dict(seed=offset_seed(seed, i), name=name, dtype=dtype)

    steps = []
    if horizontal_flip:
        steps.append(layers.RandomFlip("horizontal", **options(0, "flip")))
    if rotation_range:  # Keras takes a fraction of a full turn
        steps.append(
            layers.RandomRotation(rotation_range / 360, **options(1, "rotation"))
        )
    if zoom_range:
        steps.append(layers.RandomZoom(zoom_range, **options(2, "zoom")))
    if translation_range:
        steps.append(
            layers.RandomTranslation(
                translation_range, translation_range, **options(3, "translation")
            )
        )
    if brightness:
        steps.append(
            layers.RandomBrightness(
                brightness, value_range=(0.0, 1.0), **options(4, "brightness")
            )
        )
    return keras.Sequential(steps, name="augmentation") if steps else None


def build_conv_net(
    n_features,
    n_outputs,
    *,
    output_activation="softmax",
    seed=None,
    dtype="float32",
    **params,
):
    """Convolutional network on flat samples of ``n_features`` values.

    Parameters
    ----------
    n_features : int
        Length of each flat input sample, ``prod(image_shape)``.
    n_outputs : int
        Number of outputs: classes, labels or regression targets.
    output_activation : {"softmax", "sigmoid", "linear"}
        Activation of the output layer.
    seed : int or None
        Seed of every initializer, dropout and random layer: the stem takes
        ``seed``, the n-th convolution ``seed + n``, the augmentation and the
        head are offset further (``params.AUGMENTATION_SEED_OFFSET`` and
        ``params.HEAD_SEED_OFFSET``).
    dtype : {"float32", "float64", "mixed_float16", "mixed_bfloat16"}
        Precision of the weights and computations; see
        :func:`~skvision._networks.build_dense_net`.
    **params
        The architecture, checked by
        :func:`~skvision._networks.params.check_conv_classifier`. The names,
        meanings and defaults are those of :class:`skvision.ConvNetClassifier`'s
        parameters, documented there once, except ``image_shape`` (resolved
        to ``(height, width, channels)``), ``stem`` (``(filters,
        kernel_size, stride)`` or None), ``augmentation`` (a dict of the five
        augmentation parameters, see :func:`augmentation_block`) and
        ``pixel_scale`` (the factor applied to the inputs first, 1/255 for
        uint8 images).

    Returns
    -------
    keras.Model
        An uncompiled functional model.

    Examples
    --------
    >>> from skvision._networks import build_conv_net
    >>> model = build_conv_net(64, 10, image_shape=(8, 8, 1),
    ...                               conv_blocks=((8,),), seed=0)
    >>> model.output_shape
    (None, 10)
    """
    config = check_conv_classifier(n_features, **params)
    inputs, x = pixel_input(n_features, pixel_scale=config.pixel_scale, dtype=dtype)
    x = layers.Reshape(config.image_shape, name="image", dtype=dtype)(x)
    if config.resize_to is not None:
        resize = layers.Resizing(
            *config.resize_to, antialias=True, name="resize", dtype=dtype
        )
        x = resize(x)
    augment = augmentation_block(
        **config.augmentation,
        seed=offset_seed(seed, AUGMENTATION_SEED_OFFSET),
        dtype=dtype,
    )
    if augment is not None:
        x = augment(x)
    x = conv_features(x, config, seed=seed, dtype=dtype)
    outputs = network_head(
        x,
        n_outputs,
        output_activation=output_activation,
        dense_layer_sizes=config.dense_layer_sizes,
        dropout=config.dropout,
        seed=offset_seed(seed, HEAD_SEED_OFFSET),
        dtype=dtype,
        **config.layer_params,
    )
    return keras.Model(inputs, outputs, name="conv_net")


def conv_features(x, config, *, seed=None, dtype=None):
    """The stem, the blocks and their pooling, then the feature vector.

    ``config`` is a :class:`~skvision._networks.params.ConvClassifierConfig`;
    the stem's kernel takes ``seed`` and the n-th convolution ``seed + n``.
    """
    if config.stem is not None:
        filters, kernel, stride = config.stem
        x = conv_block(
            x,
            filters,
            kernel,
            strides=stride,
            seed=seed,
            name="stem",
            dtype=dtype,
            **config.layer_params,
        )
    n_conv = 1
    for b, (convs, pool) in enumerate(
        zip(config.blocks, config.pool_sizes, strict=True), 1
    ):
        for c, (filters, kernel, padding) in enumerate(convs, 1):
            x = conv_block(
                x,
                filters,
                kernel,
                padding=padding,
                seed=offset_seed(seed, n_conv),
                name=f"block{b}_conv{c}",
                dtype=dtype,
                **config.layer_params,
            )
            n_conv += 1
        if pool:
            x = layers.MaxPooling2D(pool, name=f"block{b}_pool", dtype=dtype)(x)
    return pooled(x, config.pooling, dtype)


def pooled(x, pooling, dtype=None):
    """Feature maps become a vector by ``pooling``; vectors pass unchanged."""
    if len(x.shape) == 2:
        return x
    to_vector = {
        "flatten": layers.Flatten,
        "avg": layers.GlobalAveragePooling2D,
        "max": layers.GlobalMaxPooling2D,
    }[pooling]
    return to_vector(name=f"{pooling}_features", dtype=dtype)(x)
