"""A convolutional network classifier, with presets for the studies' nets."""

import math
from numbers import Integral, Real

from .._docstrings import fill_doc
from .._fixes import Interval, StrOptions
from .._networks import ACTIVATIONS, build_conv_net
from .._networks.params import PADDINGS, POOLINGS, resolve_image_shape
from ._base import BaseNetClassifier
from ._presets import ConvNetPresets

# The architecture's parameters, shared with ConvNetRegressor.
CONV_CONSTRAINTS = {
    "conv_blocks": [tuple, list],
    "kernel_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
    "padding": [StrOptions(set(PADDINGS)), tuple, list],
    "pool_size": [Interval(Integral, 1, None, closed="left"), tuple, list, None],
    "width": [Interval(Real, 0, None, closed="neither")],
    "stem_filters": [Interval(Integral, 1, None, closed="left"), None],
    "stem_kernel_size": [Interval(Integral, 1, None, closed="left")],
    "stem_stride": [Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "negative_slope": [Interval(Real, 0, None, closed="left")],
    "batch_normalization": ["boolean"],
    "pooling": [StrOptions(set(POOLINGS))],
    "dense_layer_sizes": [tuple, list],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "l2": [Interval(Real, 0, None, closed="left")],
    "image_shape": [tuple, list, None],
    "resize_to": [tuple, list, None],
    "rotation_range": [Interval(Real, 0, 180, closed="both")],
    "zoom_range": [Interval(Real, 0, 1, closed="left")],
    "translation_range": [Interval(Real, 0, 1, closed="left")],
    "brightness": [Interval(Real, 0, 1, closed="both")],
    "horizontal_flip": ["boolean"],
}


@fill_doc
class ConvNetClassifier(ConvNetPresets, BaseNetClassifier):
    """Convolutional neural network classifier trained with Keras.

    The network reshapes each (flattened) sample to an image, optionally
    resizes and, during training only, augments it, applies an optional
    strided stem and blocks of ``Conv2D -> [BatchNormalization] ->
    activation`` each followed by max pooling, turns the last feature maps
    into a vector (flatten or global pooling) and ends with dense layers and a
    softmax. uint8 pixels are scaled by 1/255 inside the network. ``X`` may
    also be a 1-D array of image file paths (str or ``os.PathLike``), decoded
    to ``image_shape`` and augmented batch by batch, so data sets larger than
    memory train without being loaded.

    The defaults are a small VGG-style net of its own: two blocks of two 3x3
    "same" convolutions (32, 32 and 64, 64 filters) with batch normalization
    and ReLU, each block followed by 2x2 max pooling, then flatten, a dense
    layer of 256 units with dropout 0.4 and the softmax; no augmentation, and
    Adam at 1e-3 with the adaptive learning rate and early stopping.
    :meth:`reference`, :meth:`mnist` and :meth:`pets` build the studies' nets
    (other architectures, with their augmentation and schedules) in one call.

    Parameters
    ----------
    <conv parameters>
    <training parameters: classifier>

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    model_ : keras.Model
        The trained network; its "augmentation" sub-model (when any
        augmentation is on) is inactive at inference.
    image_shape_ : tuple of int
        ``(height, width, channels)`` the flat samples are reshaped to.
    history_ : dict of lists
        Per-epoch ``loss``, ``accuracy`` and, with validation, ``val_loss`` and
        ``val_accuracy`` (plus ``learning_rate`` when it changes).
    best_epoch_ : int
        Index in ``history_`` of the epoch whose weights the model holds.
    n_iter_ : int
        Number of epochs trained.
    n_features_in_ : int
        Number of (flattened) input features.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a data frame with string column names.
    input_shape_ : tuple of int
        Shape of one input sample as given to ``fit``.
    pixel_scale_ : float
        1/255 when fitted on uint8 images, else 1.

    See Also
    --------
    DenseNetClassifier : A fully connected network on the flattened pixels.

    Notes
    -----
    Keras' random preprocessing layers transform images only when called with
    ``training=True``, so ``predict``, ``predict_proba`` and ``score`` see the
    images unchanged and are deterministic.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvision import ConvNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> images = X.reshape(-1, 8, 8) / 16
    >>> clf = ConvNetClassifier(conv_blocks=((16,),), dense_layer_sizes=(32,),
    ...                         batch_size=32, max_iter=5,
    ...                         random_state=0).fit(images, y)
    >>> clf.image_shape_
    (8, 8, 1)
    >>> clf.score(images, y) > 0.9
    True
    """

    _parameter_constraints = {
        **BaseNetClassifier._parameter_constraints,
        **CONV_CONSTRAINTS,
    }

    def __init__(
        self,
        conv_blocks=((32, 32), (64, 64)),
        *,
        kernel_size=3,
        padding="same",
        pool_size=2,
        width=1.0,
        stem_filters=None,
        stem_kernel_size=7,
        stem_stride=2,
        activation="relu",
        negative_slope=0.3,
        batch_normalization=True,
        pooling="flatten",
        dense_layer_sizes=(256,),
        dropout=0.4,
        l2=0.0,
        image_shape=None,
        resize_to=None,
        rotation_range=0.0,
        zoom_range=0.0,
        translation_range=0.0,
        brightness=0.0,
        horizontal_flip=False,
        optimizer="adam",
        learning_rate_init=1e-3,
        learning_rate="adaptive",
        momentum=0.9,
        batch_size=128,
        max_iter=100,
        early_stopping=True,
        monitor="val_loss",
        n_iter_no_change=10,
        restore_best_weights=True,
        validation_fraction=0.1,
        callbacks=None,
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=0,
        dtype="float32",
        test_time_augmentation=0,
    ):
        self.conv_blocks = conv_blocks
        self.kernel_size = kernel_size
        self.padding = padding
        self.pool_size = pool_size
        self.width = width
        self.stem_filters = stem_filters
        self.stem_kernel_size = stem_kernel_size
        self.stem_stride = stem_stride
        self.activation = activation
        self.negative_slope = negative_slope
        self.batch_normalization = batch_normalization
        self.pooling = pooling
        self.dense_layer_sizes = dense_layer_sizes
        self.dropout = dropout
        self.l2 = l2
        self.image_shape = image_shape
        self.resize_to = resize_to
        self.rotation_range = rotation_range
        self.zoom_range = zoom_range
        self.translation_range = translation_range
        self.brightness = brightness
        self.horizontal_flip = horizontal_flip
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.monitor = monitor
        self.n_iter_no_change = n_iter_no_change
        self.restore_best_weights = restore_best_weights
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype
        self.test_time_augmentation = test_time_augmentation

    # -- presets: the studies' networks in one call ---------------------------
    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        return build_conv_network(self, input_shape, n_outputs, pixel_scale, seed)


def build_conv_network(estimator, input_shape, n_outputs, pixel_scale, seed):
    """``_build_network`` of the convolutional classifier and regressor."""
    n_features = math.prod(input_shape)
    image_shape = resolve_image_shape(n_features, estimator.image_shape, input_shape)
    stem = None
    if estimator.stem_filters is not None:
        stem = (
            estimator.stem_filters,
            estimator.stem_kernel_size,
            estimator.stem_stride,
        )
    augmentation = dict(
        rotation_range=estimator.rotation_range,
        zoom_range=estimator.zoom_range,
        translation_range=estimator.translation_range,
        brightness=estimator.brightness,
        horizontal_flip=estimator.horizontal_flip,
    )
    model = build_conv_net(
        n_features,
        n_outputs,
        output_activation=estimator._output_activation,
        image_shape=image_shape,
        conv_blocks=estimator.conv_blocks,
        kernel_size=estimator.kernel_size,
        padding=estimator.padding,
        pool_size=estimator.pool_size,
        width=estimator.width,
        stem=stem,
        pooling=estimator.pooling,
        dense_layer_sizes=estimator.dense_layer_sizes,
        dropout=estimator.dropout,
        resize_to=estimator.resize_to,
        augmentation=augmentation,
        pixel_scale=pixel_scale,
        activation=estimator.activation,
        negative_slope=estimator.negative_slope,
        batch_normalization=estimator.batch_normalization,
        l2=estimator.l2,
        seed=seed,
        dtype=estimator.dtype,
    )
    return model, {"image_shape_": image_shape}
