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
from .dense import classifier_head, pixel_input, weighted_block
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
    "build_conv_classifier",
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
    feature maps by ``strides`` (the autoencoder's decoder). ``layer_params``
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


def build_conv_classifier(
    n_features, n_classes, *, seed=None, dtype="float32", **params
):
    """Convolutional classifier on flat samples of ``n_features`` values.

    Parameters
    ----------
    n_features : int
        Length of each flat input sample, ``prod(image_shape)``.
    n_classes : int
        Number of output probabilities.
    seed : int or None
        Seed of every initializer, dropout and random layer: the stem takes
        ``seed``, the n-th convolution ``seed + n``, the augmentation and the
        head are offset further (``params.AUGMENTATION_SEED_OFFSET`` and
        ``params.HEAD_SEED_OFFSET``).
    dtype : {"float32", "float64"}
        Precision of the weights and computations.
    **params
        The architecture, checked by
        :func:`~skvision._networks.params.check_conv_classifier`:

        image_shape : tuple of int
            ``(height, width, channels)`` the samples are reshaped to.
        conv_blocks : tuple of tuple of int, default=((32, 32), (64, 64))
            Filters of each convolution, grouped in blocks.
        kernel_size, padding : int, str, or per block (or per convolution) tuples
            Square kernel sizes and "same"/"valid" paddings of the convolutions.
        pool_size : int, None, or tuple of them per block, default=2
            Max pooling window (and stride) after each block; None or 1 for none.
        width : float, default=1.0
            Multiplier of every filter count (rounded half up, at least 1).
        stem : tuple (filters, kernel_size, stride) or None
            A strided "same" convolution before the blocks.
        pooling : {"flatten", "avg", "max"}
            How the last feature maps become a vector.
        dense_layer_sizes : tuple of int, default=(256,)
            Units of the hidden dense layers before the softmax.
        dropout : float, default=0.0
            Dropout after each hidden dense layer or, without any, after the
            flatten or global pooling.
        resize_to : tuple (height, width) or None
            Resize the images (bilinear, antialiased) before anything else.
        augmentation : dict or None
            Keyword arguments of :func:`augmentation_block`.
        pixel_scale : float, default=1.0
            Factor applied to the inputs first (1/255 for uint8 images).
        activation, negative_slope, batch_normalization, l2
            Shared by the convolutions and the dense layers (no batch
            normalization by default).

    Returns
    -------
    keras.Model
        An uncompiled functional model.

    Examples
    --------
    >>> from skvision._networks import build_conv_classifier
    >>> model = build_conv_classifier(64, 10, image_shape=(8, 8, 1),
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
    outputs = classifier_head(
        x,
        n_classes,
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
