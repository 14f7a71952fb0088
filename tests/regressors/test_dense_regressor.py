import numpy as np
import pytest
from sklearn.base import is_regressor
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPRegressor

from skvision import DenseNetClassifier, DenseNetRegressor

TRAINING = dict(
    hidden_layer_sizes=(32,),
    batch_size=32,
    max_iter=40,
    early_stopping=False,
    learning_rate="constant",
    learning_rate_init=0.01,
    random_state=0,
)


@pytest.fixture(scope="module")
def digit_values():
    X, y = load_digits(return_X_y=True)
    return X / 16, y.astype(float)


def test_is_a_regressor_scored_with_r2(digit_values):
    X, y = digit_values
    reg = DenseNetRegressor(**TRAINING).fit(X[:1200], y[:1200])
    assert is_regressor(reg)
    assert reg.predict(X[:3]).shape == (3,)
    # sklearn's MLPRegressor with the same hidden layer is the yardstick.
    mlp = MLPRegressor(hidden_layer_sizes=(32,), max_iter=300, random_state=0).fit(
        X[:1200], y[:1200]
    )
    assert reg.score(X[1200:], y[1200:]) > mlp.score(X[1200:], y[1200:]) - 0.1
    assert reg.score(X[1200:], y[1200:]) > 0.6


def test_multi_output_targets_and_linear_outputs(digit_values):
    X, y = digit_values
    reg = DenseNetRegressor(**{**TRAINING, "max_iter": 2}).fit(X, np.c_[y, -y])
    assert reg.n_outputs_ == 2 and reg.predict(X[:4]).shape == (4, 2)
    assert reg.model_.layers[-1].activation.__name__ == "linear"


def test_same_architecture_as_the_classifier(digit_values):
    X, y = digit_values
    params = dict(hidden_layer_sizes=(16, 8), max_iter=1, random_state=0)
    reg = DenseNetRegressor(**params).fit(X, y)
    clf = DenseNetClassifier(**params).fit(X, y.astype(int))
    # Identical hidden layers; only the output layer's width differs (1 vs 10).
    hidden = [w.shape for w in reg.model_.get_weights()[:-2]]
    assert hidden == [w.shape for w in clf.model_.get_weights()[:-2]]


def test_accuracy_is_not_a_regressors_monitor(digit_values):
    X, y = digit_values
    with pytest.raises(ValueError, match="monitor"):
        DenseNetRegressor(monitor="val_accuracy").fit(X, y)


def test_partial_fit_trains_one_epoch_each(digit_values):
    X, y = digit_values
    reg = DenseNetRegressor(**TRAINING)
    for _ in range(3):
        reg.partial_fit(X, y)
    assert reg.n_iter_ == 3 and len(reg.history_["loss"]) == 3
    assert reg.history_["loss"][-1] < reg.history_["loss"][0]


def test_targets_per_sample_must_match_the_fit(digit_values):
    X, y = digit_values
    reg = DenseNetRegressor(**{**TRAINING, "max_iter": 1}).fit(X, y)
    with pytest.raises(ValueError, match="2 targets per sample, but .* fitted on 1"):
        reg.partial_fit(X, np.c_[y, y])
