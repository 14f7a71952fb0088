import pytest
from sklearn.base import clone

from skvision import DenseNetClassifier, LayerSizes


def test_first_n_layers_are_used():
    sizes = LayerSizes(n_layers=2, units_0=64, units_1=32, units_2=16)
    assert tuple(sizes) == (64, 32) and len(sizes) == 2
    assert tuple(LayerSizes(units_0=8, units_1=4)) == (8, 4)


def test_nested_parameters_reach_the_widths():
    clf = DenseNetClassifier(
        hidden_layer_sizes=LayerSizes(n_layers=1, units_0=8, units_1=4)
    )
    params = clf.get_params()
    assert params["hidden_layer_sizes__n_layers"] == 1
    assert params["hidden_layer_sizes__units_1"] == 4
    clf.set_params(hidden_layer_sizes__n_layers=2, hidden_layer_sizes__units_1=6)
    assert tuple(clf.hidden_layer_sizes) == (8, 6)


def test_clone_copies_the_spec():
    sizes = LayerSizes(n_layers=1, units_0=8, units_1=4)
    clf = DenseNetClassifier(hidden_layer_sizes=sizes)
    copy = clone(clf)
    assert copy.hidden_layer_sizes is not sizes
    assert copy.hidden_layer_sizes.get_params() == sizes.get_params()
    copy.set_params(hidden_layer_sizes__units_0=99)
    assert sizes.units_0 == 8


def test_network_depth_follows_n_layers(digits):
    X, y, _, _ = digits
    sizes = LayerSizes(n_layers=3, units_0=16, units_1=12, units_2=8, units_3=4)
    clf = DenseNetClassifier(hidden_layer_sizes=sizes, max_iter=1, random_state=0)
    clf.fit(X, y)
    dense = [layer.units for layer in clf.model_.layers if hasattr(layer, "units")]
    assert dense == [16, 12, 8, 10]


def test_bad_names_and_depths():
    with pytest.raises(ValueError, match="Invalid parameter 'width_0'"):
        LayerSizes(width_0=3)
    with pytest.raises(ValueError, match="n_layers=3 but 2 widths"):
        tuple(LayerSizes(n_layers=3, units_0=1, units_1=2))
