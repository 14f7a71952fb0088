"""Backbones for transfer learning, and the classifier built on one.

A backbone is a ``keras.Model`` from images (or, for a skvision network, flat
samples) to features. :class:`BackboneInput` says what it reads; the
classifier reshapes its flat input to images, augments them while training,
adapts them to that (resize, channels, value range, the application's own
preprocessing), runs the backbone in inference mode (``training=False``, so
batch normalization keeps its statistics, as Keras' transfer-learning guide
says) and puts a dense head on its pooled features.
"""

import contextlib
import os
import re
import socket
import sys
from dataclasses import dataclass

from .._keras import keras, layers
from .conv import augmentation_block, pooled
from .dense import network_head, pixel_input
from .params import (
    AUGMENTATION_SEED_OFFSET,
    HEAD_SEED_OFFSET,
    POOLINGS,
    _check_option,
    offset_seed,
)

APPLICATIONS = tuple(
    sorted(name for name in dir(keras.applications) if name[:1].isupper())
)
# Smallest side each application accepts (Keras' own checks); others take 32.
_MIN_SIDE = {"Xception": 71, "InceptionV3": 75, "InceptionResNetV2": 75}
# NASNet's ImageNet weights exist for one input size only.
_IMAGENET_SIDE = {"NASNetMobile": 224, "NASNetLarge": 331}
# Seconds a weights download may wait for the network before it fails.
_DOWNLOAD_TIMEOUT = 15


@dataclass(frozen=True)
class BackboneInput:
    """What a backbone reads.

    Attributes
    ----------
    size : tuple (height, width) or None
        Images are resized to it; None takes any size.
    channels : int or None
        1 or 3 (grayscale images are repeated to 3); None takes any.
    scale : float
        Factor from pixels in [0, 1] to the backbone's range (255 for
        ``keras.applications``, for uint8-trained skvision nets).
    preprocessing : str or None
        Name of the application whose ``preprocess_input`` runs last.
    flat : bool
        Whether the backbone reads flat samples (skvision networks).
    """

    size: tuple | None = None
    channels: int | None = None
    scale: float = 1.0
    preprocessing: str | None = None
    flat: bool = False


@keras.saving.register_keras_serializable(package="skvision")
class ApplicationPreprocessing(layers.Layer):
    """``keras.applications``' ``preprocess_input`` of one network, as a layer.

    It reads pixels in [0, 255], as Keras' function does, and travels with a
    saved model, so the model preprocesses what it is given.
    """

    def __init__(self, application, **kwargs):
        super().__init__(**kwargs)
        self.application = application
        module = sys.modules[getattr(keras.applications, application).__module__]
        self._preprocess = module.preprocess_input

    def call(self, inputs):
        return self._preprocess(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "application": self.application}


def application_input(name, image_size, weights):
    """The :class:`BackboneInput` of ``keras.applications.<name>``.

    Images smaller than the network's minimum are enlarged to it; NASNet with
    ImageNet weights always reads its one trained size.
    """
    if weights == "imagenet" and name in _IMAGENET_SIDE:
        side = _IMAGENET_SIDE[name]
        size = (side, side)
    else:
        smallest = _MIN_SIDE.get(name, 32)
        size = tuple(max(int(side), smallest) for side in image_size)
    return BackboneInput(size=size, channels=3, scale=255.0, preprocessing=name)


def load_application(name, input_shape, weights):
    """``keras.applications.<name>`` without its top, with ``weights``.

    ``weights`` is None, "imagenet" (Keras' download and cache) or a path to
    a weights file. A failed download raises an ``OSError`` naming the file
    and where to put it, after at most ``_DOWNLOAD_TIMEOUT`` seconds without
    network, instead of a hang.
    """
    build = getattr(keras.applications, name)
    options = dict(include_top=False, input_shape=tuple(input_shape), pooling=None)
    if weights != "imagenet":
        weights = None if weights is None else os.fspath(weights)
        try:
            return build(weights=weights, **options)
        except ValueError as error:
            raise ValueError(
                f"The weights file {weights!r} does not fit {name} without its "
                f"top on inputs of shape {tuple(input_shape)}: {error}"
            ) from None
    with _download_timeout(_DOWNLOAD_TIMEOUT):
        try:
            return build(weights="imagenet", **options)
        except Exception as error:
            if "URL fetch failure" not in str(error):
                raise
            raise OSError(_missing_weights_message(name, error)) from None


@contextlib.contextmanager
def _download_timeout(seconds):
    # Keras' get_file calls urlretrieve without a timeout, which can wait for
    # minutes on a network that drops packets. The socket default is the only
    # knob; it is restored at once.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _missing_weights_message(name, error):
    match = re.search(r"URL fetch failure on (\S+?):", str(error))
    url = match.group(1) if match else "Keras' weights address"
    file_name = url.rsplit("/", 1)[-1]
    home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    folder = os.path.join(home, "models")
    return (
        f"The ImageNet weights of {name} are not in Keras' cache and could not be "
        f"downloaded ({error}). Download {file_name} from {url} on a machine with "
        f"network and put it in {folder} (Keras' cache; KERAS_HOME names another "
        f"folder), or pass weights='/path/to/{file_name}'."
    )


def model_input(model):
    """The :class:`BackboneInput` of a user's ``keras.Model`` (pixels in [0, 1])."""
    shape = tuple(model.input_shape[1:])
    if len(shape) == 1:
        return BackboneInput(flat=True)
    if len(shape) != 3:
        raise ValueError(
            "A backbone must read images (height, width, channels) or flat "
            f"samples; {model.name!r} reads inputs of shape {shape}."
        )
    size = None if None in shape[:2] else shape[:2]
    return BackboneInput(size=size, channels=shape[2])


def adapt_images(x, image_shape, spec, dtype=None):
    """Turn images in [0, 1] of ``image_shape`` into what ``spec`` reads."""
    height, width, channels = image_shape
    if spec.size is not None and tuple(spec.size) != (height, width):
        x = layers.Resizing(*spec.size, name="backbone_resize", dtype=dtype)(x)
    if spec.channels not in (None, channels):
        if (channels, spec.channels) != (1, 3):
            raise ValueError(
                f"The backbone reads images of {spec.channels} channels; images of "
                f"{channels} cannot be adapted to it (only grayscale to RGB can): "
                "pass images with the channels it reads."
            )
        x = layers.Concatenate(name="gray_to_rgb", dtype=dtype)([x, x, x])
    if spec.scale != 1.0:
        x = layers.Rescaling(spec.scale, name="backbone_range", dtype=dtype)(x)
    if spec.preprocessing is not None:
        x = ApplicationPreprocessing(
            spec.preprocessing, name="backbone_preprocessing", dtype=dtype
        )(x)
    if spec.flat:
        x = layers.Flatten(name="backbone_flat", dtype=dtype)(x)
    return x


def backbone_vector(x, image_shape, backbone, spec, pooling, dtype=None):
    """Images ``x`` adapted to ``backbone``, run in inference mode, pooled."""
    _check_option(pooling, "pooling", POOLINGS)
    x = adapt_images(x, image_shape, spec, dtype)
    backbone.name = "backbone"  # the name the estimators look it up by
    return pooled(backbone(x, training=False), pooling, dtype)


def build_backbone_features(
    n_features,
    *,
    image_shape,
    backbone,
    spec,
    pooling="avg",
    pixel_scale=1.0,
    dtype="float32",
):
    """Pooled backbone features of flat samples of ``n_features`` values.

    Examples
    --------
    >>> from skvision._keras import keras
    >>> from skvision._networks.backbone import BackboneInput, build_backbone_features
    >>> backbone = keras.Sequential([keras.Input((None, None, 1)),
    ...                              keras.layers.Conv2D(4, 3)])
    >>> build_backbone_features(64, image_shape=(8, 8, 1), backbone=backbone,
    ...                         spec=BackboneInput(channels=1)).output_shape
    (None, 4)
    """
    inputs, x = pixel_input(n_features, pixel_scale=pixel_scale, dtype=dtype)
    x = layers.Reshape(tuple(image_shape), name="image", dtype=dtype)(x)
    x = backbone_vector(x, image_shape, backbone, spec, pooling, dtype)
    return keras.Model(inputs, x, name="backbone_features")


def build_backbone_net(
    n_features,
    n_outputs,
    *,
    output_activation="softmax",
    image_shape,
    backbone,
    spec,
    pooling="avg",
    dense_layer_sizes=(),
    dropout=0.0,
    augmentation=None,
    pixel_scale=1.0,
    seed=None,
    dtype="float32",
    **layer_params,
):
    """A head (classification or regression) on ``backbone``, reading flat samples.

    Parameters
    ----------
    n_features : int
        Length of each flat input sample, ``prod(image_shape)``.
    n_outputs : int
        Number of outputs: classes, labels or regression targets.
    output_activation : {"softmax", "sigmoid", "linear"}
        Activation of the output layer.
    image_shape : tuple of int
        ``(height, width, channels)`` the samples are reshaped to.
    backbone : keras.Model
        The feature extractor; it becomes the layer named "backbone".
    spec : BackboneInput
        What the backbone reads.
    pooling : {"avg", "max", "flatten"}
        How feature maps become a vector (vector outputs are kept).
    dense_layer_sizes, dropout, **layer_params
        The head: see :func:`skvision._networks.dense.network_head`.
    augmentation : dict or None
        Keyword arguments of :func:`skvision._networks.conv.augmentation_block`.
    pixel_scale : float
        Factor applied to the inputs first (1/255 for uint8 images).
    seed : int or None
        Seed of the head's initializers, dropout and the augmentation.
    dtype : {"float32", "float64", "mixed_float16", "mixed_bfloat16"}
        Precision of the layers around the backbone (a mixed policy reaches
        a backbone made under it too: see ``_training.building_scope``).

    Returns
    -------
    keras.Model
        An uncompiled functional model.
    """
    inputs, x = pixel_input(n_features, pixel_scale=pixel_scale, dtype=dtype)
    x = layers.Reshape(tuple(image_shape), name="image", dtype=dtype)(x)
    augment = augmentation_block(
        **(augmentation or {}),
        seed=offset_seed(seed, AUGMENTATION_SEED_OFFSET),
        dtype=dtype,
    )
    if augment is not None:
        x = augment(x)
    x = backbone_vector(x, image_shape, backbone, spec, pooling, dtype)
    outputs = network_head(
        x,
        n_outputs,
        output_activation=output_activation,
        dense_layer_sizes=dense_layer_sizes,
        dropout=dropout,
        seed=offset_seed(seed, HEAD_SEED_OFFSET),
        dtype=dtype,
        **layer_params,
    )
    return keras.Model(inputs, outputs, name="backbone_net")


def set_trainable(backbone, layers_to_train):
    """Freeze ``backbone``, or let its top ``layers_to_train`` layers train.

    ``layers_to_train`` is 0 (all frozen), "all", or a number of top-level
    layers counted from the output. Batch normalization layers stay frozen,
    as Keras' transfer-learning guide recommends.
    """
    backbone.trainable = layers_to_train != 0
    if not backbone.trainable:
        return
    top = (
        backbone.layers
        if layers_to_train == "all"
        else backbone.layers[-layers_to_train:]
    )
    top = {id(layer) for layer in top}
    for layer in backbone.layers:
        layer.trainable = id(layer) in top
    for layer in _all_layers(backbone):
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)
