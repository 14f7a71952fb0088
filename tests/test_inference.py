import keras
import numpy as np
import pytest

from skvision import _inference
from skvision import _numpy_layers as nl
from skvision._inference import FastPredictor, compile_chain
from skvision._networks import build_conv_net, build_dense_net


@pytest.mark.parametrize(
    "activation", ["relu", "leaky_relu", "elu", "selu", "gelu", "tanh"]
)
@pytest.mark.parametrize("batch_normalization", [False, True])
def test_numpy_chain_matches_keras(activation, batch_normalization):
    model = build_dense_net(
        20,
        4,
        hidden_layer_sizes=(16, 8),
        activation=activation,
        batch_normalization=batch_normalization,
        dropout=0.2,
        seed=0,
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    X = np.random.default_rng(0).normal(size=(64, 20)).astype(np.float32)
    # Train a little so batch-norm statistics are not the identity.
    model.fit(X, np.arange(64) % 4, epochs=2, verbose=0)
    steps = compile_chain(model)
    assert steps is not None
    np.testing.assert_allclose(
        FastPredictor(model)(X), model.predict(X, verbose=0), rtol=1e-4, atol=1e-6
    )


def test_models_with_other_layers_fall_back_to_keras():
    inputs = keras.Input((6, 6, 1))
    x = keras.layers.Conv2D(2, 3, dilation_rate=2)(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    assert compile_chain(model) is None
    X = np.random.default_rng(0).random((5, 6, 6, 1)).astype(np.float32)
    np.testing.assert_allclose(
        FastPredictor(model)(X), model.predict(X, verbose=0), rtol=1e-5
    )


def test_branching_models_fall_back_to_keras():
    inputs = keras.Input((4,))
    a = keras.layers.Dense(3)(inputs)
    b = keras.layers.Dense(3)(inputs)
    model = keras.Model(inputs, keras.layers.Add()([a, b]))
    assert compile_chain(model) is None


def _trained(model, X, n_outputs):
    """``model`` after two epochs, so batch-norm statistics are not the identity."""
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, np.arange(len(X)) % n_outputs, epochs=2, verbose=0)
    return model


def _conv_net(image_shape, body):
    inputs = keras.Input(image_shape)
    x = inputs
    for layer in body:
        x = layer(x)
    x = keras.layers.Flatten()(x) if len(x.shape) == 4 else x
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))


L = keras.layers
CONV_BODIES = {
    "same, batch norm, max pool": lambda: [
        L.Conv2D(4, 3, padding="same", use_bias=False),
        L.BatchNormalization(),
        L.ReLU(),
        L.MaxPooling2D(2),
    ],
    "valid, stride 2, inline activation": lambda: [
        L.Conv2D(4, 3, strides=2, activation="relu"),
        L.Conv2D(5, 1, activation="tanh"),
    ],
    "same, stride 2, 5x5 kernel, same max pool": lambda: [
        L.Conv2D(3, 5, strides=(2, 1), padding="same"),
        L.MaxPooling2D(3, strides=2, padding="same"),
        L.LeakyReLU(0.1),
    ],
    "average and global pooling": lambda: [
        L.Conv2D(6, (3, 2), padding="same"),
        L.AveragePooling2D((2, 3), strides=1),
        L.Conv2D(4, 3, padding="same", activation="elu"),
        L.GlobalAveragePooling2D(),
    ],
    "global max pooling": lambda: [L.Conv2D(4, 3), L.GlobalMaxPooling2D()],
}


@pytest.mark.parametrize("body", CONV_BODIES)
def test_numpy_convolutions_match_keras(body):
    # Odd sizes exercise TensorFlow's uneven "same" padding (more after).
    X = np.random.default_rng(0).normal(size=(24, 9, 7, 2)).astype(np.float32)
    model = _trained(_conv_net((9, 7, 2), CONV_BODIES[body]()), X, 3)
    assert compile_chain(model) is not None
    # Sums of a few dozen float32 products in another order: ~1e-6 apart.
    np.testing.assert_allclose(
        FastPredictor(model)(X[:4]), model.predict(X[:4], verbose=0), atol=1e-5
    )


def test_convolution_flops_are_counted_per_sample():
    model = _conv_net((9, 7, 2), [L.Conv2D(4, 3, strides=2, padding="same")])
    (conv,) = [s for s in compile_chain(model) if isinstance(s, nl.Conv2D)]
    assert conv.flops == 2 * (3 * 3 * 2) * (5 * 4 * 4)


def test_conv_net_with_augmentation_runs_its_inference_in_numpy():
    model = build_conv_net(
        64,
        3,
        image_shape=(8, 8, 1),
        conv_blocks=((4,),),
        augmentation=dict(
            horizontal_flip=True,
            rotation_range=10,
            zoom_range=0.1,
            translation_range=0.1,
            brightness=0.1,
        ),
        seed=0,
    )
    assert model.get_layer("augmentation") is not None
    X = np.random.default_rng(0).random((16, 64)).astype(np.float32)
    model = _trained(model, X, 3)
    assert compile_chain(model) is not None
    np.testing.assert_allclose(
        FastPredictor(model)(X[:2]), model.predict(X[:2], verbose=0), atol=1e-5
    )


@pytest.mark.parametrize(
    "layer",
    [
        L.AveragePooling2D(2, padding="same"),
        L.Conv2DTranspose(2, 3),
        L.Conv2D(2, 1, data_format="channels_first"),
    ],
    ids=["same average pooling", "transposed convolution", "channels first"],
)
def test_unsupported_conv_layers_fall_back_to_keras(layer):
    model = _conv_net((6, 6, 2), [layer])
    assert compile_chain(model) is None


def test_calls_too_costly_for_numpy_go_to_keras():
    model = _conv_net((28, 28, 1), [L.Conv2D(8, 3, padding="same")])
    predictor = FastPredictor(model)
    keras_calls = []
    model.predict_on_batch = lambda X: keras_calls.append(len(X)) or model(X)
    per_sample = 2 * 9 * 28 * 28 * 8
    few = int(_inference.NUMPY_CONV_FLOPS // per_sample)
    X = np.random.default_rng(0).random((few + 1, 28, 28, 1)).astype(np.float32)
    predictor(X[:few])
    assert keras_calls == []
    outputs = predictor(X)
    assert keras_calls == [few + 1]
    np.testing.assert_allclose(outputs[:few], predictor(X[:few]), atol=1e-5)
