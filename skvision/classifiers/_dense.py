"""A fully connected ("dense") network classifier."""

import math
from numbers import Real

from .._docstrings import fill_doc
from .._fixes import Interval, StrOptions
from .._layer_sizes import LayerSizes
from .._networks import ACTIVATIONS, build_dense_classifier
from ._base import BaseNetClassifier


@fill_doc
class DenseNetClassifier(BaseNetClassifier):
    """Fully connected neural network classifier trained with Keras.

    Each hidden layer is ``Dense -> [BatchNormalization] -> activation ->
    [Dropout]``, followed by a softmax over the classes. Images of any layout
    are flattened; uint8 pixels are scaled by 1/255 inside the network. ``X``
    may also be a 1-D array of image file paths, decoded to ``image_shape``
    batch by batch.

    The defaults (512-256 units, batch normalization, dropout 0.3, Adam with
    a reduce-on-plateau learning rate, early stopping on a stratified 10 %
    validation split) reach about 98.4 % test accuracy on MNIST.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int or LayerSizes, default=(512, 256)
        Units of each hidden layer; ``()`` gives multinomial logistic regression.
        A :class:`~skvision.LayerSizes` makes depth and each width separate
        searchable parameters.
    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "tanh"}, \
            default="relu"
        Activation of the hidden layers.
    negative_slope : float, default=0.3
        Slope for negative inputs when ``activation="leaky_relu"``.
    batch_normalization : bool, default=True
        Batch-normalize each hidden layer's pre-activations.
    dropout : float, default=0.3
        Fraction of each hidden layer's outputs dropped while training.
    l2 : float, default=0.0
        L2 penalty on the hidden layers' kernels (Keras' ``L2(l2)``: ``l2 *
        sum(w ** 2)`` is added to the loss).
    image_shape : tuple of int or None, default=None
        ``(height, width[, channels])`` that image files are decoded (and
        resized) to when ``X`` is a 1-D array of file paths; ``(h, w)`` means
        one channel (grayscale). Arrays are used as given.
    <training parameters: classifier>

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    model_ : keras.Model
        The trained network.
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
    sklearn.neural_network.MLPClassifier : The scikit-learn counterpart.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvision import DenseNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DenseNetClassifier(hidden_layer_sizes=(64,), max_iter=20,
    ...                          random_state=0).fit(X / 16, y)
    >>> clf.score(X / 16, y) > 0.9
    True
    """

    _parameter_constraints = {
        **BaseNetClassifier._parameter_constraints,
        "hidden_layer_sizes": [tuple, list, LayerSizes],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "batch_normalization": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "l2": [Interval(Real, 0, None, closed="left")],
        "image_shape": [tuple, list, None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(512, 256),
        *,
        activation="relu",
        negative_slope=0.3,
        batch_normalization=True,
        dropout=0.3,
        l2=0.0,
        image_shape=None,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.negative_slope = negative_slope
        self.batch_normalization = batch_normalization
        self.dropout = dropout
        self.l2 = l2
        self.image_shape = image_shape
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

    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        model = build_dense_classifier(
            math.prod(input_shape),
            n_outputs,
            hidden_layer_sizes=self.hidden_layer_sizes,
            pixel_scale=pixel_scale,
            activation=self.activation,
            negative_slope=self.negative_slope,
            batch_normalization=self.batch_normalization,
            dropout=self.dropout,
            l2=self.l2,
            seed=seed,
            dtype=self.dtype,
        )
        return model, {}
