"""What every skvision regressor adds to the shared Keras bridge."""

import numpy as np
from sklearn.base import RegressorMixin

from .._base import KerasEstimator
from .._fixes import StrOptions, _fit_context


class BaseNetRegressor(RegressorMixin, KerasEstimator):
    """Numbers in, numbers out: one linear output per target, mean squared error.

    ``y`` of shape ``(n_samples,)`` gives predictions of that shape;
    ``(n_samples, n_targets)`` one column per target.
    """

    _parameter_constraints = {
        **KerasEstimator._parameter_constraints,
        "monitor": [StrOptions({"val_loss", "loss"})],
    }
    _scales_pixels = True
    _accepts_paths = True
    _multi_output = True
    _y_numeric = True
    _output_activation = "linear"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.regressor_tags.poor_score = False
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, validation_data=None):
        """Train the network for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Training samples: flat vectors, images (uint8 pixels are scaled by
            1/255) or, with ``image_shape``, a 1-D array of image file paths.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Finite target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights; zero-weight samples are dropped.
        validation_data : tuple (X_val, y_val), default=None
            A fixed validation set, used instead of holding out
            ``validation_fraction`` of ``X``.

        Returns
        -------
        self : object
            The fitted regressor.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            validation_data=validation_data,
            epochs=self.max_iter,
            incremental=False,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train exactly one epoch on ``(X, y)``, keeping weights and optimizer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Training samples.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : object
            The regressor, trained one more epoch.
        """
        return self._fit(
            X,
            y,
            sample_weight=sample_weight,
            validation_data=None,
            epochs=1,
            incremental=True,
        )

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, h, w[, c])
            Samples, in the layout and dtype used for fitting.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predictions, in the shape of the training targets.
        """
        X = self._check_predict_input(X)
        outputs = self._outputs(self._predictor, X)
        return outputs.ravel() if self._y_1d else outputs

    def _prepare_targets(self, X, y, *, reset, classes=None):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = np.asarray(y)
        if reset:
            self._y_1d = y.ndim == 1
            self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        elif (1 if y.ndim == 1 else y.shape[1]) != self.n_outputs_:
            raise ValueError(
                f"y has {1 if y.ndim == 1 else y.shape[1]} targets per sample, but "
                f"{type(self).__name__} was fitted on {self.n_outputs_}."
            )
        return y.reshape(len(y), -1).astype(self._float_dtype, copy=False)

    def _n_outputs(self):
        return self.n_outputs_
