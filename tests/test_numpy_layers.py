import keras
import numpy as np
import pytest

from skvision import _numpy_layers as nl


@pytest.mark.parametrize("size", [5, 6, 7, 28])
@pytest.mark.parametrize("kernel, stride", [(1, 1), (2, 2), (3, 1), (3, 2), (5, 3)])
def test_same_padding_gives_keras_output_size(size, kernel, stride):
    before, after = nl._same_padding(size, kernel, stride)
    assert 0 <= after - before <= 1  # TensorFlow puts the odd one after
    layer = keras.layers.MaxPooling2D(kernel, stride, padding="same")
    expected = layer.compute_output_shape((1, size, size, 1))[1]
    assert (size + before + after - kernel) // stride + 1 == expected


def test_affine_multiplies_the_last_axis_of_any_rank():
    rng = np.random.default_rng(0)
    x = rng.random((2, 3, 4, 5), dtype=np.float32)
    kernel, bias = rng.random((5, 6), dtype=np.float32), np.ones(6, np.float32)
    out = nl.Affine(kernel, bias)(x)
    assert out.shape == (2, 3, 4, 6)
    np.testing.assert_allclose(out, x @ kernel + bias, rtol=1e-5)


def test_max_pooling_pads_with_minus_infinity():
    layer = keras.layers.MaxPooling2D(2, padding="same")
    x = -np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)
    pooled = nl.pooling(layer)(x)[0, :, :, 0]
    np.testing.assert_array_equal(pooled, [[-1, -3], [-7, -9]])


def test_relu_layers_with_options_are_not_plain_relu():
    assert nl.relu_layer(keras.layers.ReLU()) is nl.ACTIVATIONS["relu"]
    assert nl.relu_layer(keras.layers.ReLU(max_value=6)) is None
    assert nl.relu_layer(keras.layers.ReLU(threshold=0.5)) is None
