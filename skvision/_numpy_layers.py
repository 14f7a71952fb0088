"""Keras layers at inference, as NumPy functions of float32 arrays.

A TensorFlow call costs ~0.7 ms whatever the batch (``predict_on_batch`` on
the ``make demo`` CNN, ``benchmarks/bench_peers.py``), more than the forward
pass of a small network on one sample. :mod:`skvision._inference` chains these
functions instead: dense layers are matrix products, into which a following
batch normalization folds; channels-last convolutions are one matrix product
of the shifted views of their input (im2col), with TensorFlow's "same"
padding; pooling reduces the same views. Each computes in its input's
precision, as Keras does.
"""

import functools
import math

import numpy as np
from scipy.special import erf

from ._keras import activations, layers

_SQRT_HALF = np.float32(np.sqrt(0.5))
_SELU_ALPHA = np.float32(1.6732632423543772)
_SELU_SCALE = np.float32(1.0507009873554805)


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


def identity(z):
    return z


ACTIVATIONS = {
    "linear": identity,
    "relu": lambda z: np.maximum(z, 0, out=z),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
    "selu": lambda z: _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(z)),
    "gelu": lambda z: 0.5 * z * (1 + erf(z * _SQRT_HALF)),
    "softmax": _softmax,
}


def activation(function):
    """The NumPy version of a Keras activation function, or None."""
    name = activations.serialize(function)
    return ACTIVATIONS.get(name) if isinstance(name, str) else None


class Affine:
    """``x @ kernel + bias`` on the last axis, into which a following batch
    normalization is folded."""

    def __init__(self, kernel, bias):
        self.kernel, self.bias = kernel, bias

    @classmethod
    def from_dense(cls, layer):
        kernel = layer.kernel.numpy()
        bias = layer.bias.numpy() if layer.use_bias else np.zeros(layer.units)
        return cls(kernel, bias.astype(kernel.dtype))

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
        # NumPy multiplies stacked matrices one by one: one product is faster.
        flat = x.reshape(-1, x.shape[-1]) @ self.kernel
        flat += self.bias
        return flat.reshape(*x.shape[:-1], -1)


def _same_padding(size, kernel, stride):
    """TensorFlow's (before, after) padding of one axis for "same"."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _padded(x, pads, fill):
    """``x`` (n, h, w, c) padded by ``pads`` ((top, bottom), (left, right))."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return x
    n, height, width, channels = x.shape
    shape = (n, top + height + bottom, left + width + right, channels)
    out = np.full(shape, fill, dtype=x.dtype)  # faster than np.pad here
    out[:, top : top + height, left : left + width] = x
    return out


def _shifted_views(x, window, strides, padding, fill):
    """The views of ``x`` (n, h, w, c) that each window position reads.

    One view per (row, column) of the window, in that order, each
    (n, out_h, out_w, c): a convolution is their concatenation times the
    kernel, a pooling their elementwise maximum or mean. Gathering whole
    channel vectors this way copies far faster than per-window strides.
    """
    if padding == "same":
        pads = [_same_padding(x.shape[1 + i], window[i], strides[i]) for i in (0, 1)]
        x = _padded(x, pads, fill)
    (rows, cols), (row_step, col_step) = window, strides
    out_h = (x.shape[1] - rows) // row_step + 1
    out_w = (x.shape[2] - cols) // col_step + 1
    return [
        x[
            :,
            i : i + (out_h - 1) * row_step + 1 : row_step,
            j : j + (out_w - 1) * col_step + 1 : col_step,
        ]
        for i in range(rows)
        for j in range(cols)
    ]


def supports_conv(layer):
    """Whether :class:`Conv2D` computes ``layer`` as Keras does."""
    return (
        type(layer) is layers.Conv2D
        and layer.data_format == "channels_last"
        and tuple(layer.dilation_rate) == (1, 1)
        and layer.groups == 1
        and layer.padding in ("same", "valid")
    )


class Conv2D(Affine):
    """A channels-last ``Conv2D``: each window times the kernel, plus the bias.

    ``flops`` is the product's cost per sample, from the layer's
    ``output_shape`` (infinite when the image size is not fixed).
    """

    def __init__(self, layer, output_shape):
        kernel = layer.kernel.numpy()
        height, width, channels, filters = kernel.shape
        outputs = output_shape[1:]
        known = all(size is not None for size in outputs)
        self.flops = (
            2 * height * width * channels * math.prod(outputs) if known else math.inf
        )
        self.window, self.strides = (height, width), tuple(layer.strides)
        self.padding = layer.padding
        bias = layer.bias.numpy() if layer.use_bias else np.zeros(filters)
        # Rows of (window row, window column, channel), as the views stack.
        super().__init__(kernel.reshape(-1, filters), bias.astype(kernel.dtype))

    def __call__(self, x):
        views = _shifted_views(x, self.window, self.strides, self.padding, 0)
        columns = np.concatenate(views, axis=-1) if len(views) > 1 else views[0]
        return super().__call__(columns)


def supports_pooling(layer):
    """Whether :func:`pooling` computes ``layer`` as Keras does ("same"
    average pooling divides by each window's unpadded size: left to Keras)."""
    return (
        type(layer) in (layers.MaxPooling2D, layers.AveragePooling2D)
        and layer.data_format == "channels_last"
        and (layer.padding == "valid" or type(layer) is layers.MaxPooling2D)
    )


def pooling(layer):
    averages = type(layer) is layers.AveragePooling2D
    window, strides = tuple(layer.pool_size), tuple(layer.strides)

    def pool(x):
        views = _shifted_views(x, window, strides, layer.padding, -np.inf)
        if averages:
            return sum(views[1:], views[0]) / np.asarray(len(views), x.dtype)
        return functools.reduce(np.maximum, views)

    return pool


_GLOBAL_POOLS = {
    layers.GlobalMaxPooling2D: np.max,
    layers.GlobalAveragePooling2D: np.mean,
}


def supports_global_pooling(layer):
    return (
        type(layer) in _GLOBAL_POOLS
        and layer.data_format == "channels_last"
        and not layer.keepdims
    )


def global_pooling(layer):
    reduce = _GLOBAL_POOLS[type(layer)]
    return lambda x: reduce(x, axis=(1, 2))


def rescaling(layer, dtype):
    scale, offset = np.asarray(layer.scale, dtype), np.asarray(layer.offset, dtype)

    def rescale(z):
        z = z * scale
        z += offset
        return z

    return rescale


def leaky_relu(slope):
    slope = np.float32(slope)
    return lambda z: np.where(z > 0, z, slope * z)


def relu_layer(layer):
    """A plain ``ReLU`` layer's function; None for capped or shifted ones."""
    plain = layer.max_value is None and not layer.negative_slope and not layer.threshold
    return ACTIVATIONS["relu"] if plain else None


def reshape(layer):
    target = tuple(layer.target_shape)
    return lambda z: z.reshape(len(z), *target)


def supports_flatten(layer):
    return layer.data_format == "channels_last"


def flatten(z):
    return z.reshape(len(z), -1)
