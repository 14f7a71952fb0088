import pickle

import keras
import numpy as np
import pytest
from PIL import Image
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV

from skvision import BackboneFeatures, KerasClassifier
from skvision._testing import mlp, residual_cnn


def test_builder_arguments_are_parameters(digit_labels, training):
    images, y, _ = digit_labels
    clf = KerasClassifier(mlp, model__units=16, **training)
    assert clf.get_params()["model__units"] == 16
    copy = clone(clf).set_params(model__units=4)
    assert copy.get_params()["model__units"] == 4
    assert clf.get_params()["model__units"] == 16  # the original is untouched
    copy.fit(images, y)
    assert copy.model_.count_params() == 64 * 4 + 4 + 4 * 10 + 10


def test_grid_search_tunes_a_builder_argument(digit_labels, training):
    images, y, _ = digit_labels
    search = GridSearchCV(
        KerasClassifier(mlp, **{**training, "max_iter": 3}),
        {"model__units": [1, 32]},
        cv=2,
    ).fit(images[:600], y[:600])
    assert search.best_params_ == {"model__units": 32}
    assert search.best_estimator_.get_params()["model__units"] == 32


def test_input_shape_is_what_the_network_receives(digit_labels, training):
    images, y, _ = digit_labels
    seen = []

    def builder(input_shape, n_outputs):
        seen.append((input_shape, n_outputs))
        return mlp(input_shape, n_outputs)

    training["max_iter"] = 1
    KerasClassifier(builder, **training).fit(images, y)
    KerasClassifier(builder, **training).fit(images.reshape(-1, 64), y)
    flat = KerasClassifier(builder, image_shape=(8, 8), **training)
    flat.fit(images.reshape(-1, 64), y)
    assert seen == [((8, 8, 1), 10), ((64,), 10), ((8, 8, 1), 10)]
    assert flat.image_shape_ == (8, 8, 1)


def test_a_keras_model_is_copied_never_trained(digit_labels, training):
    images, y, _ = digit_labels
    model = mlp((8, 8, 1), 10)
    before = [w.copy() for w in model.get_weights()]
    clf = KerasClassifier(model, **training).fit(images, y)
    assert clf.score(images, y) > 0.8
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert getattr(model, "optimizer", None) is None  # never compiled here


def test_softmax_outputs_are_probabilities_linear_ones_logits(digit_labels, training):
    images, y, _ = digit_labels
    proba = KerasClassifier(mlp, **training).fit(images, y)
    logits = KerasClassifier(mlp, model__output_activation=None, **training)
    logits.fit(images, y)
    assert not proba._logits and logits._logits
    for clf in (proba, logits):
        p = clf.predict_proba(images[:50])
        np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
        assert clf.score(images, y) > 0.8


def test_binary_targets_may_use_one_sigmoid_output(digit_labels, training):
    images, y, _ = digit_labels
    big = np.where(y > 4, "big", "small")
    clf = KerasClassifier(
        lambda shape, n: mlp(shape, 1, output_activation="sigmoid"), **training
    ).fit(images, big)
    proba = clf.predict_proba(images[:20])
    assert proba.shape == (20, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert set(clf.predict(images)) == {"big", "small"}
    assert clf.score(images, big) > 0.8
    assert isinstance(clf.model_.loss, keras.losses.BinaryCrossentropy)


def test_multilabel_targets(digit_labels, training):
    images, _, labels = digit_labels
    clf = KerasClassifier(mlp, model__output_activation="sigmoid", **training)
    clf.fit(images, labels)
    predicted = clf.predict(images)
    assert predicted.shape == labels.shape
    assert set(np.unique(predicted)) <= {0, 1}
    proba = clf.predict_proba(images[:5])
    assert proba.shape == (5, 3) and ((proba >= 0) & (proba <= 1)).all()
    assert (predicted == labels).mean() > 0.8


def test_a_compiled_models_loss_is_kept_unless_loss_is_set(digit_labels, training):
    images, y, _ = digit_labels

    def compiled(shape, n):
        model = mlp(shape, n)
        model.compile(loss=keras.losses.SparseCategoricalCrossentropy(name="mine"))
        return model

    training["max_iter"] = 1
    kept = KerasClassifier(compiled, **training).fit(images, y)
    assert kept.model_.loss.name == "mine"
    given = keras.losses.SparseCategoricalCrossentropy(name="given")
    overridden = KerasClassifier(compiled, loss=given, **training).fit(images, y)
    assert overridden.model_.loss is given


def test_a_residual_network_trains_on_images(digit_labels, training):
    images, y, _ = digit_labels
    clf = KerasClassifier(residual_cnn, model__filters=16, **training)
    clf.set_params(max_iter=15, learning_rate_init=0.03)
    assert clf.fit(images, y).score(images, y) > 0.5
    assert clf.extract_features(images[:4]).shape == (4, 16)


def test_the_training_parameters_apply(digit_labels, training):
    images, y, _ = digit_labels
    stopped = KerasClassifier(
        mlp, **{**training, "early_stopping": True, "n_iter_no_change": 1}
    ).set_params(max_iter=50)
    stopped.fit(images, y)
    assert "val_loss" in stopped.history_ and stopped.n_iter_ < 50
    weighted = KerasClassifier(mlp, class_weight="balanced", **training)
    weighted.fit(images, y, sample_weight=np.ones(len(y)))
    incremental = KerasClassifier(mlp, **training)
    for _ in range(3):
        incremental.partial_fit(images, y, classes=np.arange(10))
    assert incremental.n_iter_ == 3


def test_pickling_keeps_predictions(digit_labels, training):
    images, y, _ = digit_labels
    clf = KerasClassifier(residual_cnn, **{**training, "max_iter": 2}).fit(images, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.predict_proba(images[:30]), clf.predict_proba(images[:30])
    )


def test_the_numpy_fast_path_matches_keras(digit_labels, training):
    images, y, _ = digit_labels
    clf = KerasClassifier(mlp, **training).fit(images, y)
    fast = clf.predict_proba(images)
    assert clf._predictor._steps is not None  # the user's chain was compiled
    keras_outputs = clf.model_.predict(images.reshape(len(images), -1), verbose=0)
    # Two computations in float32 (NumPy's and TensorFlow's matrix products):
    # probabilities agree to a few float32 ulps of the logits' scale.
    np.testing.assert_allclose(fast, keras_outputs, rtol=1e-4, atol=1e-6)


def test_file_paths_as_X(tmp_path, digit_labels, training):
    images, y, _ = digit_labels
    paths = []
    for i, image in enumerate(images[:200]):
        paths.append(tmp_path / f"{i}.png")
        Image.fromarray(image).save(paths[-1])
    clf = KerasClassifier(mlp, image_shape=(8, 8), **training)
    clf.fit(np.array(paths), y[:200])
    assert clf.score(np.array(paths), y[:200]) > 0.8
    # The same pixels read by two pipelines (decoded files, arrays): equal up
    # to float32 rounding.
    np.testing.assert_allclose(
        clf.predict_proba(np.array(paths[:20])),
        clf.predict_proba(images[:20]),
        rtol=1e-5,
        atol=1e-6,
    )


def test_a_fitted_keras_classifier_is_a_backbone(digit_labels, training):
    images, y, _ = digit_labels
    clf = KerasClassifier(residual_cnn, **training).fit(images, y)
    network = clf.feature_network()
    assert network.image_shape == (8, 8, 1) and network.pixel_max == 255.0
    features = BackboneFeatures(FrozenEstimator(clf)).fit(images)
    np.testing.assert_allclose(
        features.transform(images[:10]),
        clf.extract_features(images[:10]),
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.parametrize("n_classes", [2, 3])
def test_output_size_mismatch_names_both_sizes(digit_labels, training, n_classes):
    images, y, _ = digit_labels
    clf = KerasClassifier(lambda shape, n: mlp(shape, 5), **training)
    with pytest.raises(ValueError, match=f"outputs 5 values .* y has {n_classes}"):
        clf.fit(images, y % n_classes)


def test_optuna_search_tunes_a_builder_argument(digit_labels, training):
    import optuna
    from optuna.distributions import IntDistribution
    from optuna_integration import OptunaSearchCV

    images, y, _ = digit_labels
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with pytest.warns(optuna.exceptions.ExperimentalWarning):
        search = OptunaSearchCV(
            KerasClassifier(mlp, **{**training, "max_iter": 2}),
            {"model__units": IntDistribution(1, 32)},
            n_trials=3,
            cv=2,
            random_state=0,
        )
    search.fit(images[:400], y[:400])
    tried = search.trials_dataframe()["params_model__units"]
    assert len(tried) == 3 and tried.between(1, 32).all()
    best = search.best_estimator_.get_params()["model__units"]
    assert best == search.best_params_["model__units"]


def test_a_sequential_without_input_is_built_for_the_data(digit_labels, training):
    images, y, _ = digit_labels

    def unbuilt(input_shape, n_outputs):
        return keras.Sequential(
            [keras.layers.Flatten(), keras.layers.Dense(n_outputs, "softmax")]
        )

    clf = KerasClassifier(unbuilt, **training).fit(images, y)
    assert clf.model_.count_params() == 64 * 10 + 10
    assert clf.score(images, y) > 0.8
