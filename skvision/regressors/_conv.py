"""A convolutional network regressor."""

from .._docstrings import fill_doc
from ..classifiers._conv import CONV_CONSTRAINTS, build_conv_network
from ..classifiers._presets import ConvNetPresets
from ._base import BaseNetRegressor


@fill_doc
class ConvNetRegressor(ConvNetPresets, BaseNetRegressor):
    """Convolutional neural network regressor trained with Keras.

    The architecture of :class:`ConvNetClassifier` (optional resizing,
    training-only augmentation, a strided stem, blocks of convolutions with
    max pooling, flatten or global pooling, dense layers) with one linear
    output per target, trained on the mean squared error: counts, angles,
    ages or any number read from an image. uint8 pixels are scaled by 1/255
    inside the network; ``X`` may also be a 1-D array of image file paths.
    The presets :meth:`reference`, :meth:`mnist` and :meth:`pets` build the
    classifier's studied architectures.

    Parameters
    ----------
    <conv parameters>
    <training parameters: regressor>

    Attributes
    ----------
    model_ : keras.Model
        The trained network, ending in one linear output per target.
    n_outputs_ : int
        Number of targets.
    history_ : dict of lists
        Per-epoch ``loss`` (mean squared error) and, with validation,
        ``val_loss`` (plus ``learning_rate`` when it changes).
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
    image_shape_ : tuple of int
        ``(height, width, channels)`` the flat samples are reshaped to.

    See Also
    --------
    ConvNetClassifier : The same network for class labels.
    DenseNetRegressor : A fully connected regressor.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skvision import ConvNetRegressor
    >>> X, _ = load_digits(return_X_y=True)
    >>> images = X.reshape(-1, 8, 8) / 16
    >>> ink = images.mean(axis=(1, 2))  # how much of each image is ink
    >>> reg = ConvNetRegressor(conv_blocks=((8,),), dense_layer_sizes=(16,),
    ...                        max_iter=5, random_state=0).fit(images, ink)
    >>> reg.predict(images[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        **BaseNetRegressor._parameter_constraints,
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
        warm_start=False,
        random_state=None,
        verbose=0,
        dtype="float32",
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
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype

    # -- presets: the studies' networks in one call ---------------------------
    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        return build_conv_network(self, input_shape, n_outputs, pixel_scale, seed)
