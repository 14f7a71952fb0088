"""Mixed precision (``dtype="mixed_bfloat16"`` / ``"mixed_float16"``), on CPU.

Both policies run on this TensorFlow's CPU kernels (float16 through Eigen
where oneDNN lacks AVX-512), slower than float32: these tests check
correctness, not speed. They check that the policy reaches the layers and
stops there: hidden layers compute in half precision with float32 weights,
the output layer computes in float32, data and predictions are float32, and
Keras' global policy and ``floatx()`` are what they were, after any call.
"""

import pickle

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

import skvision
from skvision import (
    BackboneFeatures,
    ConvAutoencoder,
    ConvNetClassifier,
    DenseAutoencoder,
    DenseNetClassifier,
    KerasClassifier,
)
from skvision._inference import NUMPY_CONV_FLOPS
from skvision._keras import keras
from skvision._training import keras_floatx

BF16 = "mixed_bfloat16"
# Accuracy a 10-class digit classifier must beat after a few epochs: five
# times chance (0.1); float32 and mixed_bfloat16 nets below reach about 0.8.
MIN_ACCURACY = 0.5


def global_precision():
    return keras.config.dtype_policy().name, keras.config.floatx()


@pytest.fixture(scope="module", autouse=True)
def unchanged_global_precision():
    """Every test of this module leaves Keras' global policy as it found it."""
    keras.layers.Dense(1)  # Keras fixes its global policy on first use
    before = global_precision()
    assert before == ("float32", "float32")  # importing skvision set nothing
    yield
    assert global_precision() == before


def images_of(X):
    """The [0, 1] digits as 8x8 uint8 images."""
    return np.rint(X * 255).astype(np.uint8).reshape(-1, 8, 8)


def weighted_layers(model):
    """The layers of ``model`` that hold weights, nested models walked."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found.extend(weighted_layers(layer))
        elif layer.weights:
            found.append(layer)
    return found


def assert_mixed_layers(model, compute="bfloat16", output=None):
    """Every weighted layer but ``output`` computes in ``compute``, with
    float32 weights; ``output`` computes in float32."""
    layers = weighted_layers(model)
    assert len(layers) > 1
    for layer in layers:
        expected = "float32" if layer.name == output else compute
        assert layer.compute_dtype == expected, layer.name
        assert {v.dtype for v in layer.weights} == {"float32"}, layer.name


def assert_probabilities(proba):
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-6)


@pytest.fixture(scope="module")
def dense_bf16(digits):
    X, y, _, _ = digits
    clf = DenseNetClassifier(
        hidden_layer_sizes=(64,),
        batch_normalization=True,
        max_iter=10,
        random_state=0,
        dtype=BF16,
    )
    return clf.fit(X, y)


@pytest.fixture(scope="module")
def conv_bf16(digits):
    X, y, _, _ = digits
    clf = ConvNetClassifier(
        conv_blocks=((16,),),
        dense_layer_sizes=(32,),
        max_iter=10,
        random_state=0,
        dtype=BF16,
    )
    return clf.fit(images_of(X), y)  # uint8, scaled by the network


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "mixed", "mixed_float64"])
def test_unknown_dtype_is_an_invalid_parameter(digits, dtype):
    X, y, _, _ = digits
    with pytest.raises(InvalidParameterError, match="'dtype' parameter"):
        DenseNetClassifier(max_iter=1, dtype=dtype).fit(X[:50], y[:50])


def test_keras_floatx_scopes_a_mixed_policy_and_restores_it_on_error():
    with keras_floatx(BF16):
        assert global_precision() == (BF16, "float32")
        layer = keras.layers.Dense(2)
        assert (layer.compute_dtype, layer.variable_dtype) == ("bfloat16", "float32")
    assert global_precision() == ("float32", "float32")
    with pytest.raises(RuntimeError, match="inside"), keras_floatx("mixed_float16"):
        raise RuntimeError("inside")
    assert global_precision() == ("float32", "float32")


def test_dense_classifier_trains_in_bfloat16_and_predicts_float32(dense_bf16, digits):
    _, _, X_test, y_test = digits
    assert global_precision() == ("float32", "float32")  # after fit
    assert_mixed_layers(dense_bf16.model_, output="probabilities")
    assert dense_bf16.model_.output.dtype == "float32"
    assert_probabilities(dense_bf16.predict_proba(X_test))
    assert dense_bf16.extract_features(X_test).dtype == np.float32
    assert dense_bf16.score(X_test, y_test) > MIN_ACCURACY
    assert global_precision() == ("float32", "float32")  # after predict


def test_conv_classifier_trains_in_bfloat16_and_predicts_float32(conv_bf16, digits):
    _, _, X_test, y_test = digits
    assert_mixed_layers(conv_bf16.model_, output="probabilities")
    # Small calls run the NumPy chain on the float32 weights; calls too
    # costly for it go through Keras, whose bfloat16 outputs come back as
    # float32 too.
    images = images_of(X_test)
    assert_probabilities(conv_bf16.predict_proba(images))
    assert conv_bf16.extract_features(images).dtype == np.float32
    per_image = conv_bf16._predictor._conv_flops
    n_for_keras = int(NUMPY_CONV_FLOPS // per_image) + 1
    many = np.resize(images, (n_for_keras, *images.shape[1:]))
    assert_probabilities(conv_bf16.predict_proba(many))
    assert conv_bf16.score(images, y_test) > MIN_ACCURACY
    assert global_precision() == ("float32", "float32")


def test_mixed_learns_as_well_as_float32(digits):
    """Same net and seed in float32 and bfloat16: accuracies within 0.05."""
    X, y, X_test, y_test = digits
    params = dict(hidden_layer_sizes=(64,), max_iter=10, random_state=0)
    scores = [
        DenseNetClassifier(**params, dtype=dtype).fit(X, y).score(X_test, y_test)
        for dtype in ("float32", BF16)
    ]
    assert scores[1] > MIN_ACCURACY
    assert abs(scores[0] - scores[1]) < 0.05, scores


def test_sample_weights_and_targets_are_float32(dense_bf16, digits):
    X, y, _, _ = digits
    weights = np.linspace(0.5, 2.0, len(X))
    _, targets, scaled = dense_bf16._apply_sample_weight(X, y, weights)
    assert scaled.dtype == np.float32
    clf = DenseNetClassifier(hidden_layer_sizes=(8,), max_iter=1, dtype=BF16)
    clf.fit(X, y, sample_weight=weights)
    assert clf.predict_proba(X[:5]).dtype == np.float32


def test_samples_are_validated_to_float32(dense_bf16, digits):
    _, _, X_test, _ = digits
    X64 = X_test.astype(np.float64)
    checked, _, _ = dense_bf16._check_samples(X64, reset=False)
    assert checked.dtype == np.float32
    with pytest.raises(ValueError, match="too large for float32"):
        dense_bf16.predict(np.full((1, 64), 1e300))


@pytest.mark.parametrize("estimator", ["dense", "conv"])
def test_save_load_and_pickle_keep_the_policy_and_the_predictions(
    estimator, dense_bf16, conv_bf16, digits, tmp_path
):
    clf = dense_bf16 if estimator == "dense" else conv_bf16
    X = digits[2] if estimator == "dense" else images_of(digits[2])
    expected = clf.predict_proba(X)
    loaded = skvision.load(clf.save(tmp_path / "model.skv"))
    unpickled = pickle.loads(pickle.dumps(clf))
    for copy in (loaded, unpickled):
        assert copy.dtype == BF16
        assert_mixed_layers(copy.model_, output="probabilities")
        # The same network computing the same way: bit-identical.
        np.testing.assert_array_equal(copy.predict_proba(X), expected)
    assert global_precision() == ("float32", "float32")


def test_mixed_float16_runs_on_cpu_with_loss_scaling(digits, tmp_path):
    X, y, X_test, y_test = digits
    clf = DenseNetClassifier(
        hidden_layer_sizes=(64,), max_iter=10, random_state=0, dtype="mixed_float16"
    ).fit(X, y)
    assert global_precision() == ("float32", "float32")
    assert_mixed_layers(clf.model_, compute="float16", output="probabilities")
    optimizer = clf.model_.optimizer
    assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    assert int(optimizer.iterations.numpy()) > 0
    assert_probabilities(clf.predict_proba(X_test))
    assert clf.score(X_test, y_test) > MIN_ACCURACY
    # The loss scale is optimizer state: it survives saving and pickling
    # (Keras' compile would not wrap a loaded model's optimizer again).
    scale = float(optimizer.dynamic_scale.numpy())
    for copy in (
        skvision.load(clf.save(tmp_path / "fp16.skv")),
        pickle.loads(pickle.dumps(clf)),
    ):
        restored = copy.model_.optimizer
        assert isinstance(restored, keras.optimizers.LossScaleOptimizer)
        assert float(restored.dynamic_scale.numpy()) == scale
        # The same network and weights through the same predictor.
        np.testing.assert_array_equal(
            copy.predict_proba(X_test), clf.predict_proba(X_test)
        )
        copy.partial_fit(X, y)
        assert copy.n_iter_ == clf.n_iter_ + 1
    assert global_precision() == ("float32", "float32")


@pytest.mark.parametrize("cls", [DenseAutoencoder, ConvAutoencoder])
def test_autoencoder_trains_in_bfloat16_and_transforms_to_float32(cls, digits):
    X, _, X_test, _ = digits
    params = dict(latent_dim=8, max_iter=8, random_state=0, dtype=BF16)
    if cls is DenseAutoencoder:
        ae = cls(hidden_layer_sizes=(32,), **params)
    else:
        ae = cls(filters=(8,), image_shape=(8, 8), **params)
    ae.fit(X)
    assert global_precision() == ("float32", "float32")
    assert ae.__sklearn_tags__().transformer_tags.preserves_dtype == ["float32"]
    assert_mixed_layers(ae.model_, output="reconstruction")
    assert ae.model_.output.dtype == "float32"
    codes = ae.transform(X_test.astype(np.float64))
    assert codes.dtype == np.float32 and codes.shape == (len(X_test), 8)
    decoded = ae.inverse_transform(codes)
    assert decoded.dtype == np.float32
    # It learned: the reconstruction loss fell by a clear margin.
    assert ae.history_["loss"][-1] < 0.8 * ae.history_["loss"][0]
    assert global_precision() == ("float32", "float32")


def build_net(input_shape, n_outputs, float32_output=True):
    """A user's builder of plain Dense layers, no dtype on the hidden one."""
    output_dtype = {"dtype": "float32"} if float32_output else {}
    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(n_outputs, activation="softmax", **output_dtype),
        ]
    )


def test_keras_classifier_policy_reaches_the_users_layers(digits):
    X, y, X_test, y_test = digits
    clf = KerasClassifier(build_net, max_iter=10, random_state=0, dtype=BF16)
    clf.fit(X, y)
    assert global_precision() == ("float32", "float32")
    hidden, output = clf.model_.layers[-1].layers
    assert (hidden.compute_dtype, hidden.kernel.dtype) == ("bfloat16", "float32")
    assert output.compute_dtype == "float32"
    assert_probabilities(clf.predict_proba(X_test))
    assert clf.score(X_test, y_test) > MIN_ACCURACY


def test_keras_classifier_warns_of_a_half_precision_output_layer(digits):
    """A builder that leaves its output layer to the policy is warned; its
    outputs still come back as float32 probabilities."""
    X, y, X_test, _ = digits
    clf = KerasClassifier(
        build_net, model__float32_output=False, max_iter=1, dtype=BF16
    )
    with pytest.warns(UserWarning, match="output layer computes in bfloat16"):
        clf.fit(X, y)
    assert clf.model_.layers[-1].layers[-1].compute_dtype == "bfloat16"
    proba = clf.predict_proba(X_test)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert global_precision() == ("float32", "float32")


def test_global_policy_is_restored_when_the_builder_fails(digits):
    X, y, _, _ = digits

    def failing(input_shape, n_outputs):
        assert keras.config.dtype_policy().name == BF16  # inside the scope
        raise RuntimeError("no network today")

    with pytest.raises(ValueError, match="no network today"):
        KerasClassifier(failing, max_iter=1, dtype=BF16).fit(X[:50], y[:50])
    assert global_precision() == ("float32", "float32")


def test_backbone_features_of_a_mixed_policy_are_float32(conv_bf16, digits):
    images = images_of(digits[2][:20])
    features = BackboneFeatures(conv_bf16, dtype=BF16).fit(images)
    assert features.__sklearn_tags__().transformer_tags.preserves_dtype == ["float32"]
    assert features.transform(images).dtype == np.float32
    assert global_precision() == ("float32", "float32")


def test_export_is_a_saved_model_only(conv_bf16, digits, tmp_path):
    tf = pytest.importorskip("tensorflow")
    images = images_of(digits[2][:32])
    path = conv_bf16.export(tmp_path / "saved")
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    served = serve(images=tf.constant(images))["probabilities"].numpy()
    assert served.dtype == np.float32
    # The same bfloat16 graph, traced apart: equal up to bfloat16's rounding
    # of the hidden activations (a relative 2**-8 per operation).
    np.testing.assert_allclose(served, conv_bf16.predict_proba(images), atol=1e-2)
    for format in ("tflite", "onnx"):
        with pytest.raises(ValueError, match="needs a float32 network"):
            conv_bf16.export(tmp_path / f"model.{format}", format=format)
    assert global_precision() == ("float32", "float32")
