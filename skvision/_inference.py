"""Fast forward passes for scoring: a NumPy chain of layers, else Keras.

``keras.Model.predict`` costs ~40 ms per call whatever the batch size, and even
``predict_on_batch`` ~1 ms, which dominates when a service scores one image at
a time. For a model that is a single chain of the layers
:mod:`skvision._numpy_layers` computes (dense and convolutional layers, batch
normalization folded into them, pooling, activations), the weights are read
once and the chain runs in NumPy. Dense chains run any batch this way;
chains with convolutions only calls of up to :data:`NUMPY_CONV_FLOPS`,
above which TensorFlow's kernels are faster. Any other model, or
batch, goes through Keras' ``predict_on_batch``. The chain computes in the
weights' precision, as Keras does, except under mixed precision, where Keras
computes the hidden layers in float16 or bfloat16 and the chain in the
weights' float32; Keras' half-precision outputs come back as float32.
"""

import numpy as np

from . import _numpy_layers as nl
from ._keras import keras, layers, no_retracing_warnings

_IDENTITY_AT_INFERENCE = (
    layers.InputLayer,
    layers.Dropout,
    layers.GaussianNoise,
    layers.ActivityRegularization,
    # The augmentation skvision builds: random only in training.
    layers.RandomFlip,
    layers.RandomRotation,
    layers.RandomZoom,
    layers.RandomTranslation,
    layers.RandomBrightness,
    layers.RandomContrast,
)

# Convolutions run in NumPy for calls of at most this many FLOPs; above it,
# TensorFlow's kernels make up for its ~1 ms per call. On the ``make demo``
# CNN (8.5 MFLOP of convolutions an image) NumPy costs ~0.18 ms an image,
# TensorFlow ~1 ms plus ~0.09 ms an image: even at ~11 images (94 MFLOP).
NUMPY_CONV_FLOPS = 50e6


def compile_chain(model):
    """Turn a Keras model into a list of NumPy functions, or None if unsupported.

    Supported: a single chain of ``Dense`` and channels-last ``Conv2D``
    layers (with any activation of :data:`skvision._numpy_layers.ACTIVATIONS`),
    ``BatchNormalization`` on the last axis right after one of them,
    ``Activation``, ``ReLU``, ``LeakyReLU``, ``Rescaling``, ``Reshape``,
    ``Flatten``, max and average pooling, global pooling, the layers that are
    identity at inference (dropout, noise, random augmentation), and nested
    models that are such chains themselves (a user's network inside the
    estimator's input pipeline, the augmentation block).
    """
    chain = _single_chain(model)
    if chain is None:
        return None
    steps = []
    for layer, output_shape in chain:
        if isinstance(layer, _IDENTITY_AT_INFERENCE):
            continue
        if isinstance(layer, keras.Model):
            nested = compile_chain(layer)
            if nested is None:
                return None
            steps.extend(nested)
            continue
        if isinstance(layer, layers.BatchNormalization):
            follows_affine = steps and isinstance(steps[-1], nl.Affine)
            last_axis = layer.axis in (-1, layer.input_spec.ndim - 1)
            if not (follows_affine and last_axis):
                return None
            steps[-1].fold_batch_norm(layer)
            continue
        new_steps = _layer_steps(layer, output_shape, model.inputs[0].dtype)
        if new_steps is None:
            return None
        steps.extend(new_steps)
    return steps


def _layer_steps(layer, output_shape, input_dtype):
    """The NumPy functions computing ``layer``, or None if unsupported."""
    if isinstance(layer, (layers.Dense, layers.Conv2D)):
        step = nl.activation(layer.activation)
        if isinstance(layer, layers.Dense):
            affine = nl.Affine.from_dense(layer)
        elif nl.supports_conv(layer):
            affine = nl.Conv2D(layer, output_shape)
        else:
            return None
        if step is None:
            return None
        return [affine] if step is nl.identity else [affine, step]
    if isinstance(layer, layers.Activation):
        step = nl.activation(layer.activation)
    elif isinstance(layer, layers.ReLU):
        step = nl.relu_layer(layer)
    elif isinstance(layer, layers.LeakyReLU):
        step = nl.leaky_relu(layer.negative_slope)
    elif isinstance(layer, layers.Rescaling):
        step = nl.rescaling(layer, input_dtype)
    elif isinstance(layer, layers.Reshape):
        step = nl.reshape(layer)
    elif isinstance(layer, layers.Flatten) and nl.supports_flatten(layer):
        step = nl.flatten
    elif nl.supports_pooling(layer):
        step = nl.pooling(layer)
    elif nl.supports_global_pooling(layer):
        step = nl.global_pooling(layer)
    else:
        step = None
    return None if step is None else [step]


def _single_chain(model):
    """The layers from ``model``'s input to its output, with their output
    shapes, when each reads the previous one's output only; None otherwise.

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
        chain.append((layer, tensor.shape))
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


_NOT_COMPILED = object()  # a version no model has: not even untrained ones (None)


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
        self._steps, self._conv_flops = None, 0
        self._version = _NOT_COMPILED

    def __call__(self, X):
        version = _training_steps(self.trained_by)
        if version != self._version:
            self._steps, self._version = compile_chain(self.model), version
            convs = [s for s in self._steps or () if isinstance(s, nl.Conv2D)]
            self._conv_flops = sum(conv.flops for conv in convs)
        too_costly = len(X) * self._conv_flops > NUMPY_CONV_FLOPS
        if self._steps is None or too_costly:
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
