import os
import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils._param_validation import InvalidParameterError

from skvision import ConvNetClassifier


@pytest.fixture
def tiny_conv():
    """Keyword arguments of a ConvNetClassifier that trains on digits in ~2 s."""
    return dict(
        conv_blocks=((8,),),
        dense_layer_sizes=(),
        dropout=0.0,
        batch_size=32,
        max_iter=5,
        early_stopping=False,
        learning_rate="constant",
        learning_rate_init=0.01,
        random_state=0,
    )


def build(clf, image_shape, n_classes=10):
    """The network ``clf`` would train on images of ``image_shape``, unfitted."""
    model, _ = clone(clf)._build_network(
        input_shape=tuple(image_shape), n_outputs=n_classes, pixel_scale=1.0, seed=0
    )
    return model


def layer_summary(model):
    return [
        (type(layer).__name__, tuple(layer.output.shape[1:])) for layer in model.layers
    ]


def test_is_a_classifier_with_tags():
    clf = ConvNetClassifier()
    assert is_classifier(clf)
    assert clf.__sklearn_tags__().estimator_type == "classifier"


def test_reference_net_has_331274_parameters():
    model = build(ConvNetClassifier.reference(), (28, 28))
    assert model.count_params() == 331_274
    convs = [
        (type(layer).__name__, tuple(layer.output.shape[1:]))
        for layer in model.layers
        if not isinstance(layer, keras.layers.Activation)
    ]
    assert convs == [
        ("InputLayer", (784,)),
        ("Reshape", (28, 28, 1)),
        ("Conv2D", (28, 28, 32)),
        ("MaxPooling2D", (14, 14, 32)),
        ("Conv2D", (14, 14, 64)),
        ("MaxPooling2D", (7, 7, 64)),
        ("Conv2D", (5, 5, 128)),
        ("Conv2D", (3, 3, 128)),
        ("Conv2D", (3, 3, 64)),
        ("MaxPooling2D", (1, 1, 64)),
        ("Flatten", (64,)),
        ("Dense", (128,)),
        ("Dropout", (128,)),
        ("Dense", (64,)),
        ("Dropout", (64,)),
        ("Dense", (10,)),
    ]


@pytest.mark.parametrize(
    "variant, values",
    [
        ("width", (0.25, 0.5, 1.0, 2.0)),
        ("kernel_size", (2, 3, 4, 5)),
        ("n_conv", (3, 4, 5, 6, 7)),
    ],
)
def test_reference_variants_grow_with_their_parameter(variant, values):
    counts = [
        build(ConvNetClassifier.reference(**{variant: value}), (28, 28)).count_params()
        for value in values
    ]
    assert counts == sorted(counts) and len(set(counts)) == len(counts)
    assert 331_274 in counts


def test_width_scales_and_rounds_filters():
    model = build(ConvNetClassifier.reference(width=0.3), (28, 28))
    filters = [
        layer.filters
        for layer in model.layers
        if isinstance(layer, keras.layers.Conv2D)
    ]
    assert filters == [10, 19, 38, 38, 19]


def test_pets_and_mnist_presets_build_their_architectures():
    pets = build(ConvNetClassifier.pets(), (64, 64, 3), n_classes=37)
    convs = [layer for layer in pets.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size, c.strides) for c in convs] == [
        (32, (7, 7), (2, 2)),
        (64, (3, 3), (1, 1)),
        (128, (3, 3), (1, 1)),
        (128, (3, 3), (1, 1)),
        (256, (3, 3), (1, 1)),
        (256, (3, 3), (1, 1)),
    ]
    names = [type(layer).__name__ for layer in pets.layers]
    assert names.count("BatchNormalization") == 6 and names.count("MaxPooling2D") == 3
    assert names[-3:] == ["GlobalAveragePooling2D", "Dropout", "Dense"]
    assert pets.output_shape == (None, 37)

    mnist = build(ConvNetClassifier.mnist(), (28, 28))
    summary = layer_summary(mnist)
    assert ("Flatten", (3 * 3 * 128,)) in summary and ("Dense", (256,)) in summary
    assert mnist.count_params() == 391_850
    assert [
        type(layer).__name__ for layer in mnist.get_layer("augmentation").layers
    ] == [
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
    ]


def test_learns_digit_images(digits, tiny_conv):
    X, y, X_test, y_test = digits
    clf = ConvNetClassifier(**tiny_conv).fit(X.reshape(-1, 8, 8), y)
    assert clf.image_shape_ == (8, 8, 1) and clf.input_shape_ == (8, 8)
    assert clf.score(X_test.reshape(-1, 8, 8), y_test) > 0.9
    # Flat samples of the same pixels are the same images.
    np.testing.assert_array_equal(
        clf.predict_proba(X_test), clf.predict_proba(X_test.reshape(-1, 8, 8))
    )


def test_image_layouts_are_equivalent(digits, tiny_conv):
    X, y, X_test, _ = digits
    params = {**tiny_conv, "max_iter": 1}
    flat = ConvNetClassifier(**params).fit(X, y)
    images = ConvNetClassifier(**params).fit(X.reshape(-1, 8, 8, 1), y)
    assert flat.image_shape_ == images.image_shape_ == (8, 8, 1)
    np.testing.assert_allclose(
        flat.predict_proba(X_test), images.predict_proba(X_test), rtol=1e-5
    )


def test_image_shape_rules(digits, tiny_conv):
    X, y, _, _ = digits
    params = {**tiny_conv, "max_iter": 1}
    with pytest.raises(ValueError, match="not a perfect square.*image_shape"):
        ConvNetClassifier(**params).fit(X[:, :10], y)
    column = ConvNetClassifier(**params, pool_size=None, image_shape=(-1, 1, 1))
    assert column.fit(X[:, :10], y).image_shape_ == (10, 1, 1)
    wide = ConvNetClassifier(**params, image_shape=(4, 16)).fit(X, y)
    assert wide.image_shape_ == (4, 16, 1)
    with pytest.raises(ValueError, match="does not hold the 64 features"):
        ConvNetClassifier(**params, image_shape=(7, 7)).fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(conv_blocks=((8,), (8,), (8,), (8,))), "too small for the 2x2 pooling"),
        (dict(kernel_size=5, padding="valid", conv_blocks=((8, 8),)), "too small"),
        (dict(kernel_size=(3, 3)), "kernel_size has 2 entries"),
        (dict(padding=(("same", "valid"),)), r"padding\[0\]"),
        (dict(conv_blocks=((8,), ())), "conv_blocks must be"),
        (dict(dense_layer_sizes=(0,)), "dense_layer_sizes"),
        (dict(resize_to=(16,)), "resize_to"),
    ],
)
def test_inconsistent_parameters_are_clear_errors(digits, tiny_conv, params, message):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=message):
        ConvNetClassifier(**{**tiny_conv, **params}).fit(X.reshape(-1, 8, 8), y)


def test_parameter_types_are_validated(digits):
    X, y, _, _ = digits
    with pytest.raises(InvalidParameterError, match="pooling"):
        ConvNetClassifier(pooling="sum").fit(X, y)
    with pytest.raises(InvalidParameterError, match="rotation_range"):
        ConvNetClassifier(rotation_range=-5).fit(X, y)


AUGMENT = dict(
    rotation_range=10.0,
    zoom_range=0.1,
    translation_range=0.1,
    brightness=0.3,
    horizontal_flip=True,
)


def test_augmentation_only_while_training(digits, tiny_conv):
    X, y, X_test, _ = digits
    clf = ConvNetClassifier(**{**tiny_conv, **AUGMENT, "max_iter": 2})
    clf.fit(X.reshape(-1, 8, 8), y)
    augment = clf.model_.get_layer("augmentation")
    images = X_test[:64].reshape(-1, 8, 8, 1)
    augmented = keras.ops.convert_to_numpy(augment(images, training=True))
    assert not np.allclose(augmented, images, atol=1e-3)
    unchanged = keras.ops.convert_to_numpy(augment(images, training=False))
    np.testing.assert_array_equal(unchanged, images)
    first, second = clf.predict_proba(X_test), clf.predict_proba(X_test)
    np.testing.assert_array_equal(first, second)
    inference = keras.ops.convert_to_numpy(clf.model_(X_test, training=False))
    # A compiled graph (which may fuse ops) vs eager calls: float32 logits
    # differ by ~1e-6, probabilities by that much relatively. Augmenting
    # would move them by far more.
    np.testing.assert_allclose(first, inference, rtol=1e-4, atol=1e-6)


def test_augmented_fits_are_reproducible(digits, tiny_conv):
    X, y, X_test, _ = digits
    X, y = X[:300], y[:300]
    params = {**tiny_conv, **AUGMENT, "max_iter": 1}
    a = ConvNetClassifier(**params).fit(X, y).predict_proba(X_test)
    b = ConvNetClassifier(**params).fit(X, y).predict_proba(X_test)
    c = ConvNetClassifier(**{**params, "random_state": 1}).fit(X, y)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c.predict_proba(X_test))


def test_resize_stem_and_pickle_round_trip(digits, tiny_conv):
    X, y, X_test, _ = digits
    clf = ConvNetClassifier(
        **{**tiny_conv, **AUGMENT, "max_iter": 1},
        resize_to=(16, 16),
        stem_filters=4,
        stem_kernel_size=3,
        pooling="avg",
    ).fit(X.reshape(-1, 8, 8), y)
    assert clf.model_.get_layer("resize").output.shape[1:] == (16, 16, 1)
    assert clf.model_.get_layer("stem").output.shape[1:] == (8, 8, 4)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), clf.predict_proba(X_test)
    )


def test_in_a_pipeline_after_min_max_scaler(digits, tiny_conv):
    X, y, X_test, y_test = digits
    pipe = make_pipeline(
        MinMaxScaler(), ConvNetClassifier(**tiny_conv, image_shape=(8, 8))
    )
    assert pipe.fit(X * 16, y).score(X_test * 16, y_test) > 0.85


@pytest.fixture(scope="module")
def omniglot():
    from skvision.datasets import fetch_omniglot

    if not os.environ.get("SKVISION_DATA"):
        pytest.skip("SKVISION_DATA is not set; point it at the real datasets")
    try:
        return fetch_omniglot(subset="background_small1", download_if_missing=False)
    except FileNotFoundError as error:
        pytest.skip(f"Omniglot background_small1 is not under SKVISION_DATA: {error}")


def test_omniglot_alphabets_end_to_end(omniglot):
    # Which of the 5 alphabets a character belongs to, from 105x105 images
    # resized to 28x28 inside the network; chance is about 0.2.
    images = 255 - omniglot.images  # white strokes on black, like MNIST
    rng = np.random.default_rng(0)
    rows = rng.permutation(len(images))
    train, test = rows[:1200], rows[1200:]
    clf = ConvNetClassifier(
        conv_blocks=((16,), (32,)),
        resize_to=(28, 28),
        dense_layer_sizes=(64,),
        dropout=0.2,
        max_iter=4,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
    ).fit(images[train], omniglot.alphabet[train])
    assert clf.input_shape_ == (105, 105) and clf.image_shape_ == (105, 105, 1)
    assert set(clf.classes_) == set(omniglot.alphabet)
    assert clf.score(images[test], omniglot.alphabet[test]) > 0.45
