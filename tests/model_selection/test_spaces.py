"""The studies' spaces sample valid estimators of every depth."""

import numpy as np
import optuna
import pytest
from optuna.distributions import BaseDistribution, CategoricalDistribution
from sklearn.base import clone
from sklearn.model_selection import ParameterSampler, RandomizedSearchCV

from skvision import DenseNetClassifier, LayerSizes
from skvision.model_selection import (
    block_preset_name,
    conv_search_space,
    dense_search_space,
)

WIDTHS = set(range(16, 512, 32))  # 16, 48, ..., 496
SLOPES = {round(0.1 * i, 1) for i in range(11)}
DROPOUTS = {round(0.1 * i, 1) for i in range(6)}


def optuna_samples(space, n, seed=0):
    """``n`` parameter dicts drawn by Optuna's random sampler."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed))
    return [study.ask(fixed_distributions=space).params for _ in range(n)]


def sklearn_samples(space, n, seed=0):
    return list(ParameterSampler(space, n_iter=n, random_state=seed))


def check_network(estimator):
    sizes = tuple(estimator.hidden_layer_sizes)
    assert 2 <= len(sizes) <= 5
    assert set(sizes) <= WIDTHS
    assert estimator.activation == "leaky_relu"
    assert round(estimator.negative_slope, 6) in SLOPES
    assert round(estimator.dropout, 6) in DROPOUTS
    assert estimator.batch_normalization in (True, False)
    return len(sizes)


@pytest.mark.parametrize("kind", ["optuna", "sklearn"])
def test_dense_space_samples_valid_networks_of_every_depth(kind):
    estimator, space = dense_search_space(kind=kind)
    assert isinstance(estimator.hidden_layer_sizes, LayerSizes)
    sample = optuna_samples if kind == "optuna" else sklearn_samples
    depths = set()
    for params in sample(space, 300):
        depths.add(check_network(clone(estimator).set_params(**params)))
    assert depths == {2, 3, 4, 5}


def test_dense_space_is_flat_and_independent():
    _, space = dense_search_space()
    assert all(isinstance(d, BaseDistribution) for d in space.values())
    assert space["hidden_layer_sizes__units_3"].step == 32
    assert space["hidden_layer_sizes__units_3"].high == 496  # no Optuna warning
    names = [n for n in space if n.startswith("hidden_layer_sizes__units_")]
    assert len(names) == 5
    _, sk_space = dense_search_space(kind="sklearn")
    assert sk_space.keys() == space.keys()
    assert sk_space["hidden_layer_sizes__units_0"] == sorted(WIDTHS)


def test_dense_space_keeps_the_given_estimator_settings():
    given = DenseNetClassifier(batch_size=32, max_iter=3)
    estimator, _ = dense_search_space(given, max_layers=3)
    assert estimator is not given and given.activation == "relu"
    assert (estimator.batch_size, estimator.max_iter) == (32, 3)
    assert estimator.hidden_layer_sizes.get_params()["n_layers"] == 3


@pytest.mark.parametrize("depth", [2, 3, 4, 5])
def test_a_sampled_network_of_each_depth_trains(digits, depth):
    X, y, X_test, y_test = digits
    estimator, space = dense_search_space(
        DenseNetClassifier(batch_size=64, max_iter=1, random_state=0),
        kind="sklearn",
    )
    params = next(
        p
        for p in sklearn_samples(space, 200, seed=depth)
        if p["hidden_layer_sizes__n_layers"] == depth
    )
    clf = clone(estimator).set_params(**params).fit(X, y)
    dense = [layer.units for layer in clf.model_.layers if hasattr(layer, "units")]
    assert dense[:-1] == list(clf.hidden_layer_sizes) and len(dense) == depth + 1
    assert clf.n_iter_ == 1
    assert 0 <= clf.score(X_test, y_test) <= 1


def test_randomized_search_runs_the_sklearn_space(digits):
    X, y, _, _ = digits
    estimator, space = dense_search_space(
        DenseNetClassifier(batch_size=64, max_iter=1, early_stopping=False),
        max_layers=3,
        max_units=64,
        kind="sklearn",
    )
    one_split = [(np.arange(200), np.arange(200, 300))]
    search = RandomizedSearchCV(
        estimator, space, n_iter=1, cv=one_split, refit=False, random_state=0
    ).fit(X[:300], y[:300])
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": "hyperopt"}, "kind must be"),
        ({"min_layers": 4, "max_layers": 2}, "larger than"),
        ({"min_units": 0}, "min_units must be an int >= 1"),
        ({"step": 0}, "step must be"),
    ],
)
def test_dense_space_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dense_search_space(**kwargs)


def test_conv_space_structure():
    """Targets ConvNetClassifier; only its structure is checked here."""
    names = {"conv_blocks", "width", "kernel_size", "dense_layer_sizes", "dropout"}
    space = conv_search_space()
    assert space.keys() == names
    for distribution in space.values():
        assert isinstance(distribution, BaseDistribution)
        if isinstance(distribution, CategoricalDistribution):
            # What database storages accept as categorical choices.
            assert all(
                c is None or isinstance(c, bool | int | float | str)
                for c in distribution.choices
            )
    assert space["conv_blocks"].choices == ("32", "32-64", "32-64-128")
    assert space["dense_layer_sizes"].choices == ("none", "64", "128", "256")

    sk_space = conv_search_space(max_blocks=2, convs_per_block=2, kind="sklearn")
    assert sk_space.keys() == names
    assert sk_space["conv_blocks"] == [((32, 32),), ((32, 32), (64, 64))]
    assert sk_space["dense_layer_sizes"][0] == ()
    for params in sklearn_samples(sk_space, 20):
        blocks = params["conv_blocks"]
        assert all(isinstance(f, int) and f > 0 for block in blocks for f in block)
        assert params["kernel_size"] in (3, 5) and params["width"] > 0


def test_conv_space_names_survive_a_database(tmp_path):
    storage = f"sqlite:///{tmp_path / 'conv.db'}"
    space = conv_search_space()
    for _ in range(2):  # a second process would load the stored distributions
        study = optuna.create_study(
            storage=storage, study_name="conv", load_if_exists=True
        )
        trial = study.ask(fixed_distributions=space)
        study.tell(trial, 0.0)
    assert len(study.trials) == 2


def test_block_preset_names():
    assert block_preset_name(((32,), (64, 64), (128, 64))) == "32-64x2-128+64"
    assert block_preset_name((128, 64)) == "128-64"
    assert block_preset_name(()) == "none"
