"""A backbone's pooled features as a scikit-learn transformer."""

import math
from numbers import Integral

from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._base import KerasEstimator
from .._fixes import Interval, StrOptions, _fit_context
from .._networks.backbone import build_backbone_features
from .._networks.params import resolve_image_shape
from .._random import draw_seed, seeded
from .._training import DTYPES, building_scope
from ._sources import BACKBONE_CONSTRAINTS, resolve_backbone


class BackboneFeatures(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, KerasEstimator
):
    """Pooled features of a pretrained or self-trained backbone.

    ``fit`` trains nothing: it builds the feature extractor for the images'
    shape. ``transform`` runs it batch by batch on images (uint8 stay uint8
    until a batch is formed) or on image file paths, so
    ``make_pipeline(BackboneFeatures(), LogisticRegression())`` is transfer
    learning with any scikit-learn model on top.

    Parameters
    ----------
    backbone : str, keras.Model, callable or fitted estimator, \
            default="MobileNetV3Small"
        The feature extractor, as for :class:`BackboneClassifier`: a
        ``keras.applications`` name, a ``keras.Model`` (pixels in [0, 1]), a
        function ``image_shape -> keras.Model``, or a fitted skvision
        classifier or autoencoder (wrap it in ``sklearn.frozen.FrozenEstimator``
        to keep it fitted through ``clone``).
    weights : "imagenet", None, str or os.PathLike, default="imagenet"
        Weights of a named network, or a weights file (see
        :class:`BackboneClassifier`).
    pooling : {"avg", "max", "flatten"}, default="avg"
        How the backbone's feature maps become a vector.
    image_shape : tuple of int or None, default=None
        ``(height, width[, channels])`` of flat samples, or the size image
        files are decoded to; None takes the shape of the images given to
        ``fit``.
    batch_size : int, default=128
        Images per forward pass in ``transform``.
    random_state : int, RandomState instance or None, default=None
        Seeds the random weights of ``weights=None``.
    dtype : {"float32", "float64", "mixed_float16", "mixed_bfloat16"}, \
            default="float32"
        Precision of the layers around the backbone and of the features. A
        backbone passed as a model keeps its own; one named by its Keras
        application takes a mixed policy too, computing in half precision
        (faster on GPUs with tensor cores), with float32 weights and features.

    Attributes
    ----------
    model_ : keras.Model
        Images (flat) to features; its layer "backbone" is the extractor.
    image_shape_ : tuple of int
        ``(height, width, channels)`` of the images.
    n_features_in_ : int
        Number of (flattened) input features.
    input_shape_ : tuple of int
        Shape of one input sample as given to ``fit``.
    pixel_scale_ : float
        1/255 when fitted on uint8 images, else 1.

    See Also
    --------
    BackboneClassifier : Train (and fine-tune) a softmax head on a backbone.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skvision import BackboneFeatures, ConvNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> images = X.reshape(-1, 8, 8) / 16
    >>> net = ConvNetClassifier(conv_blocks=((8,),), dense_layer_sizes=(16,),
    ...                         max_iter=3, random_state=0).fit(images[:900], y[:900])
    >>> model = make_pipeline(BackboneFeatures(net), LogisticRegression(max_iter=500))
    >>> model.fit(images[900:1300], y[900:1300]).score(images[1300:], y[1300:]) > 0.6
    True
    """

    _parameter_constraints = {
        **BACKBONE_CONSTRAINTS,
        "image_shape": [tuple, list, None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "dtype": [StrOptions(set(DTYPES))],
    }
    _scales_pixels = True
    _accepts_paths = True

    def __init__(
        self,
        backbone="MobileNetV3Small",
        *,
        weights="imagenet",
        pooling="avg",
        image_shape=None,
        batch_size=128,
        random_state=None,
        dtype="float32",
    ):
        self.backbone = backbone
        self.weights = weights
        self.pooling = pooling
        self.image_shape = image_shape
        self.batch_size = batch_size
        self.random_state = random_state
        self.dtype = dtype

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = [self._float_dtype]
        tags.requires_fit = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Build the feature extractor for the images in ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Images, flat samples (with ``image_shape``), or a 1-D array of
            image file paths.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X, _, image_shape = self._check_samples(X, reset=True)
        self.input_shape_ = tuple(image_shape or (X.shape[1],))
        seed = None if self.random_state is None else draw_seed(self.random_state)
        with seeded(seed), building_scope(self.dtype):
            self.model_, attributes = self._build_network(
                input_shape=self.input_shape_,
                n_outputs=None,
                pixel_scale=self._pixel_scale,
                seed=seed,
            )
        self.image_shape_ = attributes["image_shape_"]
        self._make_predictors()
        return self

    def transform(self, X):
        """The backbone's pooled features of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Images as given to ``fit``, or image file paths.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            One row of features per image.
        """
        X = self._check_predict_input(X)
        features = self._outputs(self._predictor, X)
        return features.astype(self._float_dtype, copy=False)

    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        n_features = math.prod(input_shape)
        image_shape = resolve_image_shape(n_features, self.image_shape, input_shape)
        backbone, spec = resolve_backbone(self.backbone, self.weights, image_shape)
        model = build_backbone_features(
            n_features,
            image_shape=image_shape,
            backbone=backbone,
            spec=spec,
            pooling=self.pooling,
            pixel_scale=pixel_scale,
            dtype=self.dtype,
        )
        return model, {"image_shape_": image_shape}

    def _feature_model(self):
        return self.model_

    @property
    def _n_features_out(self):
        check_is_fitted(self, "model_")
        return self.model_.output_shape[-1]
