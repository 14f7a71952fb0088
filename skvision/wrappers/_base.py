"""What ``KerasClassifier`` and ``KerasRegressor`` add to their task's base:
the ``model`` parameter and the ``model__`` arguments routed to a builder."""

import math
import warnings

from .._training import MIXED_PRECISION, keras_floatx
from ._model import (
    check_loss,
    feature_model,
    network_input_shape,
    output_size,
    reads_probabilities,
    split_model_params,
    user_network,
    wrap_network,
)


class UserModelMixin:
    """A user's network (or builder) as the estimator's network.

    The builder's arguments are the estimator's ``model__<name>`` parameters:
    ``get_params`` lists them, ``set_params`` and ``clone`` keep them, so
    searches tune them like any other parameter (``Pipeline``'s
    ``step__param`` convention).
    """

    _parameter_constraints = {
        "model": "no_validation",  # checked at fit: see _model.check_model
        "loss": [str, callable, None],
        "image_shape": [tuple, list, None],
    }

    def _store_model_params(self, model_params):
        # Stored as given: scikit-learn's checks construct estimators with any
        # keyword; a name without the model__ prefix is refused at fit.
        self._model_params = dict(model_params)

    def _check_model_params(self):
        _, others = split_model_params(self._model_params)
        if others:
            raise TypeError(
                f"{type(self).__name__} got unexpected parameters "
                f"{', '.join(sorted(others))}; a model builder's arguments are "
                "passed as model__<name>."
            )

    def get_params(self, deep=True):
        """Get the parameters of this estimator, the builder's ``model__`` ones too.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of contained estimators.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return {**super().get_params(deep=deep), **self._model_params}

    def set_params(self, **params):
        """Set the parameters of this estimator, ``model__<name>`` included.

        Parameters
        ----------
        **params : dict
            Estimator parameters, and the builder's arguments as
            ``model__<name>``.

        Returns
        -------
        self : estimator instance
            The estimator.
        """
        routed, others = split_model_params(params)
        self._model_params = {**self._model_params, **routed}
        return super().set_params(**others)

    def _build_network(self, *, input_shape, n_outputs, pixel_scale, seed):
        self._check_model_params()
        if self.loss is not None:
            check_loss(self.loss)
        shape = network_input_shape(input_shape, self.image_shape)
        # A builder's layers take the estimator's dtype unless it sets theirs.
        with keras_floatx(self.dtype):
            network, shape, loss = user_network(
                self.model, shape, n_outputs, self._model_params
            )
        model = wrap_network(
            network,
            shape,
            n_features=math.prod(input_shape),
            pixel_scale=pixel_scale,
            dtype=self.dtype,
        )
        self._check_output_size(output_size(model), n_outputs)
        self._check_output_precision(model)
        attributes = {"_compiled_loss": loss, "_logits": not reads_probabilities(model)}
        if len(shape) == 3:
            attributes["image_shape_"] = shape
        return model, attributes

    def _check_output_precision(self, model):
        """Warn when a mixed-precision network's outputs are not float32."""
        output_dtype = model.outputs[0].dtype
        if self.dtype not in MIXED_PRECISION or output_dtype == "float32":
            return
        warnings.warn(
            f"The model's output layer computes in {output_dtype} under "
            f"dtype={self.dtype!r}, as every layer of the builder that sets no "
            "dtype of its own; Keras' mixed-precision guide keeps the last "
            "layer in float32, for outputs (probabilities) and a loss in "
            "float32: make it with dtype='float32', e.g. keras.layers.Dense("
            "n_outputs, activation='softmax', dtype='float32'). Its outputs are "
            "cast to float32 as they are.",
            UserWarning,
            stacklevel=6,
        )

    def _make_loss(self):
        if self.loss is not None:
            return check_loss(self.loss)
        if self._compiled_loss is not None:
            return self._compiled_loss
        return super()._make_loss()

    def _feature_model(self):
        return feature_model(self.model_)
