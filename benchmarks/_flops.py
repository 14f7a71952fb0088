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
core), with 16 lanes where the FMA units are 512 bits wide (AVX-512, except
AMD's Zen 4, which splits it over 256-bit units), 8 with AVX2 and FMA, 4
otherwise; read from ``os.cpu_count()`` and ``/proc/cpuinfo``. The clock
there is the base clock, so a 4096 x 4096 float32 matrix product is timed
too, and the floor takes whichever rate is higher.
"""

import math
import os
import time

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
    """``{"model", "vendor", "family", "mhz", "flags"}`` of the first CPU in
    /proc/cpuinfo."""
    info = dict.fromkeys(["model", "vendor", "family", "mhz", "flags"])
    fields = {
        "model name": ("model", str.strip),
        "vendor_id": ("vendor", str.strip),
        "cpu family": ("family", int),
        "cpu MHz": ("mhz", float),
        "flags": ("flags", lambda value: set(value.split())),
    }
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() in fields:
                    name, parse = fields[key.strip()]
                    info[name] = info[name] or parse(value)
    except OSError:
        pass
    return info | {
        "model": info["model"] or "not recorded",
        "flags": info["flags"] or set(),
    }


def float32_lanes(info):
    """float32 lanes of one FMA unit: its datapath's width, not the ISA's.

    AMD's Zen 4 (family 25 with AVX-512) runs each 512-bit instruction on its
    256-bit FMA units in two halves, so it counts 8 lanes like AVX2.
    """
    flags = info["flags"]
    zen4 = info["vendor"] == "AuthenticAMD" and info["family"] == 25
    if "avx512f" in flags and not zen4:
        return 16
    if "avx2" in flags and "fma" in flags:
        return 8
    return 4


def measured_sgemm_rate(size=4096, repeats=5):
    """FLOP/s of NumPy's float32 matrix product (its BLAS, every core), best
    of ``repeats``: a rate this machine demonstrably reaches."""
    import numpy as np

    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    a @ a
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best


def arithmetic_floor():
    """``(flop_per_second, text)``: the peak float32 rate and how it was found.

    The rate from the formula, or the measured BLAS rate where that is
    higher (the stated clock is the base clock: cores may run faster), so
    the floor is never flattering.
    """
    info = cpu_info()
    cores = os.cpu_count() or 1
    mhz = info["mhz"] or 2000.0
    lanes = float32_lanes(info)
    stated = cores * mhz * 1e6 * lanes * 2 * 2
    measured = measured_sgemm_rate()
    text = (
        f"{FLOOR_FORMULA} = {cores} x {mhz / 1e3:.2f} GHz x {lanes} x 2 x 2 = "
        f"{stated / 1e9:.0f} GFLOP/s ({info['model']}); NumPy's float32 "
        f"matrix product measured {measured / 1e9:.0f} GFLOP/s"
    )
    rate = max(stated, measured)
    text += f", so the floor uses {rate / 1e9:.0f} GFLOP/s"
    return rate, text
