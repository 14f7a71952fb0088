"""BackboneClassifier: every backbone source, freezing, fine-tuning, pickling."""

import functools
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_val_score

from skvision import (
    BackboneClassifier,
    ConvNetClassifier,
    DenseAutoencoder,
    DenseNetClassifier,
)
from skvision._keras import keras
from skvision._testing import tiny_backbone

tiny32 = functools.partial(tiny_backbone, dtype="float32")
FAST = dict(
    batch_size=64,
    early_stopping=False,
    learning_rate="constant",
    learning_rate_init=0.01,
    random_state=0,
)


@pytest.fixture(scope="module")
def images():
    """uint8 8x8 digit images, 1,000 to train on and the rest to test."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X.reshape(-1, 8, 8) * 255 / 16).astype(np.uint8)
    return X[:1000], y[:1000], X[1000:], y[1000:]


@pytest.fixture(scope="module")
def conv_net(images):
    X, y, _, _ = images
    return ConvNetClassifier(
        conv_blocks=((16,),), dense_layer_sizes=(32,), max_iter=8, **FAST
    ).fit(X, y)


def backbone_weights(clf):
    return [w.copy() for w in clf.model_.get_layer("backbone").get_weights()]


def same(first, second):
    return all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_application_by_name_adapts_small_grayscale_images(images):
    X, y, X_test, _ = images
    clf = BackboneClassifier("MobileNetV3Small", weights=None, max_iter=1, **FAST)
    clf.fit(X[:128], y[:128])
    backbone = clf.model_.get_layer("backbone")
    assert backbone.input_shape == (None, 32, 32, 3)  # 8x8 gray -> 32x32 RGB
    assert clf.model_.get_layer("backbone_preprocessing").application == (
        "MobileNetV3Small"
    )
    proba = clf.predict_proba(X_test[:5])
    assert proba.shape == (5, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert set(clf.predict(X_test[:20])) <= set(clf.classes_)


def test_keras_model_is_copied_and_trained(images):
    X, y, X_test, y_test = images
    model = tiny32((8, 8, 1))
    before = [w.copy() for w in model.get_weights()]
    clf = BackboneClassifier(model, pooling="flatten", fine_tune_from=0, max_iter=15)
    clf.set_params(**FAST).fit(X, y)
    assert same(model.get_weights(), before)  # the user's model is untouched
    assert not same(backbone_weights(clf), before)
    assert clf.score(X_test, y_test) > 0.8


def test_builder_is_called_with_the_image_shape(images):
    X, y, _, _ = images
    shapes = []

    def builder(image_shape):
        shapes.append(image_shape)
        return tiny32(image_shape)

    BackboneClassifier(builder, max_iter=1, **FAST).fit(X[:64], y[:64])
    assert shapes == [(8, 8, 1)]


def test_builder_must_return_a_model(images):
    X, y, _, _ = images
    with pytest.raises(TypeError, match="must return a keras.Model"):
        BackboneClassifier(lambda shape: None, max_iter=1).fit(X[:64], y[:64])


def test_fitted_classifier_features_transfer_and_stay_unchanged(images, conv_net):
    X, y, X_test, y_test = images
    source = [w.copy() for w in conv_net.model_.get_weights()]
    clf = BackboneClassifier(
        FrozenEstimator(conv_net), fine_tune_from=3, max_iter=6, **FAST
    )
    scores = cross_val_score(clf, X_test, y_test, cv=2)
    assert scores.mean() > 0.8
    assert same(conv_net.model_.get_weights(), source)
    # The backbone reads uint8-scaled pixels, as the source was trained on.
    fitted = clone(clf).fit(X_test, y_test)
    assert fitted.model_.get_layer("backbone_range").scale == pytest.approx(255)


def test_autoencoder_encoder_is_a_backbone(images):
    X, y, X_test, y_test = images
    encoder = DenseAutoencoder(latent_dim=16, hidden_layer_sizes=(64,), max_iter=5)
    encoder.set_params(**FAST).fit(X.reshape(len(X), -1))
    clf = BackboneClassifier(encoder, max_iter=20, **FAST).fit(X, y)
    assert clf.model_.get_layer("backbone").output_shape == (None, 16)
    assert clf.score(X_test, y_test) > 0.6


def test_unfitted_estimator_backbone_names_the_fix(images):
    X, y, _, _ = images
    with pytest.raises(NotFittedError, match="FrozenEstimator"):
        BackboneClassifier(DenseNetClassifier(), max_iter=1).fit(X[:64], y[:64])


def test_flat_source_needs_as_many_features(images):
    X, y, _, _ = images
    flat = DenseNetClassifier(hidden_layer_sizes=(8,), max_iter=1).fit(
        X[:64, :4, :4].reshape(64, -1), y[:64]
    )
    with pytest.raises(ValueError, match="flat samples of 16 features"):
        BackboneClassifier(flat, max_iter=1).fit(X[:64], y[:64])


def test_frozen_epochs_keep_the_backbone_and_fine_tuning_changes_it(images):
    X, y, _, _ = images
    clf = BackboneClassifier(tiny32, fine_tune_from=2, **FAST)
    clf.partial_fit(X, y, classes=np.arange(10))
    initial = backbone_weights(clf)
    head = [w.copy() for w in clf.model_.layers[-1].get_weights()]
    clf.partial_fit(X, y)
    assert same(backbone_weights(clf), initial)
    assert not same(clf.model_.layers[-1].get_weights(), head)
    assert not clf.model_.get_layer("backbone").trainable
    clf.partial_fit(X, y)
    assert clf.model_.get_layer("backbone").trainable
    assert not same(backbone_weights(clf), initial)
    assert clf.model_.optimizer.learning_rate.numpy() == pytest.approx(1e-3)


def test_fit_switches_phase_at_fine_tune_from(images):
    X, y, _, _ = images
    weights = []  # the backbone's weights at the start, then after each epoch

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            if not weights:
                self.on_epoch_end(None)

        def on_epoch_end(self, epoch, logs=None):
            backbone = self.model.get_layer("backbone")
            weights.append([w.copy() for w in backbone.get_weights()])

    clf = BackboneClassifier(tiny32, fine_tune_from=2, max_iter=4, **FAST)
    clf.set_params(callbacks=[Record()]).fit(X, y)
    assert clf.n_iter_ == 4 and len(weights) == 5
    assert same(weights[1], weights[0]) and same(weights[2], weights[0])
    assert not same(weights[3], weights[2]) and not same(weights[4], weights[3])


def test_top_layers_only_and_batch_norm_stays_frozen(images):
    X, y, _, _ = images

    def builder(image_shape):
        return keras.Sequential(
            [
                keras.Input(image_shape),
                keras.layers.Conv2D(4, 3, name="low"),
                keras.layers.BatchNormalization(name="bn"),
                keras.layers.Conv2D(8, 3, name="high"),
            ]
        )

    clf = BackboneClassifier(builder, fine_tune_from=0, fine_tune_layers=1)
    clf.set_params(max_iter=2, **FAST).fit(X, y)
    backbone = clf.model_.get_layer("backbone")
    trainable = {layer.name: layer.trainable for layer in backbone.layers}
    assert trainable == {"low": False, "bn": False, "high": True}
    rebuilt = builder((8, 8, 1))
    rebuilt_bn = rebuilt.get_layer("bn").get_weights()
    # Moving statistics untouched: the backbone runs in inference mode.
    for ours, initial in zip(
        backbone.get_layer("bn").get_weights(), rebuilt_bn, strict=True
    ):
        np.testing.assert_array_equal(ours, initial)


def test_pickle_round_trip_keeps_predictions_and_phase(images):
    X, y, X_test, _ = images
    clf = BackboneClassifier(tiny32, fine_tune_from=1, max_iter=2, **FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), clf.predict_proba(X_test)
    )
    assert restored.model_.get_layer("backbone").trainable
    restored.partial_fit(X, y)
    assert restored.n_iter_ == 3


def test_weights_file_loads_into_a_named_application(images, tmp_path):
    X, y, _, _ = images
    path = tmp_path / "mobilenet.weights.h5"
    saved = keras.applications.MobileNetV3Small(
        input_shape=(32, 32, 3), include_top=False, weights=None
    )
    saved.save_weights(path)
    clf = BackboneClassifier("MobileNetV3Small", weights=path, max_iter=1, **FAST)
    clf.fit(X[:64], y[:64])
    assert same(backbone_weights(clf), saved.get_weights())


def test_missing_weights_file_is_a_clear_error(images, tmp_path):
    X, y, _, _ = images
    clf = BackboneClassifier(weights=tmp_path / "nothing.h5", max_iter=1)
    with pytest.raises(ValueError, match="nothing.h5.*is not a file"):
        clf.fit(X[:64], y[:64])


@pytest.mark.parametrize("source", ["named application", "keras.Model", "builder"])
@pytest.mark.parametrize("damage", ["corrupted", "truncated"])
def test_a_weights_file_that_cannot_be_read_is_named(images, tmp_path, source, damage):
    X, y, _, _ = images
    whole = tmp_path / "whole.weights.h5"
    tiny32((8, 8, 1)).save_weights(whole)
    path = tmp_path / f"{damage}.weights.h5"
    content = whole.read_bytes()
    path.write_bytes(
        content[: len(content) // 2] if damage == "truncated" else b"<html>" * 99
    )
    backbone = {
        "named application": "MobileNetV3Small",
        "keras.Model": tiny32((8, 8, 1)),
        "builder": tiny32,
    }[source]
    clf = BackboneClassifier(backbone, weights=path, max_iter=1)
    with pytest.raises(OSError, match=f"Cannot read the weights file '{path}'"):
        clf.fit(X[:64], y[:64])


def test_rgb_images_cannot_feed_a_grayscale_backbone(images):
    _, y, _, _ = images
    rgb = np.zeros((64, 8, 8, 3), np.uint8)
    gray_model = tiny32((8, 8, 1))
    with pytest.raises(ValueError, match="only grayscale to RGB"):
        BackboneClassifier(gray_model, max_iter=1).fit(rgb, y[:64])
