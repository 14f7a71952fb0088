import keras
import numpy as np
from sklearn.base import clone

from skvision import KerasRegressor
from skvision._testing import mlp


def linear_head(input_shape, n_outputs, units=32):
    return mlp(input_shape, n_outputs, units=units, output_activation=None)


def test_learns_a_number_read_from_images(digit_labels, training):
    images, y, _ = digit_labels
    reg = KerasRegressor(linear_head, **training).set_params(max_iter=30)
    reg.fit(images, y.astype(float))
    assert reg.predict(images[:7]).shape == (7,)
    assert reg.score(images, y) > 0.7


def test_multi_output_targets(digit_labels, training):
    images, y, _ = digit_labels
    targets = np.c_[y, 9 - y].astype(float)
    reg = KerasRegressor(linear_head, **training).fit(images, targets)
    assert reg.n_outputs_ == 2
    assert reg.predict(images[:5]).shape == (5, 2)


def test_loss_may_be_any_keras_loss(digit_labels, training):
    images, y, _ = digit_labels
    reg = KerasRegressor(linear_head, loss="huber", **training).set_params(max_iter=1)
    reg.fit(images, y.astype(float))
    assert reg.model_.loss is keras.losses.get("huber")


def test_builder_parameters_clone(training):
    reg = KerasRegressor(linear_head, model__units=5, **training)
    assert clone(reg).get_params()["model__units"] == 5
