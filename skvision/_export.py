"""Exporting a fitted estimator for serving: SavedModel, TFLite and ONNX.

The exported model reads what the estimator's ``predict`` reads, as a
production system has it: one batch of samples of the shape given to ``fit``
(uint8 images when it was fitted on uint8 images, which it scales itself;
``BackboneClassifier`` and ``BackboneFeatures`` take images of any size and
resize them as skvision resizes image files). It returns what the estimator
returns: class probabilities (``predict_proba``), regression predictions,
or an autoencoder's or a backbone's features (``transform``). The class
labels and the input's description are written beside it as JSON.

The network is the fitted one without its training-only parts: the
"augmentation" sub-model is left out, and ``Resizing`` layers become two
matrix products with the same weights (linear interpolation is a linear
map), which every runtime has, unlike TensorFlow's antialiased resize.
"""

import json
import os
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.utils.validation import check_is_fitted

from ._keras import keras, layers
from ._native_log import filtered_native_stderr, min_log_level

FORMATS = ("saved_model", "tflite", "onnx")
INPUT_NAME = "images"
METADATA_NAME = "skvision.json"
# The ONNX operator set written: supported by ONNX Runtime >= 1.14.
ONNX_OPSET = 17


@dataclass
class ServingSpec:
    """What an exported model reads, computes and returns."""

    network: object
    input_shape: tuple
    input_dtype: str
    n_features: int
    dtype: str
    output_name: str
    pixel_scale: float = 1.0  # applied before the network, if it does not
    image_shape: tuple | None = None  # resized to, for inputs of any size
    postprocess: object = None
    metadata: dict = field(default_factory=dict)


def export(estimator, path, format="saved_model"):
    """Write ``estimator``'s serving model to ``path`` (see the module)."""
    check_is_fitted(estimator, "model_")
    if format not in FORMATS:
        raise ValueError(
            f"format={format!r} is not one of {', '.join(map(repr, FORMATS))}."
        )
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"Exporting needs Keras' TensorFlow backend; this Keras runs on "
            f"{keras.backend.backend()!r} (set KERAS_BACKEND=tensorflow)."
        )
    if getattr(estimator, "test_time_augmentation", 0):
        warnings.warn(
            "The export computes the network's plain outputs, without the "
            f"test-time augmentation (test_time_augmentation="
            f"{estimator.test_time_augmentation}) that predict_proba applies.",
            UserWarning,
            stacklevel=3,
        )
    spec = serving_spec(estimator)
    if format != "saved_model" and estimator.dtype != "float32":
        raise ValueError(
            f"format={format!r} needs a float32 network; this estimator computes "
            f"in {estimator.dtype}: fit it with dtype='float32', or export a "
            "SavedModel."
        )
    path = Path(os.fspath(path))
    serve = serving_function(spec)
    metadata = {**spec.metadata, "format": format, **_io_metadata(spec, serve)}
    with filtered_native_stderr(min_log_level()):
        if format == "saved_model":
            _write_saved_model(spec, serve, path)
            metadata_path = path / "assets.extra" / METADATA_NAME
            metadata_path.parent.mkdir(exist_ok=True)
        else:
            metadata_path = path.with_suffix(".json")
            if metadata_path == path:
                raise ValueError(f"path={str(path)!r}: name the model file, not .json")
            writer = _write_tflite if format == "tflite" else _write_onnx
            writer(spec, serve, path)
    metadata_path.write_text(json.dumps(metadata, indent=1))
    return path


# -- what the estimator computes ---------------------------------------------
def serving_spec(estimator):
    """The :class:`ServingSpec` of a fitted skvision estimator."""
    from .autoencoders._base import BaseAutoencoder
    from .transfer import BackboneClassifier, BackboneFeatures

    fitted_shape = tuple(estimator.input_shape_)
    uint8 = estimator.pixel_scale_ != 1.0
    any_size = (
        isinstance(estimator, BackboneClassifier | BackboneFeatures)
        and len(fitted_shape) > 1
    )
    metadata = {"estimator": type(estimator).__name__}
    import skvision

    metadata["skvision_version"] = skvision.__version__
    if is_classifier(estimator):
        network, output_name = estimator.model_, "probabilities"
        postprocess = _probabilities(estimator)
        metadata["classes"] = _labels(estimator.classes_)
        metadata["multilabel"] = bool(estimator._multilabel)
    elif is_regressor(estimator):
        network, output_name = estimator.model_, "predictions"
        postprocess = _flat if estimator._y_1d else None
    elif isinstance(estimator, BaseAutoencoder):
        network, output_name, postprocess = estimator.encoder_, "codes", None
    elif isinstance(estimator, BackboneFeatures):
        network, output_name, postprocess = estimator.model_, "features", None
    else:
        raise TypeError(f"{type(estimator).__name__} has no serving model.")
    return ServingSpec(
        network=inference_network(network),
        input_shape=(None, None, *fitted_shape[2:]) if any_size else fitted_shape,
        input_dtype="uint8" if uint8 else estimator._float_dtype,
        n_features=int(estimator.n_features_in_),
        dtype=estimator._float_dtype,
        output_name=output_name,
        # Networks that do not scale uint8 pixels themselves (autoencoders)
        # read them scaled, as the estimator scales them.
        pixel_scale=1.0 if estimator._scales_pixels else estimator.pixel_scale_,
        image_shape=fitted_shape if any_size else None,
        postprocess=postprocess,
        metadata=metadata,
    )


def _labels(classes):
    return [c.item() if isinstance(c, np.generic) else c for c in classes.tolist()]


def _probabilities(estimator):
    """The classifier's ``_probabilities`` in TensorFlow operations."""
    import tensorflow as tf

    logits, multilabel = estimator._logits, estimator._multilabel
    sigmoid = estimator._sigmoid_outputs

    def probabilities(outputs):
        if logits:
            outputs = tf.sigmoid(outputs) if sigmoid else tf.nn.softmax(outputs)
        if not multilabel and outputs.shape[-1] == 1:
            outputs = tf.concat([1 - outputs, outputs], axis=1)
        return outputs

    return probabilities


def _flat(outputs):
    import tensorflow as tf

    return tf.reshape(outputs, [-1])


def inference_network(model):
    """``model`` as it predicts, without its training-only parts.

    Shares ``model``'s layers and weights. The "augmentation" sub-model (the
    identity at inference) is left out, and each ``Resizing`` layer becomes
    :func:`resize_as_products`.
    """

    def call(layer, *args, **kwargs):
        if layer.name == "augmentation":
            return args[0]
        if isinstance(layer, layers.Resizing) and _linear_resizing(layer):
            return resize_as_products(layer, args[0])
        return layer(*args, **kwargs)

    return keras.models.clone_model(
        model, clone_function=lambda layer: layer, call_function=call
    )


def _linear_resizing(layer):
    return (
        not layer.crop_to_aspect_ratio
        and not layer.pad_to_aspect_ratio
        and layer.data_format == "channels_last"
    )


def resize_as_products(layer, images):
    """``layer(images)`` as ``H @ image @ W.T`` per channel.

    Resizing with any of Keras' interpolations is linear and separable, so
    the weights of each axis are found by resizing the identity; the
    products run on every runtime, with the same result up to rounding.
    """
    height, width = images.shape[1:3]
    rows = _resize_matrix(height, layer.height, layer)
    columns = _resize_matrix(width, layer.width, layer)
    x = keras.ops.transpose(images, (0, 3, 1, 2))
    x = keras.ops.matmul(keras.ops.matmul(rows, x), columns.T)
    return keras.ops.transpose(x, (0, 2, 3, 1))


def _resize_matrix(size, new_size, layer):
    """``(new_size, size)`` weights of resizing one axis as ``layer`` does."""
    basis = np.eye(size, dtype=layer.compute_dtype).reshape(size, size, 1, 1)
    resized = keras.ops.image.resize(
        basis,
        (new_size, 1),
        interpolation=layer.interpolation,
        antialias=layer.antialias,
        data_format="channels_last",
    )
    return np.asarray(keras.ops.convert_to_numpy(resized))[:, :, 0, 0].T


# -- the serving function ----------------------------------------------------
def serving_function(spec):
    """A ``tf.function`` from a batch of raw samples to ``{output_name: ...}``."""
    import tensorflow as tf

    signature = tf.TensorSpec(
        (None, *spec.input_shape), spec.input_dtype, name=INPUT_NAME
    )

    @tf.function(input_signature=[signature])
    def serve(images):
        x = images
        if spec.image_shape is not None:
            x = resize_images(x, spec.image_shape)
        x = tf.reshape(tf.cast(x, spec.dtype), (-1, spec.n_features))
        if spec.pixel_scale != 1.0:
            x = x * tf.constant(spec.pixel_scale, spec.dtype)
        outputs = spec.network(x, training=False)
        if outputs.dtype in (tf.float16, tf.bfloat16):  # mixed-precision codes
            outputs = tf.cast(outputs, tf.float32)
        if spec.postprocess is not None:
            outputs = spec.postprocess(outputs)
        return {spec.output_name: outputs}

    return serve


def resize_images(images, image_shape):
    """Images of any size to ``image_shape``, as skvision resizes image files.

    Bilinear, without antialiasing, and uint8 images rounded back to uint8,
    like :func:`skvision._images.decode_image`; grayscale images of shape
    ``(h, w)`` stay without a channel axis.
    """
    import tensorflow as tf

    # In float32 throughout: TFLite resizes no uint8 images of unknown size.
    x = tf.cast(images, tf.float32)
    gray = len(image_shape) == 2
    if gray:
        x = tf.expand_dims(x, -1)
    x = tf.image.resize(x, image_shape[:2], method="bilinear", antialias=False)
    if images.dtype == tf.uint8:
        x = tf.clip_by_value(tf.round(x), 0, 255)
    return tf.squeeze(x, -1) if gray else x


def _io_metadata(spec, serve):
    outputs = serve.get_concrete_function().structured_outputs
    output_shape = outputs[spec.output_name].shape.as_list()
    return {
        "input": {
            "name": INPUT_NAME,
            "shape": [None, *spec.input_shape],
            "dtype": spec.input_dtype,
        },
        "output": {"name": spec.output_name, "shape": output_shape},
    }


# -- the formats ---------------------------------------------------------------
def _write_saved_model(spec, serve, path):
    archive = keras.export.ExportArchive()
    archive.track(spec.network)
    archive.add_endpoint("serve", serve)
    archive.write_out(os.fspath(path), verbose=False)


def _write_tflite(spec, serve, path):
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as folder:
        _write_saved_model(spec, serve, Path(folder) / "saved_model")
        converter = tf.lite.TFLiteConverter.from_saved_model(
            os.fspath(Path(folder) / "saved_model")
        )
        path.write_bytes(converter.convert())


def _write_onnx(spec, serve, path):
    try:
        import tf2onnx
    except ImportError:
        raise ImportError(
            'format="onnx" needs tf2onnx (and onnxruntime to run the model): '
            'pip install "skvision[export]".'
        ) from None
    tf2onnx.convert.from_function(
        serve,
        input_signature=serve.input_signature,
        opset=ONNX_OPSET,
        output_path=os.fspath(path),
    )
