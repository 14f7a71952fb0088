"""The studies' spaces sample valid estimators of every depth."""

import pickle

import numpy as np
import optuna
import pytest
from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.trial import TrialState
from optuna_integration import OptunaSearchCV
from sklearn.base import clone, is_classifier
from sklearn.model_selection import ParameterSampler, RandomizedSearchCV

from skvision import ConvNetClassifier, DenseNetClassifier, LayerSizes
from skvision.model_selection import (
    ConvBlocks,
    DenseHead,
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


@pytest.mark.parametrize("make_space", [dense_search_space, conv_search_space])
def test_both_spaces_return_an_estimator_and_a_flat_dict(make_space):
    estimator, space = make_space()
    assert is_classifier(estimator) and not hasattr(estimator, "classes_")
    for distribution in space.values():
        assert isinstance(distribution, BaseDistribution)
        if isinstance(distribution, CategoricalDistribution):
            # What database storages accept as categorical choices.
            assert all(
                c is None or isinstance(c, bool | int | float | str)
                for c in distribution.choices
            )
    sk_estimator, sk_space = make_space(kind="sklearn")
    assert sk_space.keys() == space.keys()
    assert sk_estimator.get_params().keys() == estimator.get_params().keys()
    assert set(space) <= set(estimator.get_params())  # every key is a parameter


def expected_blocks(n_blocks, filters=32, per_block=1):
    return [(filters * 2**i,) * per_block for i in range(n_blocks)]


@pytest.mark.parametrize("kind", ["optuna", "sklearn"])
def test_conv_space_samples_valid_networks_of_every_depth(kind):
    estimator, space = conv_search_space(
        ConvNetClassifier(max_iter=1), convs_per_block=2, kind=kind
    )
    assert isinstance(estimator.conv_blocks, ConvBlocks)
    assert isinstance(estimator.dense_layer_sizes, DenseHead)
    sample = optuna_samples if kind == "optuna" else sklearn_samples
    depths, heads = set(), set()
    for params in sample(space, 200):
        net = clone(estimator).set_params(**params)
        net._validate_params()  # what ConvNetClassifier.fit checks first
        depth = params["conv_blocks__n_blocks"]
        assert list(net.conv_blocks) == expected_blocks(depth, per_block=2)
        assert net.kernel_size in (3, 5) and net.width in (0.25, 0.5, 1.0, 2.0)
        assert round(net.dropout, 6) in DROPOUTS
        depths.add(depth)
        heads.add(tuple(net.dense_layer_sizes))
    assert depths == {1, 2, 3}
    assert heads == {(), (64,), (128,), (256,)}
    assert list(estimator.conv_blocks) == expected_blocks(3, per_block=2)  # unchanged


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.filterwarnings("ignore:`optuna.terminator` module:FutureWarning")
def test_a_search_of_the_default_conv_space_runs(digits):
    X, y, X_test, _ = digits
    images = X[:300].reshape(-1, 8, 8)
    net, space = conv_search_space(
        ConvNetClassifier(
            batch_size=64, max_iter=1, early_stopping=False, random_state=0
        )
    )
    search = OptunaSearchCV(net, space, n_trials=2, cv=2, random_state=0)
    search.fit(images, y[:300])
    assert [t.state for t in search.trials_] == [TrialState.COMPLETE] * 2
    assert all(np.isfinite(t.value) for t in search.trials_)
    best = search.best_estimator_
    n_blocks = search.best_params_["conv_blocks__n_blocks"]
    assert list(best.conv_blocks) == expected_blocks(n_blocks)
    assert best.predict(X_test[:5].reshape(-1, 8, 8)).shape == (5,)


def test_conv_space_names_survive_a_database(tmp_path):
    storage = f"sqlite:///{tmp_path / 'conv.db'}"
    _, space = conv_search_space()
    for _ in range(2):  # a second process would load the stored distributions
        study = optuna.create_study(
            storage=storage, study_name="conv", load_if_exists=True
        )
        trial = study.ask(fixed_distributions=space)
        study.tell(trial, 0.0)
    assert len(study.trials) == 2


def test_conv_space_keeps_the_given_estimator_settings():
    given = ConvNetClassifier(batch_size=32, max_iter=3, pooling="avg")
    estimator, _ = conv_search_space(given, max_blocks=2, base_filters=8)
    assert estimator is not given and given.conv_blocks == ((32, 32), (64, 64))
    assert (estimator.batch_size, estimator.max_iter, estimator.pooling) == (
        32,
        3,
        "avg",
    )
    assert estimator.conv_blocks.get_params() == {
        "n_blocks": 2,
        "filters": 8,
        "convs_per_block": 1,
    }


def test_searchable_sizes_clone_pickle_and_refuse_bad_values():
    net = ConvNetClassifier(
        conv_blocks=ConvBlocks(n_blocks=2), dense_layer_sizes=DenseHead(64)
    )
    copy = clone(net).set_params(conv_blocks__n_blocks=1, dense_layer_sizes__units=0)
    assert list(copy.conv_blocks) == [(32,)] and list(copy.dense_layer_sizes) == []
    assert list(net.conv_blocks) == [(32,), (64,)]  # the original is untouched
    assert list(net.dense_layer_sizes) == [64]
    loaded = pickle.loads(pickle.dumps(copy))
    assert loaded.conv_blocks == [(32,)] and loaded.conv_blocks.n_blocks == 1
    assert repr(loaded.dense_layer_sizes) == "DenseHead(units=0)"
    with pytest.raises(ValueError, match="n_blocks must be an int >= 1"):
        ConvBlocks(n_blocks=0)
    with pytest.raises(ValueError, match="units must be an int >= 0"):
        DenseHead().set_params(units=-1)
    with pytest.raises(ValueError, match="Invalid parameter 'depth' for ConvBlocks"):
        ConvBlocks().set_params(depth=2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": "hyperopt"}, "kind must be"),
        ({"min_blocks": 3, "max_blocks": 2}, "larger than"),
        ({"base_filters": 0}, "base_filters must be an int >= 1"),
        ({"widths": (0.5, 0)}, "widths must be a non-empty sequence of floats > 0"),
        ({"kernel_sizes": ()}, "kernel_sizes must be a non-empty"),
        ({"dense_units": (64, -1)}, "dense_units must be .* ints >= 0"),
    ],
)
def test_conv_space_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        conv_search_space(**kwargs)
