"""skvision's BatchNormalization: Keras' layer, trained through the fused kernel."""

import keras
import numpy as np
import pytest

from skvision import ConvNetClassifier
from skvision._networks.layers import BatchNormalization

tf = pytest.importorskip("tensorflow")
pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the fused kernel is TensorFlow's"
)


def _pair(shape, dtype="float32"):
    ours, theirs = (
        BatchNormalization(dtype=dtype),
        keras.layers.BatchNormalization(dtype=dtype),
    )
    for layer in (ours, theirs):
        layer.build(shape)
        layer.gamma.assign(np.linspace(0.5, 2.0, shape[-1]))
        layer.beta.assign(np.linspace(-1.0, 1.0, shape[-1]))
    return ours, theirs


def _step(layer, x, weights, training=True):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=training)
        loss = tf.reduce_sum(y * weights)
    gradients = tape.gradient(loss, [x, layer.gamma, layer.beta])
    return [y.numpy(), *(g.numpy() for g in gradients)]


def test_training_matches_keras_batch_normalization():
    # Two computations of the same quantities: equal to float32 rounding
    # (a sum of 128 * 14 * 14 values per channel; tolerances 1e-5 of the
    # values' scale).
    rng = np.random.default_rng(0)
    shape = (128, 14, 14, 8)
    x = tf.constant(rng.normal(2.0, 3.0, shape).astype("float32"))
    weights = tf.constant(rng.normal(size=shape).astype("float32"))
    ours, theirs = _pair(shape)
    for a, b in zip(_step(ours, x, weights), _step(theirs, x, weights), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * np.abs(b).max())
    np.testing.assert_allclose(
        ours.moving_mean.numpy(), theirs.moving_mean.numpy(), rtol=1e-5, atol=1e-7
    )
    # The moving variance takes the batch's unbiased variance, n / (n - 1)
    # times Keras' biased one, for its 1 - momentum share.
    n = 128 * 14 * 14
    expected = theirs.moving_variance.numpy() + (1 - theirs.momentum) * (
        (theirs.moving_variance.numpy() - theirs.momentum) / (1 - theirs.momentum)
    ) * (1 / (n - 1))
    np.testing.assert_allclose(ours.moving_variance.numpy(), expected, rtol=1e-5)


@pytest.mark.parametrize(
    "shape, dtype, training",
    [
        ((16, 4, 4, 3), "float32", False),  # inference: Keras' own
        ((16, 6), "float32", True),  # a dense layer's 2-D inputs
        ((16, 4, 4, 3), "float64", True),  # no fused float64 kernel
    ],
)
def test_other_cases_are_keras_computation_unchanged(shape, dtype, training):
    rng = np.random.default_rng(1)
    x = tf.constant(rng.normal(1.0, 2.0, shape).astype(dtype))
    weights = tf.constant(rng.normal(size=shape).astype(dtype))
    ours, theirs = _pair(shape, dtype)
    # Ours calls Keras' own call here: the same code run twice, bit for bit.
    for a, b in zip(
        _step(ours, x, weights, training),
        _step(theirs, x, weights, training),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        ours.moving_variance.numpy(), theirs.moving_variance.numpy()
    )


def test_conv_nets_use_it_and_learn_alike(tmp_path):
    # The convolutions' batch norms are skvision's, the dense head's Keras';
    # the net trains to the same accuracy, reproducibly, and is saved and
    # loaded by skvision without naming the layer.
    from sklearn.datasets import load_digits

    import skvision

    X, y = load_digits(return_X_y=True)
    images = X.reshape(-1, 8, 8) / 16
    params = dict(
        conv_blocks=((16,),),
        dense_layer_sizes=(32,),
        batch_size=32,
        max_iter=5,
        random_state=0,
    )
    clf = ConvNetClassifier(**params).fit(images, y)
    kinds = {layer.name: type(layer) for layer in clf.model_.layers}
    assert kinds["block1_conv1_bn"] is BatchNormalization
    assert kinds["dense_0_bn"] is keras.layers.BatchNormalization
    assert clf.score(images, y) > 0.9
    again = ConvNetClassifier(**params).fit(images, y)
    # The same code run twice, then the same network and weights loaded.
    np.testing.assert_array_equal(
        clf.predict_proba(images), again.predict_proba(images)
    )
    clf.save(tmp_path / "clf.skv")
    loaded = skvision.load(tmp_path / "clf.skv")
    np.testing.assert_array_equal(
        loaded.predict_proba(images), clf.predict_proba(images)
    )
