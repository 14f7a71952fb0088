"""A Keras model's arithmetic per sample, and the machine's arithmetic floor.

:func:`forward_flops` walks a model's layers: a convolution costs
``2 * k_h * k_w * c_in * c_out * H_out * W_out`` floating-point operations
per sample (a multiply and an add per weight per output position), a dense
layer ``2 * n_in * n_out``; batch normalization, activations, pooling,
rescaling and the softmax are counted apart, one operation per element they
read (two for batch normalization's scale and shift), an order of magnitude
below the products. Training costs about three forward passes (the forward
pass, and two products of the same size for the gradients of the inputs and
of the weights).

:func:`arithmetic_floor` is the machine's peak float32 rate: cores x clock x
lanes x 2 (a fused multiply-add is two operations) x 2 (two FMA units per
core), with 16 lanes where the CPU flags name AVX-512, 8 with AVX2 and FMA,
4 otherwise; read from ``os.cpu_count()`` and ``/proc/cpuinfo``.
"""

import math
import os

TRAINING_PASSES = 3  # forward, gradient of the inputs, gradient of the weights
FLOOR_FORMULA = "cores x clock x float32 lanes x 2 (FMA) x 2 (FMA units per core)"


def _size(shape):
    return math.prod(int(d) for d in shape[1:])


def forward_flops(model):
    """``(products, elementwise)``: forward FLOPs per sample of ``model``.

    ``products`` are the convolutions' and dense layers' multiply-adds (and
    biases); ``elementwise`` the other layers' operations, one per element
    read (batch normalization two). Nested models are walked too.
    """
    products = elementwise = 0
    for layer in _layers(model):
        kind = type(layer).__name__
        if kind in ("Conv2D", "Conv1D", "Conv3D", "Dense", "DepthwiseConv2D"):
            kernel = tuple(int(d) for d in layer.kernel.shape)
            out = layer.output.shape
            channels_last = getattr(layer, "data_format", "channels_last") in (
                "channels_last",
                None,
            )
            positions = (
                math.prod(int(d) for d in (out[1:-1] if channels_last else out[2:]))
                if len(out) > 2
                else 1
            )
            # A depthwise kernel (k, k, c_in, multiplier) counts alike.
            products += 2 * math.prod(kernel) * positions
            if getattr(layer, "use_bias", False):
                products += _size(out)
        elif kind == "BatchNormalization":
            elementwise += 2 * _size(layer.output.shape)
        elif kind in (
            "Activation",
            "ReLU",
            "LeakyReLU",
            "Rescaling",
            "MaxPooling2D",
            "AveragePooling2D",
            "GlobalAveragePooling2D",
            "GlobalMaxPooling2D",
        ):
            elementwise += _size(layer.input.shape)
        if kind in ("Dense", "Conv2D") and getattr(layer, "activation", None):
            name = getattr(layer.activation, "__name__", "")
            if name != "linear":  # softmax: exp, sum, divide
                elementwise += (3 if name == "softmax" else 1) * _size(
                    layer.output.shape
                )
    return products, elementwise


def _layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _layers(layer)
        else:
            yield layer


def cpu_info():
    """``{"model", "mhz", "flags"}`` of the first CPU in /proc/cpuinfo."""
    info = {"model": "not recorded", "mhz": None, "flags": set()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and info["model"] == "not recorded":
                    info["model"] = value.strip()
                elif key == "cpu MHz" and info["mhz"] is None:
                    info["mhz"] = float(value)
                elif key == "flags" and not info["flags"]:
                    info["flags"] = set(value.split())
    except OSError:
        pass
    return info


def float32_lanes(flags):
    if "avx512f" in flags:
        return 16
    if "avx2" in flags and "fma" in flags:
        return 8
    return 4


def arithmetic_floor():
    """``(flop_per_second, text)``: the peak float32 rate and how it was found."""
    info = cpu_info()
    cores = os.cpu_count() or 1
    mhz = info["mhz"] or 2000.0
    lanes = float32_lanes(info["flags"])
    rate = cores * mhz * 1e6 * lanes * 2 * 2
    text = (
        f"{FLOOR_FORMULA} = {cores} x {mhz / 1e3:.2f} GHz x {lanes} x 2 x 2 = "
        f"{rate / 1e9:.0f} GFLOP/s ({info['model']})"
    )
    return rate, text
