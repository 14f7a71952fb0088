"""Any Keras model as a scikit-learn classifier."""

from .._docstrings import fill_doc
from ..classifiers._base import BaseNetClassifier
from ._base import UserModelMixin


@fill_doc
class KerasClassifier(UserModelMixin, BaseNetClassifier):
    """A Keras model of your own as a scikit-learn classifier.

    ``model`` is a ``keras.Model``, or a function that builds one, called at
    each fit as ``model(input_shape, n_outputs, **model_params)``:
    ``input_shape`` is one sample's shape as the network receives it (e.g.
    ``(28, 28, 1)`` for images, ``(784,)`` for flat samples), ``n_outputs``
    the number of classes (or of labels, for a 0/1 label matrix ``y``), and
    ``model_params`` the estimator's ``model__<name>`` parameters, which
    ``get_params``, ``set_params``, ``clone`` and the searches handle like any
    other. A ``keras.Model`` is copied at each fit, with its current weights,
    and never trained in place.

    The network receives images as floats: uint8 pixels are scaled to
    [0, 1] inside the estimator's network, ahead of yours. How its outputs
    are read:

    - a last layer ending in a softmax (multiclass) or a sigmoid (binary with
      one output, multi-label) gives probabilities;
    - any other last layer gives logits: the loss is computed
      ``from_logits`` and ``predict_proba`` applies the softmax or sigmoid.

    The loss follows the targets, unless ``loss`` is set or the builder
    returns a compiled model (its loss is then kept): sparse categorical
    cross-entropy over ``n_outputs`` classes (class indices as targets),
    binary cross-entropy for a single output on binary ``y`` or for
    multi-label ``y`` (0/1 targets, ``predict`` thresholds at 0.5).
    Everything else (optimizer, learning-rate schedule, early stopping,
    callbacks, weights, ``partial_fit``, file paths as ``X``) is shared with
    the other skvision classifiers.

    Parameters
    ----------
    model : keras.Model or callable
        The network, or a function ``(input_shape, n_outputs, **kwargs) ->
        keras.Model`` (uncompiled, or compiled with the loss to keep). One
        input, one output of shape ``(batch, n_outputs)``.
    loss : str, keras.losses.Loss, callable or None, default=None
        A Keras loss instead of the one the targets imply.
    image_shape : tuple of int or None, default=None
        ``(height, width[, channels])`` of the images in flat samples, or the
        size image files are decoded to when ``X`` is a 1-D array of file
        paths. None: images are used in their own shape, flat samples stay
        flat.
    <training parameters: classifier>
    **model_params
        The builder's arguments, as ``model__<name>=value``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (for multi-label ``y``, the label indices).
    model_ : keras.Model
        The trained network: the estimator's input pipeline (scaling,
        reshaping), then a copy of yours.
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
    KerasRegressor : The same for regression targets.
    DenseNetClassifier, ConvNetClassifier : skvision's own networks.

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import load_digits
    >>> from skvision import KerasClassifier
    >>> def mlp(input_shape, n_outputs, units=32):
    ...     return keras.Sequential([
    ...         keras.Input(input_shape),
    ...         keras.layers.Dense(units, activation="relu"),
    ...         keras.layers.Dense(n_outputs, activation="softmax"),
    ...     ])
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = KerasClassifier(mlp, model__units=64, max_iter=20, random_state=0)
    >>> clf.fit(X / 16, y).score(X / 16, y) > 0.9
    True
    >>> clf.get_params()["model__units"]
    64
    """

    _parameter_constraints = {
        **BaseNetClassifier._parameter_constraints,
        **UserModelMixin._parameter_constraints,
    }

    def __init__(
        self,
        model=None,
        *,
        loss=None,
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
        test_time_augmentation=0,
        **model_params,
    ):
        self.model = model
        self.loss = loss
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
        self.test_time_augmentation = test_time_augmentation
        self._store_model_params(model_params)

    def _check_output_size(self, size, n_outputs):
        what = "labels" if self._multilabel else "classes"
        if size == n_outputs or (size == 1 and n_outputs == 2 and not self._multilabel):
            return
        also = " (or 1, a sigmoid, for binary y)" if n_outputs == 2 else ""
        raise ValueError(
            f"The model outputs {size} values per sample, but y has {n_outputs} "
            f"{what}: its last layer needs {n_outputs} units{also}."
        )

    def _make_loss(self):
        loss = super()._make_loss()
        name = loss if isinstance(loss, str) else getattr(loss, "name", None)
        name = name or getattr(loss, "__name__", "")
        if name in _ONE_HOT_LOSSES and not self._sigmoid_outputs:
            raise ValueError(
                f"The loss {name!r} reads one-hot targets, but {type(self).__name__} "
                "gives the loss class indices (0 to n_classes - 1); use "
                f"'sparse_{name}' or leave loss=None."
            )
        return loss


# Losses of one-hot targets, with a sparse_ counterpart for class indices.
_ONE_HOT_LOSSES = ("categorical_crossentropy", "categorical_focal_crossentropy")
