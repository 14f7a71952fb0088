"""Any Keras model as a scikit-learn regressor."""

from .._docstrings import fill_doc
from ..regressors._base import BaseNetRegressor
from ._base import UserModelMixin


@fill_doc
class KerasRegressor(UserModelMixin, BaseNetRegressor):
    """A Keras model of your own as a scikit-learn regressor.

    ``model`` is a ``keras.Model``, or a function that builds one, called at
    each fit as ``model(input_shape, n_outputs, **model_params)``:
    ``input_shape`` is one sample's shape as the network receives it,
    ``n_outputs`` the number of regression targets (1 for a 1-D ``y``), and
    ``model_params`` the estimator's ``model__<name>`` parameters, tuned by
    the searches like any other parameter. A ``keras.Model`` is copied at
    each fit and never trained in place. uint8 pixels reach the network
    scaled to [0, 1]; its outputs are the predictions, so its last layer is
    usually linear. The loss is the mean squared error unless ``loss`` is set
    or the builder returns a compiled model (its loss is then kept).

    Parameters
    ----------
    model : keras.Model or callable
        The network, or a function ``(input_shape, n_outputs, **kwargs) ->
        keras.Model``. One input, one output of shape ``(batch, n_outputs)``.
    loss : str, keras.losses.Loss, callable or None, default=None
        A Keras loss instead of the mean squared error, e.g. ``"huber"``.
    image_shape : tuple of int or None, default=None
        ``(height, width[, channels])`` of the images in flat samples, or the
        size image files are decoded to. None: images are used in their own
        shape, flat samples stay flat.
    <training parameters: regressor>
    **model_params
        The builder's arguments, as ``model__<name>=value``.

    Attributes
    ----------
    model_ : keras.Model
        The trained network: the estimator's input pipeline, then a copy of
        yours.
    n_outputs_ : int
        Number of targets.
    history_ : dict of lists
        Per-epoch ``loss`` and, with validation, ``val_loss``.
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
    KerasClassifier : The same for class labels.
    DenseNetRegressor, ConvNetRegressor : skvision's own networks.

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import load_digits
    >>> from skvision import KerasRegressor
    >>> def linear(input_shape, n_outputs):
    ...     return keras.Sequential([keras.Input(input_shape),
    ...                              keras.layers.Dense(n_outputs)])
    >>> X, y = load_digits(return_X_y=True)
    >>> reg = KerasRegressor(linear, learning_rate_init=0.01, max_iter=50,
    ...                      random_state=0).fit(X / 16, y)
    >>> reg.score(X / 16, y) > 0.5
    True
    """

    _parameter_constraints = {
        **BaseNetRegressor._parameter_constraints,
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
        warm_start=False,
        random_state=None,
        verbose=0,
        dtype="float32",
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
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype
        self._store_model_params(model_params)

    def _check_output_size(self, size, n_outputs):
        if size != n_outputs:
            raise ValueError(
                f"The model outputs {size} values per sample, but y has "
                f"{n_outputs} targets: its last layer needs {n_outputs} units."
            )
