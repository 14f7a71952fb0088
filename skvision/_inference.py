"""A NumPy forward pass for chains of dense layers.

``keras.Model.predict`` costs ~40 ms per call whatever the batch size, and even
``predict_on_batch`` ~1 ms, which dominates when a service scores one image at
a time.  Dense nets are a handful of matrix products, so for models made only
of the layers below we read the weights once, fold batch normalization into the
preceding dense layer, and run the chain in NumPy (float32, like Keras).
Any other model falls back to Keras' ``predict_on_batch``. The chain computes
in the weights' precision, as Keras does, except under mixed precision, where
Keras computes the hidden layers in float16 or bfloat16 and the chain in the
weights' float32; Keras' half-precision outputs come back as float32.
"""

import numpy as np
from scipy.special import erf

from ._keras import activations, keras, layers, no_retracing_warnings

_SQRT_HALF = np.float32(np.sqrt(0.5))
_SELU_ALPHA = np.float32(1.6732632423543772)
_SELU_SCALE = np.float32(1.0507009873554805)


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0, out=z),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
    "selu": lambda z: _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(z)),
    "gelu": lambda z: 0.5 * z * (1 + erf(z * _SQRT_HALF)),
    "softmax": _softmax,
}


def _activation_name(function):
    name = activations.serialize(function)
    return name if isinstance(name, str) else None


class _Affine:
    """``x @ kernel + bias``, into which a following batch norm is folded."""

    def __init__(self, kernel, bias):
        self.kernel, self.bias = kernel, bias

    def fold_batch_norm(self, layer):
        gamma = layer.gamma.numpy() if layer.scale else 1.0
        beta = layer.beta.numpy() if layer.center else 0.0
        scale = gamma / np.sqrt(layer.moving_variance.numpy() + layer.epsilon)
        dtype = self.kernel.dtype
        self.kernel = (self.kernel * scale).astype(dtype)
        self.bias = ((self.bias - layer.moving_mean.numpy()) * scale + beta).astype(
            dtype
        )

    def __call__(self, x):
        return x @ self.kernel + self.bias


def _rescaling(layer, dtype):
    scale, offset = np.asarray(layer.scale, dtype), np.asarray(layer.offset, dtype)

    def rescale(z):
        z = z * scale
        z += offset
        return z

    return rescale


def _leaky_relu(slope):
    slope = np.float32(slope)
    return lambda z: np.where(z > 0, z, slope * z)


_IDENTITY_AT_INFERENCE = (
    layers.InputLayer,
    layers.Dropout,
    layers.GaussianNoise,
    layers.ActivityRegularization,
)


def _reshape(layer):
    target = tuple(layer.target_shape)
    return lambda z: z.reshape(len(z), *target)


def _flatten(z):
    return z.reshape(len(z), -1)


def compile_dense_chain(model):
    """Turn a Keras model into a list of NumPy functions, or None if unsupported.

    Supported: a single chain of ``Dense``, ``BatchNormalization`` (on the last
    axis, right after a ``Dense``), ``Activation``, ``LeakyReLU``,
    ``Rescaling``, ``Reshape``, ``Flatten`` and ``Dropout``, ``GaussianNoise``
    and ``ActivityRegularization`` layers (identity at inference), and nested
    models that are such chains themselves (a user's network inside the
    estimator's input pipeline).
    """
    chain = _single_chain(model)
    if chain is None:
        return None
    steps = []
    for layer in chain:
        if isinstance(layer, _IDENTITY_AT_INFERENCE):
            continue
        if isinstance(layer, keras.Model):
            nested = compile_dense_chain(layer)
            if nested is None:
                return None
            steps.extend(nested)
            continue
        if isinstance(layer, layers.Dense):
            kernel = layer.kernel.numpy()
            bias = layer.bias.numpy() if layer.use_bias else np.zeros(layer.units)
            steps.append(_Affine(kernel, bias.astype(kernel.dtype)))
            name = _activation_name(layer.activation)
            if name == "linear":
                continue
            step = _ACTIVATIONS.get(name)
        elif isinstance(layer, layers.BatchNormalization):
            follows_dense = steps and isinstance(steps[-1], _Affine)
            if not follows_dense or layer.axis not in (-1, 1):
                return None
            steps[-1].fold_batch_norm(layer)
            continue
        elif isinstance(layer, layers.LeakyReLU):
            step = _leaky_relu(layer.negative_slope)
        elif isinstance(layer, layers.Rescaling):
            step = _rescaling(layer, model.inputs[0].dtype)
        elif isinstance(layer, layers.Reshape):
            step = _reshape(layer)
        elif isinstance(layer, layers.Flatten):
            step = _flatten
        elif isinstance(layer, layers.Activation):
            step = _ACTIVATIONS.get(_activation_name(layer.activation))
        else:
            return None
        if step is None:
            return None
        steps.append(step)
    return steps


def _single_chain(model):
    """The layers from ``model``'s input to its output, when each reads the
    previous one's output only; None otherwise.

    Walked back from the output through the graph's own nodes: a layer's
    first call need not be this model's (copied and nested models call their
    layers again).
    """
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return None
    chain, tensor = [], model.outputs[0]
    while tensor is not model.inputs[0]:
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if len(node.input_tensors) != 1 or isinstance(layer, layers.InputLayer):
            return None
        chain.append(layer)
        tensor = node.input_tensors[0]
    return chain[::-1]


# Samples per chunk of inference: 8,192, or fewer so that a float32 copy of
# the chunk stays under 16 MiB (uint8 images become floats a chunk at a time).
MAX_CHUNK_ROWS = 8192
_MAX_CHUNK_VALUES = 1 << 22


def chunk_rows(X):
    """How many samples of ``X`` to process at once."""
    values_per_row = max(1, int(np.prod(X.shape[1:])))
    return max(1, min(MAX_CHUNK_ROWS, _MAX_CHUNK_VALUES // values_per_row))


def run_chain(steps, X, dtype="float32"):
    """Apply compiled ``steps`` to ``X`` in ``dtype``, chunk by chunk."""
    outputs = []
    chunk_size = chunk_rows(X)
    for start in range(0, len(X), chunk_size):
        z = X[start : start + chunk_size].astype(dtype, copy=False)
        for step in steps:
            z = step(z)
        outputs.append(z)
    return np.concatenate(outputs) if len(outputs) > 1 else outputs[0]


class FastPredictor:
    """Model outputs through the NumPy chain when possible, else Keras.

    The chain is a copy of the weights, so it is rebuilt whenever the model's
    optimizer has taken steps since it was made (after ``fit`` or
    ``partial_fit``, or training ``model`` directly). A sub-model that is
    trained as part of a larger compiled model (an autoencoder's encoder)
    names that model as ``trained_by``, whose optimizer is the one to watch.
    """

    def __init__(self, model, trained_by=None):
        self.model = model
        self.trained_by = model if trained_by is None else trained_by
        self._steps, self._version = None, None

    def __call__(self, X):
        version = _training_steps(self.trained_by)
        if version != self._version:
            self._steps, self._version = compile_dense_chain(self.model), version
        if self._steps is None:
            return keras_predict(self.model, X)
        return run_chain(self._steps, X, self.model.inputs[0].dtype)


def _training_steps(model):
    optimizer = getattr(model, "optimizer", None)
    return None if optimizer is None else int(optimizer.iterations.numpy())


def keras_predict(model, X):
    """Model outputs for ``X`` through ``predict_on_batch``, chunk by chunk.

    Half-precision outputs (a mixed-precision model's features or codes)
    come back as float32, the precision of its weights.
    """
    chunk_size = chunk_rows(X)
    with no_retracing_warnings():
        outputs = [
            as_float32_if_half(model.predict_on_batch(X[start : start + chunk_size]))
            for start in range(0, len(X), chunk_size)
        ]
    return np.concatenate(outputs) if len(outputs) > 1 else outputs[0]


def as_float32_if_half(values):
    """``values`` as a NumPy array, float16 and bfloat16 ones cast to float32."""
    values = np.asarray(values)
    # bfloat16 is not a NumPy dtype (ml_dtypes'), so it is matched by name.
    if values.dtype.name in ("float16", "bfloat16"):
        return values.astype(np.float32)
    return values
