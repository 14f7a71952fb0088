"""Convolutional building blocks and the convolutional classifier network.

The network reads flat samples (the estimators flatten every image) and
starts with a ``Reshape`` to ``(height, width, channels)``, then optional
resizing and training-only augmentation, an optional strided stem, blocks of
convolutions each followed by max pooling, a flatten or global pooling, a
dense head and a softmax. The helpers below also resolve the image shape and
per-convolution settings, and check that the images are large enough, so that
a bad combination is a clear ``ValueError`` rather than a Keras shape error.
"""

import math
from numbers import Integral

from .._keras import keras, layers
from .dense import activation_layer, classifier_head, initializer, pixel_input

PADDINGS = ("same", "valid")
POOLINGS = ("flatten", "avg", "max")

# Seed offsets keep the initializers and random layers of each part distinct.
_AUGMENTATION_SEED, _HEAD_SEED = 1000, 2000


def resolve_image_shape(n_features, image_shape=None, input_shape=None):
    """The ``(height, width, channels)`` images that flat samples are reshaped to.

    In order of precedence: ``image_shape`` as given (``(h, w)`` means one
    channel; one entry may be -1, inferred as in ``numpy.reshape``); the shape
    of the images given to ``fit`` (``input_shape``, when it has 2 or 3 axes);
    for flat input, a square single-channel image when ``n_features`` is a
    perfect square; otherwise a ``ValueError`` asking for ``image_shape``.

    Examples
    --------
    >>> from skvision._networks.conv import resolve_image_shape
    >>> resolve_image_shape(784), resolve_image_shape(10, (-1, 1, 1))
    ((28, 28, 1), (10, 1, 1))
    """
    if image_shape is None and input_shape is not None and len(input_shape) > 1:
        if len(input_shape) > 3:
            raise ValueError(
                "Images must come as (n_samples, height, width[, channels]); got "
                f"samples of shape {tuple(input_shape)}."
            )
        image_shape = tuple(input_shape)
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"Cannot infer the image shape of flat samples of {n_features} "
                "features (not a perfect square); pass image_shape=(height, width"
                "[, channels]), or fit on arrays of shape (n_samples, height, width"
                "[, channels])."
            )
        return (side, side, 1)
    shape = tuple(image_shape)
    if len(shape) == 2:
        shape += (1,)
    valid_entries = all(
        isinstance(size, Integral) and (size > 0 or size == -1) for size in shape
    )
    if len(shape) != 3 or not valid_entries or shape.count(-1) > 1:
        raise ValueError(
            "image_shape must be (height, width) or (height, width, channels) of "
            f"positive ints, one of which may be -1; got {image_shape!r}."
        )
    known = math.prod(size for size in shape if size != -1)
    if -1 in shape and n_features % known == 0:
        shape = tuple(n_features // known if size == -1 else size for size in shape)
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)!r} does not hold the {n_features} "
            "features of each sample."
        )
    return tuple(int(size) for size in shape)


def per_conv(value, conv_blocks, name, is_scalar):
    """Expand ``value`` to one entry per convolution, nested like ``conv_blocks``.

    ``value`` is one setting for every convolution, a sequence with one entry
    per block, or such a sequence whose entries are sequences with one setting
    per convolution of the block.
    """
    if is_scalar(value):
        return [[value] * len(block) for block in conv_blocks]
    value = tuple(value)
    if len(value) != len(conv_blocks):
        raise ValueError(
            f"{name} has {len(value)} entries but conv_blocks has "
            f"{len(conv_blocks)} blocks; pass one {name} for all, or one per block."
        )
    expanded = []
    for i, (entry, block) in enumerate(zip(value, conv_blocks, strict=True)):
        if is_scalar(entry):
            expanded.append([entry] * len(block))
        elif (
            isinstance(entry, tuple | list)
            and len(entry) == len(block)
            and all(is_scalar(item) for item in entry)
        ):
            expanded.append(list(entry))
        else:
            raise ValueError(
                f"{name}[{i}] must be one value for block {i + 1} or one per "
                f"convolution ({len(block)}); got {entry!r}."
            )
    return expanded


def per_block(value, n_blocks, name, is_scalar):
    """One entry per block from a single value or a sequence of ``n_blocks``."""
    if is_scalar(value):
        return [value] * n_blocks
    value = list(value)
    if len(value) != n_blocks or not all(is_scalar(item) for item in value):
        raise ValueError(
            f"{name} must be one value or one per block ({n_blocks}); got {value!r}."
        )
    return value


def _is_positive_int(value):
    return isinstance(value, Integral) and not isinstance(value, bool) and value > 0


def check_conv_blocks(conv_blocks):
    """``conv_blocks`` as a tuple of tuples of positive ints, or ValueError."""
    if isinstance(conv_blocks, tuple | list) and all(
        isinstance(block, tuple | list)
        and len(block) > 0
        and all(_is_positive_int(filters) for filters in block)
        for block in conv_blocks
    ):
        return tuple(tuple(int(filters) for filters in block) for block in conv_blocks)
    raise ValueError(
        "conv_blocks must be a tuple of blocks, each a non-empty tuple of filter "
        f"counts, e.g. ((32,), (64, 64)); got {conv_blocks!r}."
    )


def scale_filters(filters, width):
    """``filters * width`` rounded half up, at least 1."""
    return max(1, int(filters * width + 0.5))


def check_fits(image_shape, stem, blocks, pool_sizes):
    """Raise a ValueError naming the layer where the feature maps would vanish.

    ``stem`` is ``(filters, kernel_size, stride)`` or None; ``blocks`` holds,
    per block, ``(filters, kernel_size, padding)`` per convolution.
    """
    height, width = image_shape[:2]
    if stem is not None:  # "same" padding: only the stride shrinks the maps
        height, width = -(-height // stem[2]), -(-width // stem[2])
    for b, (convs, pool) in enumerate(zip(blocks, pool_sizes, strict=True), 1):
        for c, (_, kernel, padding) in enumerate(convs, 1):
            if padding == "valid":
                height, width = height - kernel + 1, width - kernel + 1
            if min(height, width) < 1:
                where = f"the {kernel}x{kernel} 'valid' convolution {c} of block {b}"
                _too_small(image_shape, where, kernel)
        if pool:
            if min(height, width) < pool:
                where = f"the {pool}x{pool} pooling after block {b}"
                _too_small(image_shape, where, pool, (height, width))
            height, width = height // pool, width // pool
    return height, width


def _too_small(image_shape, where, window, maps=None):
    maps = "" if maps is None else f" (it gets {maps[0]}x{maps[1]} feature maps)"
    raise ValueError(
        f"Images of {image_shape[0]}x{image_shape[1]} pixels are too small for "
        f"{where}{maps}: its {window}x{window} window does not fit. Use "
        "padding='same', fewer blocks, a smaller kernel_size, pool_size=None "
        "for the last blocks, or larger images (resize_to=(height, width))."
    )


def conv_layer(
    x,
    filters,
    kernel_size,
    *,
    strides=1,
    padding="same",
    activation="relu",
    negative_slope=0.3,
    batch_normalization=False,
    l2=0.0,
    seed=None,
    name="conv",
    dtype=None,
):
    """Conv2D -> [BatchNormalization] -> activation."""
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        # A bias before batch normalization is cancelled by its centring.
        use_bias=not batch_normalization,
        kernel_initializer=initializer(activation, seed),
        kernel_regularizer=keras.regularizers.L2(l2) if l2 else None,
        name=name,
        dtype=dtype,
    )(x)
    if batch_normalization:
        x = layers.BatchNormalization(name=f"{name}_bn", dtype=dtype)(x)
    return activation_layer(activation, negative_slope, f"{name}_act", dtype)(x)


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
        return dict(seed=None if seed is None else seed + i, name=name, dtype=dtype)

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
    n_features,
    n_classes,
    *,
    image_shape,
    conv_blocks=((32, 32), (64, 64)),
    kernel_size=3,
    padding="same",
    pool_size=2,
    width=1.0,
    stem=None,
    pooling="flatten",
    dense_layer_sizes=(256,),
    dropout=0.0,
    resize_to=None,
    augmentation=None,
    pixel_scale=1.0,
    seed=None,
    dtype="float32",
    **layer_params,
):
    """Convolutional classifier on flat samples of ``n_features`` values.

    Parameters
    ----------
    n_features : int
        Length of each flat input sample, ``prod(image_shape)``.
    n_classes : int
        Number of output probabilities.
    image_shape : tuple of int
        ``(height, width, channels)`` the samples are reshaped to.
    conv_blocks : tuple of tuple of int
        Filters of each convolution, grouped in blocks.
    kernel_size, padding : int, str, or per block (or per convolution) tuples
        Square kernel sizes and "same"/"valid" paddings of the convolutions.
    pool_size : int, None, or tuple of them per block
        Max pooling window (and stride) after each block; None or 1 for none.
    width : float
        Multiplier of every filter count (rounded half up, at least 1).
    stem : tuple (filters, kernel_size, stride) or None
        A strided "same" convolution before the blocks.
    pooling : {"flatten", "avg", "max"}
        How the last feature maps become a vector.
    dense_layer_sizes : tuple of int
        Units of the hidden dense layers before the softmax.
    dropout : float
        Dropout after each hidden dense layer or, without any, after the
        flatten or global pooling.
    resize_to : tuple (height, width) or None
        Resize the images (bilinear, antialiased) before anything else.
    augmentation : dict or None
        Keyword arguments of :func:`augmentation_block`.
    pixel_scale : float
        Factor applied to the inputs first (1/255 for uint8 images).
    seed : int or None
        Seed of every initializer, dropout and random layer.
    dtype : {"float32", "float64"}
        Precision of the weights and computations.
    **layer_params
        ``activation``, ``negative_slope``, ``batch_normalization`` and ``l2``,
        shared by the convolutions and the dense layers.

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
    conv_blocks = check_conv_blocks(conv_blocks)
    kernels = per_conv(kernel_size, conv_blocks, "kernel_size", _is_positive_int)
    paddings = per_conv(padding, conv_blocks, "padding", lambda p: p in PADDINGS)
    pools = per_block(
        pool_size,
        len(conv_blocks),
        "pool_size",
        lambda pool: pool is None or _is_positive_int(pool),
    )
    pools = [pool if pool and pool > 1 else None for pool in pools]
    dense_layer_sizes = tuple(dense_layer_sizes)
    if not all(_is_positive_int(units) for units in dense_layer_sizes):
        raise ValueError(
            f"dense_layer_sizes must hold positive ints; got {dense_layer_sizes!r}."
        )
    if resize_to is not None:
        resize_to = tuple(resize_to)
        if len(resize_to) != 2 or not all(map(_is_positive_int, resize_to)):
            raise ValueError(
                "resize_to must be (height, width) of positive ints; "
                f"got {resize_to!r}."
            )
    blocks = [
        [
            (scale_filters(f, width), k, p)
            for f, k, p in zip(filters, ks, ps, strict=True)
        ]
        for filters, ks, ps in zip(conv_blocks, kernels, paddings, strict=True)
    ]
    if stem is not None:
        stem = (scale_filters(stem[0], width), *stem[1:])
    shape = tuple(image_shape)
    if resize_to is not None:
        shape = (*resize_to, shape[2])
    check_fits(shape, stem, blocks, pools)

    def layer_seed(offset):
        return None if seed is None else seed + offset

    inputs, x = pixel_input(n_features, pixel_scale=pixel_scale, dtype=dtype)
    x = layers.Reshape(tuple(image_shape), name="image", dtype=dtype)(x)
    if resize_to is not None:
        x = layers.Resizing(*resize_to, antialias=True, name="resize", dtype=dtype)(x)
    augment = augmentation_block(
        **(augmentation or {}), seed=layer_seed(_AUGMENTATION_SEED), dtype=dtype
    )
    if augment is not None:
        x = augment(x)
    if stem is not None:
        filters, kernel, stride = stem
        x = conv_layer(
            x,
            filters,
            kernel,
            strides=stride,
            seed=seed,
            name="stem",
            dtype=dtype,
            **layer_params,
        )
    n_conv = 1
    for b, (convs, pool) in enumerate(zip(blocks, pools, strict=True), 1):
        for c, (filters, kernel, pad) in enumerate(convs, 1):
            x = conv_layer(
                x,
                filters,
                kernel,
                padding=pad,
                seed=layer_seed(n_conv),
                name=f"block{b}_conv{c}",
                dtype=dtype,
                **layer_params,
            )
            n_conv += 1
        if pool:
            x = layers.MaxPooling2D(pool, name=f"block{b}_pool", dtype=dtype)(x)
    to_vector = {
        "flatten": layers.Flatten,
        "avg": layers.GlobalAveragePooling2D,
        "max": layers.GlobalMaxPooling2D,
    }[pooling]
    x = to_vector(name=f"{pooling}_features", dtype=dtype)(x)
    outputs = classifier_head(
        x,
        n_classes,
        dense_layer_sizes=dense_layer_sizes,
        dropout=dropout,
        seed=layer_seed(_HEAD_SEED),
        dtype=dtype,
        **layer_params,
    )
    return keras.Model(inputs, outputs, name="conv_net")
