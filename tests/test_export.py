"""Exported serving models compute what the estimators compute.

Each format is run by its own runtime (TensorFlow's SavedModel loader, the
TFLite interpreter, ONNX Runtime) on raw uint8 images and compared with the
estimator's ``predict_proba`` or ``transform`` on the same images.

Tolerance: the runtimes compute in float32 with their own kernels (XNNPACK,
MLAS, oneDNN), which each picks for the CPU it runs on, and summation orders,
and the estimators run a NumPy chain (dense nets, small calls to conv
nets); each of the networks' few
layers may differ by a few float32 ulps (1.2e-7 relative). Observed: up to
6e-7 (the conv autoencoder's codes, of order 1, through TFLite and ONNX
Runtime on an AVX-512 EPYC); ``rtol=1e-4`` and ``atol=1e-5`` leave 10x for
other CPUs. A wrong scale or channel order moves outputs by 1e-3 or more.
"""

import json
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits

RTOL, ATOL = 1e-4, 1e-5
FORMATS = ["saved_model", "tflite", "onnx"]
SUFFIX = {"saved_model": "", "tflite": ".tflite", "onnx": ".onnx"}
TRAINING = dict(max_iter=2, early_stopping=False, random_state=0)


@pytest.fixture(scope="module")
def images():
    """The digits as (1797, 8, 8) uint8 images, and their labels."""
    X, y = load_digits(return_X_y=True)
    return (X * 16).clip(0, 255).astype(np.uint8).reshape(-1, 8, 8), y


def _dense(images, y):
    from skvision import DenseNetClassifier

    return DenseNetClassifier(hidden_layer_sizes=(16,), **TRAINING).fit(images, y)


def _conv(images, y):
    from skvision import ConvNetClassifier

    augmented = dict(rotation_range=15, zoom_range=0.1, horizontal_flip=True)
    return ConvNetClassifier(
        conv_blocks=((4,),),
        dense_layer_sizes=(8,),
        resize_to=(12, 12),
        **augmented,
        **TRAINING,
    ).fit(images, y)


def _autoencoder(images, y):
    from skvision import ConvAutoencoder

    return ConvAutoencoder(latent_dim=4, filters=(4,), **TRAINING).fit(images)


def _backbone(images, y):
    from skvision import BackboneClassifier
    from skvision._testing import tiny_backbone

    backbone = tiny_backbone((8, 8, 1), dtype="float32")
    return BackboneClassifier(backbone, weights=None, **TRAINING).fit(images, y)


BUILDERS = {
    "dense": _dense,
    "conv_resize_augment": _conv,
    "conv_autoencoder": _autoencoder,
    "backbone": _backbone,
}


@pytest.fixture(scope="module")
def fitted(images):
    X, y = images
    return {name: build(X[:600], y[:600]) for name, build in BUILDERS.items()}


def _expected(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.transform(X)


def run_exported(path, format, X):
    """The exported model's one output for the batch ``X``, by its own runtime."""
    if format == "saved_model":
        import tensorflow as tf

        serve = tf.saved_model.load(str(path)).signatures["serving_default"]
        (output,) = serve(images=tf.constant(X)).values()
        return output.numpy()
    if format == "tflite":
        import tensorflow as tf

        with warnings.catch_warnings():  # tf.lite.Interpreter moves to LiteRT
            warnings.simplefilter("ignore")
            interpreter = tf.lite.Interpreter(model_path=str(path))
        (signature,) = interpreter.get_signature_list()
        runner = interpreter.get_signature_runner(signature)
        (output,) = runner(images=X).values()
        return output
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path))
    return session.run(None, {"images": X})[0]


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("name", list(BUILDERS))
def test_exported_outputs_equal_the_estimators(fitted, images, tmp_path, name, format):
    estimator = fitted[name]
    X = images[0][600:700]
    path = estimator.export(tmp_path / f"model{SUFFIX[format]}", format=format)
    np.testing.assert_allclose(
        run_exported(path, format, X), _expected(estimator, X), rtol=RTOL, atol=ATOL
    )


def _graph_names(path, format):
    """Names of the operations (and tensors) in an exported model."""
    if format == "saved_model":
        import tensorflow as tf

        serve = tf.saved_model.load(str(path)).signatures["serving_default"]
        functions = serve.graph.as_graph_def().library.function
        return [node.name for f in functions for node in f.node_def]
    if format == "tflite":
        import tensorflow as tf

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            interpreter = tf.lite.Interpreter(model_path=str(path))
        return [tensor["name"] for tensor in interpreter.get_tensor_details()]
    import onnx

    return [node.name for node in onnx.load(str(path)).graph.node]


@pytest.mark.parametrize("format", FORMATS)
def test_augmentation_is_not_exported(fitted, tmp_path, format):
    estimator = fitted["conv_resize_augment"]
    assert "augmentation" in [layer.name for layer in estimator.model_.layers]
    path = estimator.export(tmp_path / f"model{SUFFIX[format]}", format=format)
    names = _graph_names(path, format)
    assert any("block1_conv1" in name for name in names)  # the names are there
    assert not [name for name in names if "augmentation" in name]


@pytest.mark.parametrize("format", FORMATS)
def test_backbone_export_reads_images_of_any_size(fitted, images, tmp_path, format):
    # Three times the fitted 8x8: bilinear resizing then samples the centre
    # of each 3x3 block exactly, in every runtime.
    estimator = fitted["backbone"]
    X = images[0][600:650]
    large = np.repeat(np.repeat(X, 3, axis=1), 3, axis=2)
    path = estimator.export(tmp_path / f"model{SUFFIX[format]}", format=format)
    expected = estimator.predict_proba(X)
    for batch in (large, X):
        np.testing.assert_allclose(
            run_exported(path, format, batch), expected, rtol=RTOL, atol=ATOL
        )


def test_labels_and_input_are_written_beside_the_model(tmp_path):
    from skvision import DenseNetClassifier

    X, y = load_digits(return_X_y=True)
    labels = np.array(["zero", "one", "two", "three", "four"] * 2)[y]
    clf = DenseNetClassifier(hidden_layer_sizes=(8,), **TRAINING).fit(X / 16, labels)
    clf.export(tmp_path / "model.tflite", format="tflite")
    clf.export(tmp_path / "saved", format="saved_model")
    for path in (
        tmp_path / "model.json",
        tmp_path / "saved/assets.extra/skvision.json",
    ):
        metadata = json.loads(path.read_text())
        assert metadata["classes"] == clf.classes_.tolist()
        assert metadata["input"] == {
            "name": "images",
            "shape": [None, 64],
            "dtype": "float32",
        }  # fitted on floats
        assert metadata["output"] == {"name": "probabilities", "shape": [None, 5]}
    served = run_exported(
        tmp_path / "model.tflite", "tflite", (X[:5] / 16).astype("f4")
    )
    np.testing.assert_allclose(served, clf.predict_proba(X[:5] / 16), RTOL, ATOL)


def test_a_regressor_exports_predictions_of_its_shape(tmp_path, images):
    from skvision import DenseNetRegressor

    X, y = images
    reg = DenseNetRegressor(hidden_layer_sizes=(8,), **TRAINING).fit(X[:300], y[:300])
    path = reg.export(tmp_path / "reg.onnx", format="onnx")
    served = run_exported(path, "onnx", X[300:320])
    np.testing.assert_allclose(served, reg.predict(X[300:320]), RTOL, ATOL)


def test_export_refuses_what_it_cannot_write(fitted, tmp_path):
    from sklearn.exceptions import NotFittedError

    from skvision import DenseNetClassifier

    with pytest.raises(ValueError, match="format='pmml' is not one of"):
        fitted["dense"].export(tmp_path / "m", format="pmml")
    with pytest.raises(NotFittedError):
        DenseNetClassifier().export(tmp_path / "m")
    X, y = load_digits(return_X_y=True)
    clf = DenseNetClassifier(hidden_layer_sizes=(4,), dtype="float64", **TRAINING)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="needs a float32 network"):
        clf.export(tmp_path / "m.tflite", format="tflite")
