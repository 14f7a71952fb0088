"""Parameter checks of the network builders: hyperparameters in, a config out.

Each builder first turns its keyword arguments into a small frozen config
(``check_conv_classifier``, ``check_conv_autoencoder``), so that a bad
combination is a clear ``ValueError`` naming the parameter rather than a Keras
shape error, and then assembles layers from the config alone. The helpers
shared by every family live here too: the one check of "a tuple of positive
ints", the image-shape resolver, and the seed offsets that keep the
initializers and random layers of each part of a network distinct.
"""

import math
from dataclasses import dataclass
from numbers import Integral

from .._validation import with_channel_axis

PADDINGS = ("same", "valid")
POOLINGS = ("flatten", "avg", "max")
DOWNSAMPLING = ("stride", "pool")
UPSAMPLING = ("transpose", "nearest")

# Seed offsets of the parts of a classifier that sit beside its numbered
# layers (which take seed + 0, 1, 2, ...): the augmentation and the head.
AUGMENTATION_SEED_OFFSET = 1000
HEAD_SEED_OFFSET = 2000


def offset_seed(seed, offset):
    """``seed + offset``, or None when ``seed`` is None (unseeded stays unseeded).

    Examples
    --------
    >>> from skvision._networks.params import offset_seed
    >>> offset_seed(7, 2), offset_seed(None, 2)
    (9, None)
    """
    return None if seed is None else seed + offset


def is_positive_int(value):
    """Whether ``value`` is an int > 0; booleans are not (``True`` is a typo)."""
    return isinstance(value, Integral) and not isinstance(value, bool) and value > 0


def positive_ints(value, name, *, length=None, min_length=0, what=None):
    """``value`` as a tuple of positive ints, or a ValueError naming ``name``.

    ``value`` may be any iterable (a tuple, a list, a search-space object);
    booleans are rejected, as :func:`is_positive_int` says. ``length`` asks for
    exactly that many entries, ``min_length`` for at least that many; ``what``
    names the expected tuple in the message, e.g. ``"(height, width)"``.

    Examples
    --------
    >>> from skvision._networks.params import positive_ints
    >>> positive_ints([32, 64], "filters")
    (32, 64)
    >>> positive_ints((28, True), "resize_to", length=2)
    Traceback (most recent call last):
    ...
    ValueError: resize_to must be a tuple of 2 positive ints; got (28, True).
    """
    try:
        values = tuple(value)
    except TypeError:
        values = None
    valid = (
        values is not None
        and all(map(is_positive_int, values))
        and (len(values) == length if length is not None else True)
        and len(values) >= min_length
    )
    if valid:
        return tuple(int(item) for item in values)
    if what is not None:
        what = f"{what} of positive ints"
    elif length is not None:
        what = f"a tuple of {length} positive ints"
    else:
        what = f"a {'non-empty ' if min_length else ''}tuple of positive ints"
    raise ValueError(f"{name} must be {what}; got {value!r}.")


def resolve_image_shape(n_features, image_shape=None, input_shape=None):
    """The ``(height, width, channels)`` images that flat samples are reshaped to.

    The one rule for every network that reads images (the convolutional
    classifier and autoencoder, the transfer-learning estimators). In order of
    precedence: ``image_shape`` as given (``(h, w)`` means one channel; one
    entry may be -1, inferred as in ``numpy.reshape``); the shape of the
    images given to ``fit`` (``input_shape``, when it has 2 or 3 axes); for
    flat input, a square single-channel image when ``n_features`` is a
    perfect square; otherwise a ``ValueError`` asking for ``image_shape``.

    Examples
    --------
    >>> from skvision._networks.params import resolve_image_shape
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
    shape = with_channel_axis(image_shape)
    valid_entries = all(is_positive_int(size) or size == -1 for size in shape)
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


def _check_option(value, name, options):
    if value not in options:
        raise ValueError(f"{name} must be one of {options}; got {value!r}.")
    return value


# -- the convolutional classifier ---------------------------------------------
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


def check_conv_blocks(conv_blocks):
    """``conv_blocks`` as a tuple of tuples of positive ints, or ValueError."""
    message = (
        "conv_blocks must be a tuple of blocks, each a non-empty tuple of filter "
        f"counts, e.g. ((32,), (64, 64)); got {conv_blocks!r}."
    )
    if not isinstance(conv_blocks, tuple | list) or not all(
        isinstance(block, tuple | list) for block in conv_blocks
    ):
        raise ValueError(message)
    try:
        return tuple(
            positive_ints(block, "conv_blocks", min_length=1) for block in conv_blocks
        )
    except ValueError:
        raise ValueError(message) from None


def scale_filters(filters, width):
    """``filters * width`` rounded half up, at least 1."""
    return max(1, int(filters * width + 0.5))


def check_block_layout(conv_blocks, kernel_size, padding, pool_size, width):
    """The convolutions and pooling windows of each block, or ValueError.

    Returns ``blocks``, per block a tuple of ``(filters, kernel_size,
    padding)`` per convolution with the filters scaled by ``width``, and
    ``pool_sizes``, one window or None (no pooling) per block.
    """
    conv_blocks = check_conv_blocks(conv_blocks)
    kernels = per_conv(kernel_size, conv_blocks, "kernel_size", is_positive_int)
    paddings = per_conv(padding, conv_blocks, "padding", lambda p: p in PADDINGS)
    pools = per_block(
        pool_size,
        len(conv_blocks),
        "pool_size",
        lambda pool: pool is None or is_positive_int(pool),
    )
    blocks = tuple(
        tuple(
            (scale_filters(f, width), k, p)
            for f, k, p in zip(filters, ks, ps, strict=True)
        )
        for filters, ks, ps in zip(conv_blocks, kernels, paddings, strict=True)
    )
    return blocks, tuple(pool if pool and pool > 1 else None for pool in pools)


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


@dataclass(frozen=True)
class ConvClassifierConfig:
    """The checked architecture of a convolutional classifier.

    ``stem`` is ``(filters, kernel_size, stride)`` or None; ``blocks`` holds,
    per block, ``(filters, kernel_size, padding)`` per convolution, filters
    already scaled by the width; ``pool_sizes`` one window (or None) per
    block; ``augmentation`` the keyword arguments of ``augmentation_block``.
    """

    image_shape: tuple
    resize_to: tuple | None
    stem: tuple | None
    blocks: tuple
    pool_sizes: tuple
    pooling: str
    dense_layer_sizes: tuple
    dropout: float
    augmentation: dict
    pixel_scale: float
    activation: str
    negative_slope: float
    batch_normalization: bool
    l2: float

    @property
    def layer_params(self):
        """Options shared by the convolutions and the hidden dense layers."""
        return dict(
            activation=self.activation,
            negative_slope=self.negative_slope,
            batch_normalization=self.batch_normalization,
            l2=self.l2,
        )


def check_conv_classifier(
    n_features,
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
    dropout=0.4,
    resize_to=None,
    augmentation=None,
    pixel_scale=1.0,
    activation="relu",
    negative_slope=0.3,
    batch_normalization=True,
    l2=0.0,
):
    """The :class:`ConvClassifierConfig` of these parameters, or a ValueError.

    The parameters are those of
    :func:`~skvision._networks.conv.build_conv_net`; the check also
    makes sure the feature maps do not vanish (:func:`check_fits`).

    Examples
    --------
    >>> from skvision._networks.params import check_conv_classifier
    >>> config = check_conv_classifier(64, image_shape=(8, 8), conv_blocks=((8,),),
    ...                                width=0.5, pool_size=None)
    >>> config.image_shape, config.blocks, config.pool_sizes
    ((8, 8, 1), (((4, 3, 'same'),),), (None,))
    """
    blocks, pools = check_block_layout(
        conv_blocks, kernel_size, padding, pool_size, width
    )
    dense_layer_sizes = positive_ints(dense_layer_sizes, "dense_layer_sizes")
    if resize_to is not None:
        resize_to = positive_ints(
            resize_to, "resize_to", length=2, what="(height, width)"
        )
    if stem is not None:
        stem = positive_ints(
            stem, "stem", length=3, what="(filters, kernel_size, stride)"
        )
        stem = (scale_filters(stem[0], width), *stem[1:])
    image_shape = resolve_image_shape(n_features, image_shape)
    resized = image_shape if resize_to is None else (*resize_to, image_shape[2])
    check_fits(resized, stem, blocks, pools)
    return ConvClassifierConfig(
        image_shape=image_shape,
        resize_to=resize_to,
        stem=stem,
        blocks=blocks,
        pool_sizes=pools,
        pooling=_check_option(pooling, "pooling", POOLINGS),
        dense_layer_sizes=dense_layer_sizes,
        dropout=dropout,
        augmentation=dict(augmentation or {}),
        pixel_scale=pixel_scale,
        activation=activation,
        negative_slope=negative_slope,
        batch_normalization=batch_normalization,
        l2=l2,
    )


# -- the convolutional autoencoder --------------------------------------------
@dataclass(frozen=True)
class ConvAutoencoderConfig:
    """The checked architecture of a convolutional autoencoder.

    ``block_params`` are the options of every ``conv_block``; ``smallest`` is
    the ``(height, width, filters)`` of the encoder's last feature maps, which
    the decoder grows back from; ``crop`` the ``((top, bottom), (left,
    right))`` rows and columns the decoder's output has beyond the image, or
    None.
    """

    image_shape: tuple
    filters: tuple
    kernel_size: int
    pool: bool
    transpose: bool
    block_params: dict

    @property
    def smallest(self):
        depth = len(self.filters)
        height, width = (_halved(size, depth) for size in self.image_shape[:2])
        return (height, width, self.filters[-1])

    @property
    def crop(self):
        scale = 2 ** len(self.filters)
        extra = [
            small * scale - size
            for small, size in zip(self.smallest[:2], self.image_shape[:2], strict=True)
        ]
        if not any(extra):
            return None
        return tuple((e // 2, e - e // 2) for e in extra)


def _halved(size, times):
    for _ in range(times):
        size = math.ceil(size / 2)
    return size


def check_conv_autoencoder(
    image_shape,
    *,
    filters=(32, 64),
    kernel_size=3,
    downsampling="stride",
    upsampling="transpose",
    activation="relu",
    negative_slope=0.3,
    batch_normalization=True,
):
    """The :class:`ConvAutoencoderConfig` of these parameters, or a ValueError.

    The parameters are those of
    :func:`~skvision._networks.autoencoder.build_conv_autoencoder`.

    Examples
    --------
    >>> from skvision._networks.params import check_conv_autoencoder
    >>> config = check_conv_autoencoder((7, 5, 1), filters=(4, 8))
    >>> config.smallest, config.crop
    ((2, 2, 8), ((0, 1), (1, 2)))
    """
    image_shape = positive_ints(
        image_shape, "image_shape", length=3, what="(height, width, channels)"
    )
    if not is_positive_int(kernel_size):
        raise ValueError(f"kernel_size must be a positive int; got {kernel_size!r}.")
    return ConvAutoencoderConfig(
        image_shape=image_shape,
        filters=positive_ints(filters, "filters", min_length=1),
        kernel_size=kernel_size,
        pool=_check_option(downsampling, "downsampling", DOWNSAMPLING) == "pool",
        transpose=_check_option(upsampling, "upsampling", UPSAMPLING) == "transpose",
        block_params=dict(
            activation=activation,
            negative_slope=negative_slope,
            batch_normalization=batch_normalization,
        ),
    )
