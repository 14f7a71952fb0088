import keras
import numpy as np
import pytest

from skvision._inference import FastPredictor, compile_dense_chain
from skvision._networks import build_dense_net


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
    steps = compile_dense_chain(model)
    assert steps is not None
    np.testing.assert_allclose(
        FastPredictor(model)(X), model.predict(X, verbose=0), rtol=1e-4, atol=1e-6
    )


def test_models_with_other_layers_fall_back_to_keras():
    inputs = keras.Input((6, 6, 1))
    x = keras.layers.Conv2D(2, 3)(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    assert compile_dense_chain(model) is None
    X = np.random.default_rng(0).random((5, 6, 6, 1)).astype(np.float32)
    np.testing.assert_allclose(
        FastPredictor(model)(X), model.predict(X, verbose=0), rtol=1e-5
    )


def test_branching_models_fall_back_to_keras():
    inputs = keras.Input((4,))
    a = keras.layers.Dense(3)(inputs)
    b = keras.layers.Dense(3)(inputs)
    model = keras.Model(inputs, keras.layers.Add()([a, b]))
    assert compile_dense_chain(model) is None
