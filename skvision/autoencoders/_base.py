"""What every skvision autoencoder adds to the shared Keras bridge."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from .._base import KerasEstimator
from .._fixes import Interval, StrOptions, _fit_context
from .._inference import FastPredictor
from .._networks import LATENT_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .._validation import check_representable


class BaseAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, KerasEstimator
):
    """Learns ``X -> X``; ``transform`` encodes, ``inverse_transform`` decodes.

    Subclasses build a network whose layers ``"encoder"`` and ``"decoder"``
    are models (see :mod:`skvision._networks.autoencoder`).
    """

    _parameter_constraints = {
        **KerasEstimator._parameter_constraints,
        # Reconstruction has no accuracy to watch.
        "monitor": [StrOptions({"val_loss", "loss"})],
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "latent_activation": [StrOptions(set(LATENT_ACTIVATIONS))],
        "output_activation": [StrOptions(set(OUTPUT_ACTIVATIONS))],
        "loss": [StrOptions({"mean_squared_error", "binary_crossentropy"})],
        "noise_std": [Interval(Real, 0, None, closed="left")],
        "mask_fraction": [Interval(Real, 0, 1, closed="left")],
        "activity_l1": [Interval(Real, 0, None, closed="left")],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Codes come out in the network's precision (float32 under mixed
        # precision), whatever the input's.
        tags.transformer_tags.preserves_dtype = [self._float_dtype]
        return tags

    @property
    def _loss(self):
        return self.loss

    def _prepare_targets(self, X, y, *, reset, classes=None):
        if self.loss == "binary_crossentropy":
            _check_binary_crossentropy(X, self.output_activation)
        return X

    # -- fitting ----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, *, validation_data=None):
        """Train the network to reconstruct ``X`` for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Training samples: flat vectors or images; uint8 pixels are scaled
            by 1/255, other dtypes are used as given.
        y : None
            Ignored; present for pipelines.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the reconstruction loss; zero-weight samples
            are dropped.
        validation_data : array-like of shape (n_val, ...), default=None
            Clean validation samples, used instead of holding out
            ``validation_fraction`` of ``X``.

        Returns
        -------
        self : object
            The fitted autoencoder.
        """
        if validation_data is not None:
            validation_data = (validation_data, None)
        return self._fit(
            X,
            None,
            sample_weight=sample_weight,
            validation_data=validation_data,
            epochs=self.max_iter,
            incremental=False,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Train exactly one epoch on ``X``, keeping weights and optimizer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Training samples.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : object
            The autoencoder, trained one more epoch.
        """
        return self._fit(
            X,
            None,
            sample_weight=sample_weight,
            validation_data=None,
            epochs=1,
            incremental=True,
        )

    _predictor_attributes = ("_encode", "_decode")

    def _make_predictors(self):
        # The nested models share the full model's weights; its optimizer
        # tells their NumPy copies when to refresh.
        self._encode = FastPredictor(self.encoder_, trained_by=self.model_)
        self._decode = FastPredictor(self.decoder_, trained_by=self.model_)

    # -- the two halves -----------------------------------------------------------
    def _feature_model(self):
        """The sub-model from the inputs to the codes: the encoder."""
        return self.encoder_

    @property
    def encoder_(self):
        """keras.Model: inputs (flat) to codes; shares weights with ``model_``."""
        return self.model_.get_layer("encoder")

    @property
    def decoder_(self):
        """keras.Model: codes to flat reconstructions; shares ``model_``'s weights."""
        return self.model_.get_layer("decoder")

    @property
    def _n_features_out(self):
        # Raises AttributeError before fit, as check_is_fitted expects.
        return self.encoder_.output.shape[-1]

    # -- inference --------------------------------------------------------------
    def transform(self, X):
        """Encode samples into their latent codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Samples, in the layout and dtype used for fitting.

        Returns
        -------
        codes : ndarray of shape (n_samples, latent_dim)
            Codes, in the precision ``dtype`` (float32 under mixed precision).
        """
        X = self._check_predict_input(X)
        return self._outputs(self._encode, X)

    def inverse_transform(self, X):
        """Decode latent codes into samples in the layout and scale of fit's ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, latent_dim)
            Codes, e.g. from :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, *input_shape_)
            Reconstructions shaped like one sample given to ``fit``. After a
            fit on uint8 images they are uint8 images (rounded and clipped to
            0-255), so they go back into :meth:`transform` or any model
            fitted on the same pixels; otherwise floats of ``dtype``
            (float32 under mixed precision).
        """
        check_is_fitted(self, "model_")
        codes = check_array(X, dtype=[np.float32, np.float64])
        check_representable(codes, self._float_dtype)
        if codes.shape[1] != self._n_features_out:
            raise ValueError(
                f"X has {codes.shape[1]} features, but {type(self).__name__}."
                f"inverse_transform is expecting {self._n_features_out} features "
                "(latent_dim) as input."
            )
        flat = self._decode(codes.astype(self._float_dtype, copy=False))
        images = flat.reshape(len(flat), *self.input_shape_)
        if self.pixel_scale_ != 1.0:
            return np.clip(np.rint(images / self.pixel_scale_), 0, 255).astype(np.uint8)
        return images

    def score_samples(self, X):
        """Negative mean squared reconstruction error of each sample.

        Errors are in the network's scale: pixels in [0, 1] after a fit on
        uint8 images. Higher is better; low values flag unusual samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Samples, in the layout and dtype used for fitting.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-mean((x - reconstruction(x)) ** 2)`` over each sample's values.
        """
        X = self._check_predict_input(X)
        return self._outputs(self._reconstruction_scores, X)

    def __skvision_reconstruction_error__(self, X):
        """The errors of :func:`skvision.metrics.reconstruction_error`.

        ``-score_samples(X)``: in the network's scale, and from image file
        paths too. The metric asks for them by this name because importing
        this class would load Keras.
        """
        return -self.score_samples(X)

    def _reconstruction_scores(self, X):
        reconstructions = self._decode(self._encode(X))
        return -np.mean((X - reconstructions) ** 2, axis=1)

    def score(self, X, y=None, sample_weight=None):
        """Negative mean squared reconstruction error (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Samples, in the layout and dtype used for fitting.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the mean.

        Returns
        -------
        score : float
            Mean of :meth:`score_samples`.
        """
        return float(np.average(self.score_samples(X), weights=sample_weight))


def _check_binary_crossentropy(X, output_activation):
    """Cross-entropy reconstructs values in [0, 1] through a sigmoid output."""
    if output_activation != "sigmoid":
        raise ValueError(
            "loss='binary_crossentropy' needs output_activation='sigmoid' (outputs "
            f"in [0, 1]); got output_activation={output_activation!r}. Use "
            "loss='mean_squared_error' for linear outputs."
        )
    low, high = (float(X.min()), float(X.max())) if X.size else (0.0, 1.0)
    if low < 0 or high > 1:
        raise ValueError(
            "loss='binary_crossentropy' needs samples in [0, 1]; X has values in "
            f"[{low:.3g}, {high:.3g}]. Scale X to [0, 1] (uint8 images are scaled "
            "by 1/255) or use loss='mean_squared_error'."
        )
