"""A classification head on a pretrained or self-trained backbone."""

import math
from numbers import Integral, Real

from .._docstrings import fill_doc
from .._fixes import Interval, StrOptions
from .._networks import ACTIVATIONS
from .._networks.backbone import build_backbone_net, set_trainable
from .._networks.params import resolve_image_shape
from ..classifiers._base import BaseNetClassifier
from ._sources import BACKBONE_CONSTRAINTS, resolve_backbone


@fill_doc
class BackboneClassifier(BaseNetClassifier):
    """Transfer learning: a classifier trained on a backbone's features.

    The backbone is a ``keras.applications`` network (ImageNet weights by
    default), a ``keras.Model``, a function that builds one, or a fitted
    skvision estimator, whose feature layers are reused on new data. Images
    are adapted to what the backbone reads: resized to its input size (or its
    minimum), grayscale repeated to RGB, scaled to its value range and passed
    through the application's own ``preprocess_input``. The backbone runs in
    inference mode, so batch normalization keeps its statistics.

    Training first fits the head (pooling, dense layers, softmax) with the
    backbone frozen. From epoch ``fine_tune_from`` on, the top
    ``fine_tune_layers`` layers of the backbone train too, at
    ``fine_tune_learning_rate`` (batch normalization layers stay frozen). The
    optimizer is then rebuilt, as the new trainable weights need state of
    their own; early stopping ends each phase on its own.

    ``X`` is images (``(n, h, w[, c])``, uint8 or floats in [0, 1]), flat
    samples with ``image_shape``, or a 1-D array of image file paths decoded
    to ``image_shape`` batch by batch.

    Parameters
    ----------
    backbone : str, keras.Model, callable or fitted estimator, \
            default="MobileNetV3Small"
        The feature extractor:

        - the name of a ``keras.applications`` network, e.g.
          ``"MobileNetV3Small"``, ``"EfficientNetB0"`` or ``"ResNet50"``,
          without its top;
        - a ``keras.Model`` reading images ``(h, w, c)`` with pixels in
          [0, 1] (or flat samples); it is copied, never trained in place;
        - a function ``image_shape -> keras.Model``, called at each fit;
        - a fitted skvision classifier or autoencoder: its layers up to the
          softmax, or its encoder. Wrap it in
          ``sklearn.frozen.FrozenEstimator`` to keep it fitted through
          ``clone`` (in searches and ``cross_validate``).
    weights : "imagenet", None, str or os.PathLike, default="imagenet"
        Weights of a named network: ``"imagenet"`` (Keras' download and
        cache, ``$KERAS_HOME/models``; without network, a clear error naming
        the file to put there), None (random), or a weights file. For a model
        or builder, a weights file loads into it; otherwise its own weights
        are kept.
    pooling : {"avg", "max", "flatten"}, default="avg"
        How the backbone's feature maps become features.
    dense_layer_sizes : tuple of int, default=()
        Hidden dense layers of the head.
    dropout : float, default=0.2
        Dropout after each hidden dense layer or, without any, after the
        features.
    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "tanh"}, \
            default="relu"
        Activation of the head's hidden layers.
    l2 : float, default=0.0
        L2 penalty on the head's kernels.
    fine_tune_from : int or None, default=None
        Epoch from which the backbone trains too; None keeps it frozen, 0
        trains it from the start.
    fine_tune_layers : "all" or int, default="all"
        How many of the backbone's top-level layers train from
        ``fine_tune_from``, counted from its output.
    fine_tune_learning_rate : float or None, default=None
        Learning rate of the fine-tuning phase; None is
        ``learning_rate_init / 10``.
    image_shape : tuple of int or None, default=None
        ``(height, width[, channels])`` of flat samples, or the size image
        files are decoded to; None takes the shape of the images given to
        ``fit``.
    rotation_range : float, default=0.0
        Training-only random rotation, in degrees (up to ± this).
    zoom_range : float, default=0.0
        Training-only random zoom in or out by up to this fraction.
    translation_range : float, default=0.0
        Training-only random shift by up to this fraction of height and width.
    brightness : float, default=0.0
        Training-only random additive brightness shift (pixels in [0, 1]).
    horizontal_flip : bool, default=False
        Training-only random left-right flips.
    <training parameters: classifier>

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    model_ : keras.Model
        The network; its layer "backbone" is the feature extractor.
    image_shape_ : tuple of int
        ``(height, width, channels)`` of the images the network reads.
    history_ : dict of lists
        Per-epoch ``loss``, ``accuracy`` and, with validation, ``val_loss`` and
        ``val_accuracy``.
    best_epoch_ : int
        Index in ``history_`` of the epoch whose weights the model holds.
    n_iter_ : int
        Number of epochs trained.
    n_features_in_ : int
        Number of (flattened) input features.
    input_shape_ : tuple of int
        Shape of one input sample as given to ``fit``.
    pixel_scale_ : float
        1/255 when fitted on uint8 images, else 1.

    See Also
    --------
    BackboneFeatures : The backbone's features, for any scikit-learn model.
    ConvNetClassifier : A convolutional network trained from scratch.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvision import BackboneClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> images = (X.reshape(-1, 8, 8) * 16).astype("uint8")
    >>> clf = BackboneClassifier("MobileNetV3Small", weights=None, max_iter=2,
    ...                          random_state=0).fit(images[:200], y[:200])
    >>> clf.model_.get_layer("backbone").trainable
    False
    >>> clf.predict(images[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        **BaseNetClassifier._parameter_constraints,
        **BACKBONE_CONSTRAINTS,
        "dense_layer_sizes": [tuple, list],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "l2": [Interval(Real, 0, None, closed="left")],
        "fine_tune_from": [Interval(Integral, 0, None, closed="left"), None],
        "fine_tune_layers": [
            StrOptions({"all"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "fine_tune_learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "image_shape": [tuple, list, None],
        "rotation_range": [Interval(Real, 0, 180, closed="both")],
        "zoom_range": [Interval(Real, 0, 1, closed="left")],
        "translation_range": [Interval(Real, 0, 1, closed="left")],
        "brightness": [Interval(Real, 0, 1, closed="both")],
        "horizontal_flip": ["boolean"],
    }

    def __init__(
        self,
        backbone="MobileNetV3Small",
        *,
        weights="imagenet",
        pooling="avg",
        dense_layer_sizes=(),
        dropout=0.2,
        activation="relu",
        l2=0.0,
        fine_tune_from=None,
        fine_tune_layers="all",
        fine_tune_learning_rate=None,
        image_shape=None,
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
        self.backbone = backbone
        self.weights = weights
        self.pooling = pooling
        self.dense_layer_sizes = dense_layer_sizes
        self.dropout = dropout
        self.activation = activation
        self.l2 = l2
        self.fine_tune_from = fine_tune_from
        self.fine_tune_layers = fine_tune_layers
        self.fine_tune_learning_rate = fine_tune_learning_rate
        self.image_shape = image_shape
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

    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        n_features = math.prod(input_shape)
        image_shape = resolve_image_shape(n_features, self.image_shape, input_shape)
        backbone, spec = resolve_backbone(self.backbone, self.weights, image_shape)
        set_trainable(
            backbone, self.fine_tune_layers if self.fine_tune_from == 0 else 0
        )
        augmentation = dict(
            rotation_range=self.rotation_range,
            zoom_range=self.zoom_range,
            translation_range=self.translation_range,
            brightness=self.brightness,
            horizontal_flip=self.horizontal_flip,
        )
        model = build_backbone_net(
            n_features,
            n_outputs,
            output_activation=self._output_activation,
            image_shape=image_shape,
            backbone=backbone,
            spec=spec,
            pooling=self.pooling,
            dense_layer_sizes=self.dense_layer_sizes,
            dropout=self.dropout,
            augmentation=augmentation,
            pixel_scale=pixel_scale,
            activation=self.activation,
            l2=self.l2,
            seed=seed,
            dtype=self.dtype,
        )
        return model, {"image_shape_": image_shape}

    # -- the two phases: head only, then fine-tuning ---------------------------
    def _epochs_in_phase(self):
        if self.fine_tune_from is None or self._backbone_trains:
            return None
        return max(0, self.fine_tune_from - self.current_epoch)

    def _next_phase(self):
        set_trainable(self.model_.get_layer("backbone"), self.fine_tune_layers)
        # Keras needs a recompile after the trainable weights change.
        self._compile(self._phase_learning_rate())

    def _phase_learning_rate(self):
        if not self._backbone_trains:
            return self.learning_rate_init
        if self.fine_tune_learning_rate is not None:
            return self.fine_tune_learning_rate
        return self.learning_rate_init / 10

    @property
    def _backbone_trains(self):
        return self.model_.get_layer("backbone").trainable
