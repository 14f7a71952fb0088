"""Bad ``model`` arguments and targets get clear errors before any training."""

import keras
import numpy as np
import pytest

from skvision import KerasClassifier, KerasRegressor
from skvision._testing import mlp


@pytest.fixture
def data(digit_labels):
    images, y, labels = digit_labels
    return images[:100], y[:100], labels[:100]


def _no_fit_ran(estimator):
    return not hasattr(estimator, "model_")


@pytest.mark.parametrize("model", [None, "mlp", 3, keras.layers.Dense(3)])
def test_model_that_is_neither_a_model_nor_a_builder(data, model):
    images, y, _ = data
    clf = KerasClassifier(model)
    with pytest.raises(TypeError, match="model must be a keras.Model or a function"):
        clf.fit(images, y)
    assert _no_fit_ran(clf)


def test_builder_returning_something_else(data):
    images, y, _ = data
    with pytest.raises(TypeError, match="must return a keras.Model; it returned dict"):
        KerasClassifier(lambda shape, n: {}).fit(images, y)


def test_builder_that_raises_is_named(data):
    images, y, _ = data

    def broken(input_shape, n_outputs):
        raise RuntimeError("no GPU here")

    with pytest.raises(ValueError, match=r"model=broken raised RuntimeError .*no GPU"):
        KerasClassifier(broken).fit(images, y)


def test_models_with_several_inputs_or_outputs(data):
    images, y, _ = data

    def two_outputs(input_shape, n_outputs):
        inputs = keras.Input(input_shape)
        x = keras.layers.Flatten()(inputs)
        heads = [keras.layers.Dense(n_outputs)(x), keras.layers.Dense(1)(x)]
        return keras.Model(inputs, heads)

    def two_inputs(input_shape, n_outputs):
        a, b = keras.Input(input_shape), keras.Input(input_shape)
        x = keras.layers.Flatten()(keras.layers.Add()([a, b]))
        return keras.Model([a, b], keras.layers.Dense(n_outputs)(x))

    for builder, counts in [(two_outputs, "1 inputs and 2"), (two_inputs, "2 inputs")]:
        with pytest.raises(ValueError, match=f"The model has {counts}"):
            KerasClassifier(builder).fit(images, y)


def test_unknown_builder_argument_lists_the_accepted_ones(data):
    images, y, _ = data
    clf = KerasClassifier(mlp, model__unit=8)
    with pytest.raises(ValueError, match="model__unit: not an argument of model=mlp"):
        clf.fit(images, y)
    with pytest.raises(ValueError, match="model__units, model__output_activation"):
        clf.fit(images, y)


def test_builder_arguments_for_a_keras_model(data):
    images, y, _ = data
    clf = KerasClassifier(mlp((8, 8, 1), 10), model__units=8)
    with pytest.raises(ValueError, match="model is a keras.Model, which takes no"):
        clf.fit(images, y)


def test_a_keyword_without_the_model_prefix(data):
    images, y, _ = data
    with pytest.raises(TypeError, match="unexpected parameters max_iters"):
        KerasClassifier(mlp, max_iters=3).fit(images, y)


def test_continuous_y_for_a_classifier(data):
    images, _, _ = data
    with pytest.raises(ValueError, match="Unknown label type"):
        KerasClassifier(mlp).fit(images, np.linspace(0, 1, len(images)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_regression_targets(data, bad):
    images, y, _ = data
    target = y.astype(float)
    target[3] = bad
    reg = KerasRegressor(mlp, model__output_activation=None)
    with pytest.raises(ValueError, match="Input y contains"):
        reg.fit(images, target)
    assert _no_fit_ran(reg)


def test_multilabel_y_with_values_other_than_0_and_1(data):
    images, _, labels = data
    labels = labels.copy()
    labels[0, 0] = 2
    with pytest.raises(ValueError, match="0/1 indicator matrix"):
        KerasClassifier(mlp).fit(images, labels)


def test_a_loss_keras_does_not_know(data):
    images, y, _ = data
    clf = KerasClassifier(mlp, loss="mean_squared_errr")
    with pytest.raises(ValueError, match="loss='mean_squared_errr' is not a Keras"):
        clf.fit(images, y)
    assert _no_fit_ran(clf)


def test_a_keras_model_reading_other_shapes(data):
    images, y, _ = data
    with pytest.raises(ValueError, match=r"reads samples of shape \(10,\)"):
        KerasClassifier(mlp((10,), 10)).fit(images, y)


def test_regressor_output_size_mismatch(data):
    images, y, _ = data
    reg = KerasRegressor(lambda shape, n: mlp(shape, 3, output_activation=None))
    with pytest.raises(ValueError, match="outputs 3 values per sample, but y has 2"):
        reg.fit(images, np.c_[y, y])


@pytest.mark.parametrize("compiled", [False, True])
def test_a_loss_of_one_hot_targets(data, compiled):
    images, y, _ = data

    def builder(input_shape, n_outputs):
        model = mlp(input_shape, n_outputs)
        if compiled:
            model.compile(loss=keras.losses.CategoricalCrossentropy())
        return model

    loss = None if compiled else "categorical_crossentropy"
    clf = KerasClassifier(builder, loss=loss)
    with pytest.raises(ValueError, match="use 'sparse_categorical_crossentropy'"):
        clf.fit(images, y)
    assert _no_fit_ran(clf)
