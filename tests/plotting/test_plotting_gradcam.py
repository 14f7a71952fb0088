"""GradCAMDisplay: heat maps that point at what decided the class."""

import numpy as np
import pytest

from skvision import (
    BackboneClassifier,
    ConvNetClassifier,
    DenseNetClassifier,
    KerasClassifier,
)
from skvision._testing import TinyBackbone, residual_cnn
from skvision.plotting import GradCAMDisplay

SIZE, PATCH = 16, 4


def planted_patches(n, seed):
    """Noise images with a 4x4 striped patch at a random place; the stripes'
    direction (horizontal: class 0, vertical: class 1) is the only signal."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 0.3, (n, SIZE, SIZE)).astype(np.float32)
    y = rng.integers(0, 2, n)
    stripes = np.zeros((2, PATCH, PATCH), np.float32)
    stripes[0, ::2, :] = 1.0
    stripes[1, :, ::2] = 1.0
    masks = np.zeros((n, SIZE, SIZE), bool)
    for i, (row, col) in enumerate(rng.integers(0, SIZE - PATCH + 1, (n, 2))):
        X[i, row : row + PATCH, col : col + PATCH] = stripes[y[i]]
        masks[i, row : row + PATCH, col : col + PATCH] = True
    return X, y, masks


@pytest.fixture(scope="module")
def patch_net():
    X, y, _ = planted_patches(1200, seed=0)
    clf = ConvNetClassifier(
        conv_blocks=((8,), (16,)),
        pool_size=(None, None),
        pooling="avg",
        dense_layer_sizes=(),
        dropout=0.0,
        max_iter=15,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
    )
    return clf.fit(X, y)


def test_heat_maps_point_at_the_planted_patch(patch_net):
    X, y, masks = planted_patches(200, seed=1)
    assert patch_net.score(X, y) > 0.95
    disp = GradCAMDisplay.from_estimator(patch_net, X, y)
    heatmaps = np.asarray(disp.heatmaps)
    assert heatmaps.shape == (200, SIZE, SIZE)
    assert disp.layer_name == "block2_conv1_act"  # the last conv's activation
    mass_in_patch = (heatmaps * masks).sum(axis=(1, 2)) / heatmaps.sum(axis=(1, 2))
    area_share = PATCH * PATCH / SIZE**2  # 6.25 %
    # 0.69 on average when written (11 times the patch's share of the area).
    assert mass_in_patch.mean() > 6 * area_share
    assert np.median(mass_in_patch) > 6 * area_share


def test_titles_and_explaining_the_true_class(patch_net):
    X, y, _ = planted_patches(4, seed=2)
    disp = GradCAMDisplay.from_estimator(
        patch_net, X, y, target="true", class_names=["across", "down"]
    )
    assert len(disp.overlays_) == 4 and disp.figure_ is disp.ax_.figure
    names = np.array(["across", "down"])
    proba = patch_net.predict_proba(X)
    for i, title in enumerate(disp.titles_):
        assert title.get_text() == (
            f"{names[y[i]]} / {names[y[i]]} {proba[i, y[i]]:.2f}"
        )


def test_a_named_layer(patch_net):
    X, _, _ = planted_patches(3, seed=3)
    disp = GradCAMDisplay.from_estimator(patch_net, X, layer="block1_conv1")
    assert disp.layer_name == "block1_conv1"
    assert np.asarray(disp.heatmaps).max() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "layer, message",
    [
        ("no_such_layer", "has no layer named 'no_such_layer'"),
        ("probabilities", "does not hold convolutional feature maps"),
        ("image", "does not hold convolutional feature maps"),  # before any conv
    ],
)
def test_a_missing_or_flat_layer_is_a_clear_error(patch_net, layer, message):
    X, _, _ = planted_patches(2, seed=4)
    with pytest.raises(ValueError, match=message) as error:
        GradCAMDisplay.from_estimator(patch_net, X, layer=layer)
    assert "block2_conv1_act" in str(error.value)  # the valid names are listed


def test_a_dense_net_is_a_type_error(digits):
    X, y, _, _ = digits
    clf = DenseNetClassifier(hidden_layer_sizes=(8,), max_iter=1, random_state=0)
    clf.fit(X, y)
    with pytest.raises(TypeError, match="no convolution"):
        GradCAMDisplay.from_estimator(clf, X[:2])


def test_bad_targets(patch_net):
    X, y, _ = planted_patches(3, seed=5)
    with pytest.raises(ValueError, match="needs the true labels"):
        GradCAMDisplay.from_estimator(patch_net, X, target="true")
    with pytest.raises(ValueError, match="not among the classes"):
        GradCAMDisplay.from_estimator(patch_net, X, target=[0, 1, 7])
    with pytest.raises(ValueError, match="2 labels for 3 samples"):
        GradCAMDisplay.from_estimator(patch_net, X, y[:2])


def test_backbones_and_users_networks(digit_images):
    X, y = digit_images
    training = dict(max_iter=2, early_stopping=False, random_state=0)
    backbone = BackboneClassifier(TinyBackbone(), **training).fit(X, y)
    disp = GradCAMDisplay.from_estimator(backbone, X[:3])
    assert disp.layer_name == "backbone"  # its output: the last feature maps
    assert np.asarray(disp.heatmaps).shape == (3, 8, 8)
    inner = GradCAMDisplay.from_estimator(backbone, X[:3], layer="conv")
    assert inner.layer_name == "conv"  # a layer inside the backbone
    users = KerasClassifier(residual_cnn, **training).fit(X, y)
    disp = GradCAMDisplay.from_estimator(users, X[:3])
    assert disp.layer_name.startswith("add")  # the residual sum, not a branch
    assert np.isfinite(np.asarray(disp.heatmaps)).all()
