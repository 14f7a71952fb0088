"""test_time_augmentation: seeded, streamed averages over augmented copies."""

import pickle

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skvision import (
    BackboneClassifier,
    ConvNetClassifier,
    DenseNetClassifier,
    KerasClassifier,
)
from skvision._keras import keras
from skvision._testing import TinyBackbone

TRAINING = dict(max_iter=3, early_stopping=False, random_state=0)
AUGMENTED = dict(rotation_range=20.0, horizontal_flip=True, zoom_range=0.1)


def _conv(**params):
    return ConvNetClassifier(
        conv_blocks=((4,),), dense_layer_sizes=(8,), **{**TRAINING, **params}
    )


@pytest.fixture(scope="module")
def augmented(digit_images):
    X, y = digit_images
    return _conv(**AUGMENTED).fit(X, y), X, y


def test_zero_copies_is_the_plain_prediction(augmented):
    clf, X, _ = augmented
    plain = clf.predict_proba(X)
    with_zero = clone(clf).set_params(test_time_augmentation=0)
    assert clf.test_time_augmentation == 0
    assert with_zero.get_params()["test_time_augmentation"] == 0
    np.testing.assert_array_equal(clf.set_params().predict_proba(X), plain)


def test_copies_change_the_probabilities_and_repeat_exactly(augmented):
    clf, X, y = augmented
    plain = clf.predict_proba(X)
    clf.set_params(test_time_augmentation=4)
    try:
        first, second = clf.predict_proba(X), clf.predict_proba(X)
        scores, labels = clf.decision_function(X), clf.predict(X)
        accuracy = clf.score(X, y)
    finally:
        clf.set_params(test_time_augmentation=0)
    np.testing.assert_array_equal(first, second)  # seeded
    assert np.abs(first - plain).max() > 1e-3  # the copies differ
    np.testing.assert_allclose(first.sum(axis=1), 1.0)
    # decision_function gives the logits of the averaged probabilities.
    np.testing.assert_allclose(softmax(scores, axis=1), first, atol=1e-12)
    np.testing.assert_array_equal(clf.classes_[scores.argmax(axis=1)], labels)
    assert accuracy == np.mean(labels == y)


def test_identical_copies_average_to_the_plain_probabilities(augmented, monkeypatch):
    from skvision.classifiers import _tta

    clf, X, _ = augmented
    plain = clf.predict_proba(X)
    # Copies that are the image itself: the average is the plain prediction.
    monkeypatch.setattr(
        _tta.Augmenter,
        "__call__",
        lambda self, images, seeds: clf._feature_predictor(images),
    )
    clf.set_params(test_time_augmentation=3)
    try:
        averaged = clf.predict_proba(X)
    finally:
        clf.set_params(test_time_augmentation=0)
    np.testing.assert_allclose(averaged, plain, rtol=1e-5, atol=1e-6)


def test_predicting_with_copies_leaves_training_reproducible(digit_images):
    X, y = digit_images
    quiet = _conv(**AUGMENTED).fit(X, y)
    busy = _conv(**AUGMENTED).fit(X, y)
    busy.set_params(test_time_augmentation=2).predict(X)
    quiet.partial_fit(X, y)
    busy.partial_fit(X, y)
    for a, b in zip(quiet.model_.get_weights(), busy.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_copies_survive_pickling(augmented):
    clf, X, _ = augmented
    clf.set_params(test_time_augmentation=2)
    try:
        before = clf.predict_proba(X[:30])
        restored = pickle.loads(pickle.dumps(clf))
        after = restored.predict_proba(X[:30])
    finally:
        clf.set_params(test_time_augmentation=0)
    np.testing.assert_allclose(after, before, rtol=1e-6, atol=1e-7)


def test_file_paths_stream_the_same_copies_as_arrays(tmp_path, digit_images):
    Image = pytest.importorskip("PIL.Image")
    X, y = digit_images
    pixels = (X[:60] * 255).round().astype(np.uint8)
    paths = []
    for i, image in enumerate(pixels):
        path = tmp_path / f"{i}.png"
        Image.fromarray(image).save(path)
        paths.append(str(path))
    paths = np.array(paths)
    clf = _conv(image_shape=(8, 8, 1), batch_size=16, test_time_augmentation=3)
    clf.set_params(**AUGMENTED).fit(pixels, y[:60])
    np.testing.assert_allclose(
        clf.predict_proba(paths), clf.predict_proba(pixels), rtol=1e-5, atol=1e-6
    )


def test_backbone_and_a_users_random_layers(digit_images):
    X, y = digit_images

    def flipping_cnn(input_shape, n_outputs):
        return keras.Sequential(
            [
                keras.Input(input_shape),
                keras.layers.RandomFlip("horizontal", seed=1),
                keras.layers.Conv2D(4, 3, activation="relu"),
                keras.layers.Dropout(0.2),
                keras.layers.GlobalAveragePooling2D(),
                keras.layers.Dense(n_outputs, activation="softmax"),
            ]
        )

    for clf in (
        # The tiny backbone (a 1x1 convolution, then average pooling) ignores
        # flips: zooms change what it averages.
        BackboneClassifier(TinyBackbone(), zoom_range=0.3, **TRAINING),
        KerasClassifier(flipping_cnn, **TRAINING),
    ):
        clf.fit(X, y)
        plain = clf.predict_proba(X)
        clf.set_params(test_time_augmentation=2)
        averaged = clf.predict_proba(X)
        np.testing.assert_array_equal(averaged, clf.predict_proba(X))
        assert np.abs(averaged - plain).max() > 1e-5


@pytest.mark.parametrize(
    "make",
    [
        lambda: DenseNetClassifier(hidden_layer_sizes=(8,), **TRAINING),
        lambda: _conv(),
    ],
    ids=["dense", "conv without augmentation"],
)
def test_no_augmentation_is_a_clear_error(make, digit_images):
    X, y = digit_images
    clf = make().fit(X, y)
    clf.set_params(test_time_augmentation=2)
    with pytest.raises(ValueError, match="fitted without augmentation"):
        clf.predict(X)
    with pytest.raises(ValueError, match="fitted without augmentation"):
        clf.decision_function(X)


def test_a_negative_number_of_copies_is_refused(augmented, digit_images):
    X, y = digit_images
    with pytest.raises(InvalidParameterError, match="test_time_augmentation"):
        _conv(test_time_augmentation=-1).fit(X, y)
    clf = augmented[0]
    clf.set_params(test_time_augmentation=-1)  # after fitting: checked at predict
    try:
        with pytest.raises(ValueError, match="int >= 0"):
            clf.predict_proba(X)
    finally:
        clf.set_params(test_time_augmentation=0)
