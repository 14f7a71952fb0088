"""A convolutional autoencoder for images."""

import math
from numbers import Integral, Real

from .._docstrings import fill_doc
from .._fixes import Interval, StrOptions
from .._networks import ACTIVATIONS, DOWNSAMPLING, UPSAMPLING, build_conv_autoencoder
from .._networks.conv import resolve_image_shape
from ._base import BaseAutoencoder


@fill_doc
class ConvAutoencoder(BaseAutoencoder):
    """Convolutional autoencoder trained with Keras, as a transformer.

    The encoder is one ``Conv2D -> [BatchNormalization] -> activation`` block
    per entry of ``filters``, each halving the height and width (a stride-2
    convolution, or 2x2 max pooling after it), then a ``Dense(latent_dim)``
    code. The decoder mirrors it: a dense layer back to the smallest feature
    maps, one block per entry of ``filters`` reversed that doubles them (a
    stride-2 transposed convolution, or upsampling then a convolution), and a
    final convolution to the image's channels. ``transform`` gives the codes,
    ``inverse_transform`` turns codes back into images shaped like those
    given to ``fit``.

    Images come as ``(n, height, width)``, ``(n, height, width, channels)`` or
    flat ``(n, n_features)`` with ``image_shape`` (square gray images need
    none), as for :class:`~skvision.ConvNetClassifier`; uint8 pixels are
    scaled by 1/255. ``X`` may also be a 1-D array of image file paths,
    decoded to ``image_shape`` batch by batch in ``fit``, ``transform`` and
    ``score``. The default ``output_activation="sigmoid"`` suits pixels
    in [0, 1]; use "linear" for other data.

    Parameters
    ----------
    latent_dim : int, default=32
        Size of the code: the number of features ``transform`` returns.
    filters : tuple of int, default=(32, 64)
        Filters of each encoder block, from the input inwards; its length is
        the depth. The decoder uses them reversed.
    kernel_size : int, default=3
        Height and width of every convolution kernel.
    downsampling : {"stride", "pool"}, default="stride"
        How encoder blocks halve the feature maps: a stride-2 convolution, or
        a convolution then 2x2 max pooling.
    upsampling : {"transpose", "nearest"}, default="transpose"
        How decoder blocks double them: a stride-2 transposed convolution, or
        nearest-neighbour upsampling then a convolution.
    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "tanh"}, \
            default="relu"
        Activation of the convolution blocks.
    negative_slope : float, default=0.3
        Slope for negative inputs when ``activation="leaky_relu"``.
    batch_normalization : bool, default=True
        Batch-normalize each convolution's outputs.
    image_shape : tuple of int, default=None
        ``(height, width)`` or ``(height, width, channels)`` of one image when
        ``X`` is flat (one entry may be -1). None uses the shape of the images
        given to ``fit``, or a square gray image for flat samples. When ``X``
        is a 1-D array of image file paths, the size they are decoded to.
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
    image_shape_ : tuple of int
        ``(height, width, channels)`` the flat samples are reshaped to.
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
    DenseAutoencoder : A fully connected autoencoder.
    skvision.ConvNetClassifier : The convolutional classifier.
    skvision.metrics.reconstruction_error : Per-sample reconstruction errors.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvision import ConvAutoencoder
    >>> images = load_digits().images / 16
    >>> ae = ConvAutoencoder(latent_dim=8, filters=(8, 16), max_iter=10,
    ...                      random_state=0).fit(images)
    >>> ae.image_shape_, ae.transform(images).shape
    ((8, 8, 1), (1797, 8))
    >>> ae.inverse_transform(ae.transform(images[:2])).shape
    (2, 8, 8)
    """

    _accepts_paths = True
    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "filters": [tuple, list],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "downsampling": [StrOptions(set(DOWNSAMPLING))],
        "upsampling": [StrOptions(set(UPSAMPLING))],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "batch_normalization": ["boolean"],
        "image_shape": [tuple, list, None],
    }

    def __init__(
        self,
        latent_dim=32,
        *,
        filters=(32, 64),
        kernel_size=3,
        downsampling="stride",
        upsampling="transpose",
        activation="relu",
        negative_slope=0.3,
        batch_normalization=True,
        image_shape=None,
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
        self.filters = filters
        self.kernel_size = kernel_size
        self.downsampling = downsampling
        self.upsampling = upsampling
        self.activation = activation
        self.negative_slope = negative_slope
        self.batch_normalization = batch_normalization
        self.image_shape = image_shape
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
        image_shape = resolve_image_shape(
            math.prod(input_shape), self.image_shape, input_shape
        )
        model = build_conv_autoencoder(
            image_shape,
            self.latent_dim,
            filters=self.filters,
            kernel_size=self.kernel_size,
            downsampling=self.downsampling,
            upsampling=self.upsampling,
            activation=self.activation,
            negative_slope=self.negative_slope,
            batch_normalization=self.batch_normalization,
            latent_activation=self.latent_activation,
            output_activation=self.output_activation,
            activity_l1=self.activity_l1,
            noise_std=self.noise_std,
            mask_fraction=self.mask_fraction,
            seed=seed,
            dtype=self.dtype,
        )
        return model, {"image_shape_": image_shape}
