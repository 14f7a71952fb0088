"""Grad-CAM: which parts of an image a classifier's feature maps decided on.

Selvaraju et al. (2017): the gradient of a class's logit with respect to a
convolutional layer's feature maps ``A`` (batch, height, width, channels),
averaged over positions, weighs the channels; ``relu(sum_k w_k A_k)`` is the
class-activation map, upsampled to the image. The layer is by default the
last one holding feature maps: the activation after a ConvNetClassifier's
last convolution, a BackboneClassifier's backbone output, the last feature
maps of a user's network; any layer with feature maps that follows a
convolution may be named.

The feature maps may sit in a nested model (a backbone, a user's network):
the network is copied, sharing its layers, into one that also outputs them
(:func:`tap`), so one forward pass under a ``tf.GradientTape`` gives both.
"""

from typing import NamedTuple

import numpy as np

from .._keras import keras, layers
from . import _logits
from ._tta import sample_batches

CONV_LAYERS = (
    layers.Conv2D,
    layers.SeparableConv2D,
    layers.DepthwiseConv2D,
    layers.Conv2DTranspose,
)
_POOLING = (layers.MaxPooling2D, layers.AveragePooling2D)


class ClassActivationMaps(NamedTuple):
    """What :func:`grad_cam` returns.

    Attributes
    ----------
    heatmaps : ndarray of shape (n_samples, height, width)
        One map per image, upsampled to the image's size and scaled so its
        maximum is 1 (all zeros where no position raised the class's score).
    targets : ndarray of shape (n_samples,)
        Index (in ``classes_``) of the class each map explains.
    layer : str
        Name of the layer whose feature maps were used.
    """

    heatmaps: np.ndarray
    targets: np.ndarray
    layer: str


def _is_feature_map(layer):
    shape = layer.output.shape
    return len(shape) == 4


def _has_conv(model):
    return any(
        isinstance(layer, CONV_LAYERS)
        or (isinstance(layer, keras.Model) and _has_conv(layer))
        for layer in model.layers
    )


def _layer_names(model, prefix=()):
    """``(path, layer)`` of every layer holding feature maps after a convolution."""
    seen_conv = False
    for layer in model.layers:
        path = (*prefix, layer)
        if isinstance(layer, keras.Model):
            if _has_conv(layer):
                yield from _layer_names(layer, path)
                seen_conv = True
                if _is_feature_map(layer):
                    yield path, layer
            continue
        seen_conv = seen_conv or isinstance(layer, CONV_LAYERS)
        if seen_conv and _is_feature_map(layer):
            yield path, layer


def _default_layer(model, prefix=()):
    """The last feature maps of ``model``: after its last convolution (and
    its normalization and activation), before any pooling; a nested model
    ending in feature maps counts as one layer."""
    candidates = list(model.layers)
    for index in range(len(candidates) - 1, -1, -1):
        layer = candidates[index]
        path = (*prefix, layer)
        if isinstance(layer, keras.Model):
            if not _has_conv(layer):
                continue
            if _is_feature_map(layer):
                return path
            return _default_layer(layer, path)
        if isinstance(layer, _POOLING) or not _is_feature_map(layer):
            continue
        if any(isinstance(earlier, CONV_LAYERS) for earlier in candidates[: index + 1]):
            return path
    return None


def feature_map_path(estimator, layer=None):
    """The layers from ``model_`` down to the feature maps to explain.

    Raises ``TypeError`` for a network without convolutions and
    ``ValueError`` for a ``layer`` name that is missing or names no feature
    maps after a convolution.
    """
    model = estimator.model_
    if not _has_conv(model):
        raise TypeError(
            f"Grad-CAM needs convolutional feature maps, and the network of "
            f"{type(estimator).__name__} has no convolution (a dense net reads "
            "flat pixels); use a ConvNetClassifier, a BackboneClassifier or a "
            "KerasClassifier whose model has Conv2D layers."
        )
    if layer is None:
        return _default_layer(model)
    if not isinstance(layer, str):
        raise TypeError(f"layer must be a layer's name (a str); got {layer!r}.")
    valid = list(_layer_names(model))
    for path, candidate in valid:
        if candidate.name == layer:
            return path
    names = [candidate.name for _, candidate in valid]
    if layer in {found.name for found in _all_layers(model)}:
        raise ValueError(
            f"Layer {layer!r} does not hold convolutional feature maps (batch, "
            "height, width, channels) computed by a convolution, which Grad-CAM "
            f"needs; layers that do: {names}."
        )
    raise ValueError(
        f"The network of {type(estimator).__name__} has no layer named {layer!r}; "
        f"layers with convolutional feature maps: {names}."
    )


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _as_functional(model):
    """A Sequential model as a functional one on the same layers."""
    if not isinstance(model, keras.Sequential):
        return model
    inputs = keras.Input(model.input_shape[1:], dtype=model.inputs[0].dtype)
    x = inputs
    for layer in model.layers:
        x = layer(x)
    return keras.Model(inputs, x)


def tap(model, taps):
    """``model`` outputting also the tensors named by ``taps``, sharing layers.

    ``taps`` is a list of ``(path, side)``: ``path`` the layers from
    ``model`` down to one layer (nested models first), ``side`` "output" or
    "input" (what that layer gives or reads). Returns a model whose outputs
    are the tapped tensors, in order, then ``model``'s output.
    """
    model = _as_functional(model)
    tapped = {}

    def call(layer, *args, **kwargs):
        inner = [
            (i, path[1:], side)
            for i, (path, side) in enumerate(taps)
            if len(path) > 1 and path[0] is layer
        ]
        if inner:
            outputs = tap(layer, [(path, side) for _, path, side in inner])(
                *args, **kwargs
            )
            for (i, _, _), tensor in zip(inner, outputs, strict=False):
                tapped[i] = tensor
            return outputs[len(inner)]
        output = layer(*args, **kwargs)
        for i, (path, side) in enumerate(taps):
            if len(path) == 1 and path[0] is layer:
                tapped[i] = output if side == "output" else args[0]
        return output

    copy = keras.models.clone_model(
        model, clone_function=lambda layer: layer, call_function=call
    )
    return keras.Model(
        copy.inputs[0], [tapped[i] for i in range(len(taps))] + list(copy.outputs)
    )


def _head_path(model):
    """The path to the output layer whose input the logits are computed from."""
    layer, node_index, _ = model.outputs[0]._keras_history
    if isinstance(layer, keras.Model):
        return (layer, *_head_path(layer))
    return (layer,)


def grad_cam(estimator, X, *, targets=None, layer=None):
    """Class-activation maps of a fitted classifier for samples ``X``.

    Parameters
    ----------
    estimator : fitted skvision classifier
        A network with convolutions (see :func:`feature_map_path`).
    X : validated samples or ImagePaths
        What ``estimator._check_predict_input`` returns.
    targets : array-like of int or None
        Index in ``classes_`` of the class to explain for each sample; None
        explains the predicted class.
    layer : str or None
        The feature maps' layer; None picks the last (see module docstring).

    Returns
    -------
    ClassActivationMaps
    """
    import tensorflow as tf

    path = feature_map_path(estimator, layer)
    head = _logits.logit_head(estimator)
    sigmoid = estimator._sigmoid_outputs
    if head.source == "features":
        taps = [(path, "output"), (_head_path(estimator.model_), "input")]
    else:
        taps = [(path, "output")]
    model = tap(estimator.model_, taps)
    dtype = model.inputs[0].dtype
    maps, chosen = [], []
    start = 0
    for images in sample_batches(estimator, X):
        batch = tf.convert_to_tensor(np.asarray(images, dtype=dtype))
        with tf.GradientTape() as tape:
            outputs = model(batch, training=False)
            features_maps, source = outputs[0], outputs[1]
            logits = _tf_logits(head, source, sigmoid, tf)
            if targets is None:
                wanted = _predicted_targets(logits.numpy())
            else:
                wanted = np.asarray(targets[start : start + len(images)])
            score = tf.reduce_sum(_class_scores(logits, wanted, tf))
        gradients = tape.gradient(score, features_maps)
        weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
        cam = tf.nn.relu(tf.reduce_sum(weights * features_maps, axis=-1))
        maps.append(np.asarray(cam, dtype=np.float64))
        chosen.append(wanted)
        start += len(images)
    heatmaps = _upsample(np.concatenate(maps), _image_size(estimator), tf)
    return ClassActivationMaps(heatmaps, np.concatenate(chosen), path[-1].name)


def _tf_logits(head, source, sigmoid, tf):
    """The logits, differentiable, from the tapped output layer input (or output)."""
    source = tf.cast(source, tf.float64)
    if head.kernel is not None:
        return tf.matmul(source, head.kernel) + head.bias
    if not head.from_probabilities:
        return source
    tiny = _logits._TINY
    if sigmoid:
        return tf.math.log(tf.maximum(source, tiny)) - tf.math.log(
            tf.maximum(1.0 - source, tiny)
        )
    return tf.math.log(tf.maximum(source, tiny))


def _predicted_targets(logits):
    if logits.shape[1] == 1:  # one sigmoid output: class 1 where positive
        return (logits[:, 0] > 0).astype(int)
    return np.argmax(logits, axis=1)


def _class_scores(logits, targets, tf):
    """Each sample's score for its target class: its logit (against the
    other class's for one sigmoid output, whose class 0 score is -logit)."""
    targets = np.asarray(targets, dtype=int)
    if logits.shape[1] == 1:
        sign = np.where(targets == 1, 1.0, -1.0)
        return logits[:, 0] * sign
    return tf.gather(logits, targets, axis=1, batch_dims=1)


def _image_size(estimator):
    shape = getattr(estimator, "image_shape_", None) or estimator.input_shape_
    return tuple(int(side) for side in shape[:2])


def _upsample(maps, size, tf):
    """Maps resized (bilinear) to ``size``, each scaled to a maximum of 1."""
    resized = tf.image.resize(maps[..., np.newaxis], size, method="bilinear")
    resized = np.maximum(np.asarray(resized, dtype=np.float64)[..., 0], 0.0)
    peak = resized.max(axis=(1, 2), keepdims=True)
    return np.divide(resized, peak, out=np.zeros_like(resized), where=peak > 0)
