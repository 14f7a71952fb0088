"""A fully connected autoencoder."""

import math
from numbers import Real

from .._docstrings import fill_doc
from .._fixes import Interval, StrOptions
from .._networks import ACTIVATIONS, build_dense_autoencoder
from ._base import BaseAutoencoder


@fill_doc
class DenseAutoencoder(BaseAutoencoder):
    """Fully connected autoencoder trained with Keras, as a transformer.

    ``fit`` trains the network to reconstruct its inputs; ``transform`` gives
    the codes (``latent_dim`` values per sample), ``inverse_transform`` turns
    codes back into samples shaped like those given to ``fit``. The encoder is
    ``Dense -> [BatchNormalization] -> activation`` per entry of
    ``hidden_layer_sizes`` then a ``Dense(latent_dim)`` code; the decoder
    mirrors it. Images of any layout are flattened; uint8 pixels are scaled by
    1/255.

    A positive ``noise_std`` or ``mask_fraction`` makes it a denoising
    autoencoder (inputs are corrupted while training, the targets stay
    clean); a positive ``activity_l1`` a sparse one.

    Parameters
    ----------
    latent_dim : int, default=32
        Size of the code: the number of features ``transform`` returns.
    hidden_layer_sizes : tuple of int, default=(256, 128)
        Units of the encoder's hidden layers, from the input inwards; the
        decoder uses them reversed.
    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "tanh"}, \
            default="relu"
        Activation of the hidden layers.
    negative_slope : float, default=0.3
        Slope for negative inputs when ``activation="leaky_relu"``.
    batch_normalization : bool, default=True
        Batch-normalize each hidden layer's pre-activations.
    dropout : float, default=0.0
        Fraction of each hidden layer's outputs dropped while training.
    l2 : float, default=0.0
        L2 penalty on the hidden layers' kernels.
    <autoencoder parameters>
    <training parameters: autoencoder>

    Attributes
    ----------
    model_ : keras.Model
        The trained network, inputs to reconstructions.
    encoder_ : keras.Model
        Its encoder (flat inputs to codes), sharing the weights of ``model_``.
    decoder_ : keras.Model
        Its decoder (codes to flat reconstructions).
    history_ : dict of lists
        Per-epoch ``loss`` and, with validation, ``val_loss`` (plus
        ``learning_rate`` when it changes).
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
    ConvAutoencoder : The convolutional counterpart, for images.
    sklearn.decomposition.PCA : The linear counterpart.
    skvision.metrics.reconstruction_error : Per-sample reconstruction errors.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvision import DenseAutoencoder
    >>> X = load_digits().data / 16
    >>> ae = DenseAutoencoder(latent_dim=8, hidden_layer_sizes=(32,),
    ...                       max_iter=20, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 8)
    >>> ae.inverse_transform(ae.transform(X[:2])).shape
    (2, 64)
    >>> ae.score(X) > -0.1
    True
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "hidden_layer_sizes": [tuple, list],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "batch_normalization": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "l2": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        latent_dim=32,
        *,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        negative_slope=0.3,
        batch_normalization=True,
        dropout=0.0,
        l2=0.0,
        latent_activation="linear",
        output_activation="sigmoid",
        loss="mean_squared_error",
        noise_std=0.0,
        mask_fraction=0.0,
        activity_l1=0.0,
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
        self.latent_dim = latent_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.negative_slope = negative_slope
        self.batch_normalization = batch_normalization
        self.dropout = dropout
        self.l2 = l2
        self.latent_activation = latent_activation
        self.output_activation = output_activation
        self.loss = loss
        self.noise_std = noise_std
        self.mask_fraction = mask_fraction
        self.activity_l1 = activity_l1
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
        model = build_dense_autoencoder(
            math.prod(input_shape),
            self.latent_dim,
            hidden_layer_sizes=self.hidden_layer_sizes,
            activation=self.activation,
            negative_slope=self.negative_slope,
            batch_normalization=self.batch_normalization,
            dropout=self.dropout,
            l2=self.l2,
            latent_activation=self.latent_activation,
            output_activation=self.output_activation,
            activity_l1=self.activity_l1,
            noise_std=self.noise_std,
            mask_fraction=self.mask_fraction,
            seed=seed,
            dtype=self.dtype,
        )
        return model, {}
