"""The ``model`` parameter: a user's ``keras.Model``, or a function building one.

Whatever the user gives becomes a fresh network on the estimator's input
pipeline: flat samples in, uint8 pixels scaled, reshaped to the images the
user's network reads, then the user's network, nested whole. Models are
copied, so ``fit`` never changes what the user owns.
"""

import inspect
import math

from .._keras import keras, layers
from .._networks.dense import pixel_input
from .._networks.params import resolve_image_shape
from ..transfer._sources import copy_model

MODEL_PREFIX = "model__"


def split_model_params(params):
    """``(model__ parameters, the others)`` of a ``set_params``/``__init__`` dict."""
    routed = {k: v for k, v in params.items() if k.startswith(MODEL_PREFIX)}
    return routed, {k: v for k, v in params.items() if k not in routed}


def network_input_shape(input_shape, image_shape):
    """One sample's shape as the user's network reads it.

    ``input_shape`` is a sample's shape as given to ``fit``. Images are
    ``(h, w, c)`` (``(h, w)`` gains a channel axis), flat samples stay flat
    unless ``image_shape`` says which images they hold.
    """
    n_features = math.prod(input_shape)
    if image_shape is None and len(input_shape) == 1:
        return tuple(input_shape)
    return resolve_image_shape(n_features, image_shape, input_shape)


def check_model(model):
    """Raise ``TypeError`` unless ``model`` is a ``keras.Model`` or a callable."""
    if isinstance(model, keras.Model) or (
        callable(model) and not isinstance(model, type | keras.layers.Layer)
    ):
        return
    raise TypeError(
        "model must be a keras.Model or a function building one, called as "
        "model(input_shape, n_outputs, **model_params); got "
        f"{model!r} ({type(model).__name__})."
    )


def check_loss(loss):
    """``loss`` as Keras reads it, or a ValueError naming it."""
    try:
        return keras.losses.get(loss)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"loss={loss!r} is not a Keras loss: pass the name of one (e.g. "
            '"mean_absolute_error", "huber"), a keras.losses.Loss or a function '
            f"(y_true, y_pred) -> loss. Keras says: {error}"
        ) from None


def user_network(model, input_shape, n_outputs, model_params):
    """A fresh copy of the user's network and the loss it was compiled with.

    Returns ``(network, input_shape, loss)``: ``input_shape`` is the one
    the network reads (a ``keras.Model``'s own, when it holds as many values
    as ``input_shape``), ``loss`` None unless the network came compiled.
    """
    check_model(model)
    if isinstance(model, keras.Model):
        if model_params:
            raise ValueError(
                f"{', '.join(sorted(model_params))} set, but model is a "
                "keras.Model, which takes no arguments; pass a function that "
                "builds the model to tune its arguments."
            )
        input_shape = _own_input_shape(model, input_shape)
        network = model
    else:
        network = _call_builder(model, input_shape, n_outputs, model_params)
    _build(network, input_shape)
    _check_single_input_output(network)
    loss = network.loss if getattr(network, "compiled", False) else None
    return copy_model(network), input_shape, loss


def _call_builder(builder, input_shape, n_outputs, model_params):
    kwargs = {name[len(MODEL_PREFIX) :]: v for name, v in model_params.items()}
    _check_builder_arguments(builder, kwargs)
    name = getattr(builder, "__name__", repr(builder))
    try:
        network = builder(tuple(input_shape), n_outputs, **kwargs)
    except Exception as error:
        raise ValueError(
            f"model={name} raised {type(error).__name__} when called as "
            f"{name}({tuple(input_shape)}, {n_outputs}"
            f"{''.join(f', {k}={v!r}' for k, v in kwargs.items())}): {error}"
        ) from error
    if not isinstance(network, keras.Model):
        raise TypeError(
            f"model={name} must return a keras.Model; it returned "
            f"{type(network).__name__}."
        )
    return network


def _check_builder_arguments(builder, kwargs):
    """Raise ``ValueError`` for a ``model__`` name the builder does not take."""
    try:
        signature = inspect.signature(builder)
    except (TypeError, ValueError):  # some builtins have none: let the call say
        return
    parameters = list(signature.parameters.values())
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return
    accepted = [
        p.name
        for p in parameters[2:]
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        name = getattr(builder, "__name__", repr(builder))
        listed = ", ".join(MODEL_PREFIX + a for a in accepted) or "none"
        raise ValueError(
            f"{', '.join(MODEL_PREFIX + u for u in unknown)}: not an argument of "
            f"model={name}, which takes (input_shape, n_outputs) and the "
            f"parameters {listed}."
        )


def _own_input_shape(model, input_shape):
    """A built model's input shape, when the samples hold as many values."""
    shape = _declared_input_shape(model)
    if shape is None or None in shape or tuple(shape) == tuple(input_shape):
        return tuple(input_shape)
    if math.prod(shape) != math.prod(input_shape):
        raise ValueError(
            f"The model reads samples of shape {tuple(shape)}, but the data's "
            f"samples have shape {tuple(input_shape)} ({math.prod(input_shape)} "
            "values); pass data of the shape it reads, or set image_shape."
        )
    return tuple(shape)


def _declared_input_shape(model):
    try:
        shapes = model.input_shape
    except (AttributeError, ValueError):  # a Sequential without its Input yet
        return None
    if isinstance(shapes, list):
        return None  # several inputs: refused by _check_single_input_output
    return tuple(shapes[1:])


def _build(network, input_shape):
    if not network.built or not getattr(network, "inputs", None):
        try:
            network.build((None, *input_shape))
        except Exception as error:
            raise ValueError(
                f"The model could not be built for samples of shape "
                f"{tuple(input_shape)}: {error}"
            ) from error


def _check_single_input_output(network):
    n_inputs, n_outputs = len(network.inputs), len(network.outputs)
    if n_inputs != 1 or n_outputs != 1:
        raise ValueError(
            f"The model has {n_inputs} inputs and {n_outputs} outputs; an "
            "estimator's model reads one array of images and gives one array "
            "of outputs."
        )


def wrap_network(network, input_shape, *, n_features, pixel_scale, dtype):
    """Flat samples -> scaled pixels -> images of ``input_shape`` -> network."""
    inputs, x = pixel_input(n_features, pixel_scale=pixel_scale, dtype=dtype)
    if tuple(input_shape) != (n_features,):
        x = layers.Reshape(tuple(input_shape), name="image", dtype=dtype)(x)
    return keras.Model(inputs, network(x), name=f"{network.name}_on_pixels")


def output_size(model):
    """The number of values ``model`` outputs per sample (its last axis)."""
    shape = model.output_shape
    if len(shape) != 2:
        raise ValueError(
            f"The model's output has shape {tuple(shape)}; an estimator's model "
            "outputs one vector per sample, of shape (batch, n_outputs)."
        )
    return shape[-1]


def _output_layer(network):
    """The layer making ``network``'s output, and the tensor it reads there.

    Read from the output tensor's history, not ``layers[-1]`` or a layer's
    first call: a copied or nested model calls its layers more than once.
    """
    layer, node_index, _ = network.outputs[0]._keras_history
    return layer, layer._inbound_nodes[node_index].input_tensors[0]


def reads_probabilities(network):
    """Whether the network ends in a softmax or sigmoid (else: logits)."""
    layer = network
    while isinstance(layer, keras.Model):
        layer, _ = _output_layer(layer)
    if isinstance(layer, layers.Softmax):
        return True
    activation = getattr(layer, "activation", None)
    if activation is None:
        return False
    return keras.activations.serialize(activation) in ("softmax", "sigmoid")


def feature_model(model):
    """Flat samples to the input of the user's network's last layer."""
    network, network_input = _output_layer(model)
    _, features = _output_layer(network)
    inner = keras.Model(network.inputs, features)
    return keras.Model(model.inputs, inner(network_input))
