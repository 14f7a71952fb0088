"""A convolutional network classifier, with presets for the studies' nets."""

import math
from numbers import Integral, Real

from .._docstrings import fill_doc
from .._fixes import Interval, StrOptions
from .._networks import ACTIVATIONS, build_conv_classifier
from .._networks.params import PADDINGS, POOLINGS, resolve_image_shape
from . import _presets
from ._base import BaseNetClassifier


@fill_doc
class ConvNetClassifier(BaseNetClassifier):
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
    conv_blocks : tuple of tuple of int, default=((32, 32), (64, 64))
        Filters of each convolution, grouped in blocks; each block is followed
        by max pooling. ``((32,), (64,), (128, 128, 64))`` is five
        convolutions in three blocks.
    kernel_size : int or tuple, default=3
        Square kernel size of every convolution, or one per block, whose
        entries may be tuples with one size per convolution of the block.
    padding : {"same", "valid"} or tuple, default="same"
        Padding of every convolution, or per block (or per convolution) as
        for ``kernel_size``.
    pool_size : int, None or tuple, default=2
        Window and stride of the max pooling after each block, or one per
        block; None (or 1) means no pooling after that block.
    width : float, default=1.0
        Multiplier of every filter count (convolutions and stem), rounded half
        up and at least 1: ``width=0.5`` halves the network's width.
    stem_filters : int or None, default=None
        Filters of a strided "same" convolution before the blocks; None for
        no stem.
    stem_kernel_size : int, default=7
        Kernel size of the stem.
    stem_stride : int, default=2
        Stride of the stem.
    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "tanh"}, \
            default="relu"
        Activation of the convolutions and hidden dense layers.
    negative_slope : float, default=0.3
        Slope for negative inputs when ``activation="leaky_relu"``.
    batch_normalization : bool, default=True
        Batch-normalize the convolutions' and dense layers' pre-activations.
    pooling : {"flatten", "avg", "max"}, default="flatten"
        How the last feature maps become features: flattened, or global
        average or max pooling over their positions.
    dense_layer_sizes : tuple of int, default=(256,)
        Units of the hidden dense layers between the features and the softmax.
    dropout : float, default=0.4
        Fraction dropped after each hidden dense layer while training or, when
        ``dense_layer_sizes=()``, after the features.
    l2 : float, default=0.0
        L2 penalty on the kernels of the convolutions and dense layers.
    image_shape : tuple of int or None, default=None
        ``(height, width[, channels])`` of the images in flat samples; one
        entry may be -1 (as in ``numpy.reshape``). None takes the shape of the
        images given to ``fit`` (``(n, h, w)`` or ``(n, h, w, c)``) or, for
        flat samples, a square one-channel image when the number of features
        is a perfect square (otherwise ``fit`` raises a ValueError asking for
        ``image_shape``). ``(-1, 1, 1)`` treats any flat vector as a column
        image, e.g. after feature transformers. When ``X`` is a 1-D array of
        image file paths, the size the files are decoded (and resized) to,
        e.g. ``(224, 224, 3)`` for colour photos.
    resize_to : tuple (height, width) or None, default=None
        Resize the images (bilinear, antialiased) inside the network, e.g.
        105x105 Omniglot characters to 28x28.
    rotation_range : float, default=0.0
        Training-only random rotation, in degrees (up to ± this).
    zoom_range : float, default=0.0
        Training-only random zoom in or out by up to this fraction.
    translation_range : float, default=0.0
        Training-only random shift by up to this fraction of height and width.
    brightness : float, default=0.0
        Training-only random brightness shift by up to ± this fraction of the
        pixel range, clipped to [0, 1] (Keras' additive ``RandomBrightness``,
        ``value_range=(0, 1)``): 0.3 is the additive counterpart of a
        0.7-1.3 brightness factor. uint8 images are in [0, 1] after scaling;
        float images are assumed to be in [0, 1] too.
    horizontal_flip : bool, default=False
        Training-only random left-right flips.
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

    # -- presets: the studies' networks in one call ---------------------------
    @classmethod
    def reference(cls, *, n_conv=5, kernel_size=3, **params):
        """The AlexNet-style reference net and its kernel and depth variants.

        On 28x28x1 images with the defaults it is conv32-pool, conv64-pool,
        conv128 (valid), conv128 (valid), conv64-pool (3x3 kernels), flatten,
        dense 128 + dropout, dense 64 + dropout, softmax: 331,274 parameters
        for 10 classes. ``width`` (in ``params``) scales the filters.

        Parameters
        ----------
        n_conv : int, default=5
            Number of convolutions (at least 3): the last block holds
            ``n_conv - 3`` convolutions of 128 filters, then one of 64; its
            first two (at most) use "valid" padding.
        kernel_size : int, default=3
            Kernel size of every convolution. The reference's "valid"
            convolutions are meant for 3x3 kernels; other sizes use "same"
            padding everywhere.
        **params
            Any other parameter of :class:`ConvNetClassifier`, overriding the
            preset's.

        Returns
        -------
        ConvNetClassifier
            An unfitted classifier.

        Examples
        --------
        >>> from skvision import ConvNetClassifier
        >>> ConvNetClassifier.reference(width=0.5).conv_blocks
        ((32,), (64,), (128, 128, 64))
        """
        return cls(**{**_presets.reference(n_conv, kernel_size), **params})

    @classmethod
    def mnist(cls, **params):
        """The small MNIST CNN: 32-pool, 64-pool, 128-pool, dense 256, augmented.

        Batch normalization, dropout 0.4, ±10° rotation, 10 % zoom and
        shifts, and a learning rate of 1e-3 stepped down to 3e-5 over 11
        epochs without early stopping. Its accuracy and training time on
        MNIST are measured by ``benchmarks/bench_conv.py`` (see the README).

        Parameters
        ----------
        **params
            Any parameter of :class:`ConvNetClassifier`, overriding the
            preset's.

        Returns
        -------
        ConvNetClassifier
            An unfitted classifier.

        Examples
        --------
        >>> from skvision import ConvNetClassifier
        >>> ConvNetClassifier.mnist(max_iter=5).rotation_range
        10.0
        """
        return cls(**{**_presets.mnist(), **params})

    @classmethod
    def pets(cls, **params):
        """The pets net for colour images (e.g. 128x128 Oxford-IIIT pets).

        A 7x7 stride-2 stem of 32 filters, conv-BN-ReLU blocks of 64; 128,
        128; 256, 256 filters each followed by 2x2 max pooling, global
        average pooling, dropout 0.5 and a softmax, trained with flips, ±10°
        rotations and 10 % zoom.

        Parameters
        ----------
        **params
            Any parameter of :class:`ConvNetClassifier`, overriding the
            preset's.

        Returns
        -------
        ConvNetClassifier
            An unfitted classifier.

        Examples
        --------
        >>> from skvision import ConvNetClassifier
        >>> ConvNetClassifier.pets().pooling
        'avg'
        """
        return cls(**{**_presets.pets(), **params})

    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        n_features = math.prod(input_shape)
        image_shape = resolve_image_shape(n_features, self.image_shape, input_shape)
        stem = None
        if self.stem_filters is not None:
            stem = (self.stem_filters, self.stem_kernel_size, self.stem_stride)
        augmentation = dict(
            rotation_range=self.rotation_range,
            zoom_range=self.zoom_range,
            translation_range=self.translation_range,
            brightness=self.brightness,
            horizontal_flip=self.horizontal_flip,
        )
        model = build_conv_classifier(
            n_features,
            n_outputs,
            image_shape=image_shape,
            conv_blocks=self.conv_blocks,
            kernel_size=self.kernel_size,
            padding=self.padding,
            pool_size=self.pool_size,
            width=self.width,
            stem=stem,
            pooling=self.pooling,
            dense_layer_sizes=self.dense_layer_sizes,
            dropout=self.dropout,
            resize_to=self.resize_to,
            augmentation=augmentation,
            pixel_scale=pixel_scale,
            activation=self.activation,
            negative_slope=self.negative_slope,
            batch_normalization=self.batch_normalization,
            l2=self.l2,
            seed=seed,
            dtype=self.dtype,
        )
        return model, {"image_shape_": image_shape}
