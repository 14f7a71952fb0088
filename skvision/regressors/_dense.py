"""A fully connected ("dense") network regressor."""

from .._docstrings import fill_doc
from ..classifiers._dense import DENSE_CONSTRAINTS, build_dense_network
from ._base import BaseNetRegressor


@fill_doc
class DenseNetRegressor(BaseNetRegressor):
    """Fully connected neural network regressor trained with Keras.

    The architecture of :class:`DenseNetClassifier` (``Dense ->
    [BatchNormalization] -> activation -> [Dropout]`` per hidden layer) with
    one linear output per target, trained on the mean squared error. Images
    of any layout are flattened; uint8 pixels are scaled by 1/255 inside the
    network. ``X`` may also be a 1-D array of image file paths, decoded to
    ``image_shape`` batch by batch.

    Parameters
    ----------
    <dense parameters>
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

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The scikit-learn counterpart.
    DenseNetClassifier : The same network for class labels.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvision import DenseNetRegressor
    >>> X, y = load_digits(return_X_y=True)
    >>> reg = DenseNetRegressor(hidden_layer_sizes=(64,), max_iter=30,
    ...                         random_state=0).fit(X / 16, y)
    >>> reg.score(X / 16, y) > 0.5
    True
    """

    _parameter_constraints = {
        **BaseNetRegressor._parameter_constraints,
        **DENSE_CONSTRAINTS,
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
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype

    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        return build_dense_network(self, input_shape, n_outputs, pixel_scale, seed)
