import pickle

import joblib
import keras
import numpy as np
import pytest
from sklearn.base import clone, is_classifier

from skvision import DenseNetClassifier


def test_is_a_classifier_with_tags():
    clf = DenseNetClassifier()
    assert is_classifier(clf)
    assert clf.__sklearn_tags__().estimator_type == "classifier"


def test_learns_digits(digits, fitted_small_net):
    X, y, X_test, y_test = digits
    clf = fitted_small_net
    assert clf.score(X_test, y_test) > 0.9
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


def test_string_labels_come_back(digits, small_net):
    X, y, X_test, _ = digits
    names = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    clf = DenseNetClassifier(**small_net).fit(X, names[y])
    assert clf.classes_.tolist() == sorted(names.tolist())
    assert set(clf.predict(X_test)) <= set(names)


def test_image_layouts_are_equivalent(digits, small_net, fitted_small_net):
    X, y, X_test, _ = digits
    flat = fitted_small_net.predict_proba(X_test)
    images = DenseNetClassifier(**small_net).fit(X.reshape(-1, 8, 8), y)
    np.testing.assert_allclose(images.predict_proba(X_test.reshape(-1, 8, 8)), flat)
    channels = DenseNetClassifier(**small_net).fit(X.reshape(-1, 8, 8, 1), y)
    np.testing.assert_allclose(
        channels.predict_proba(X_test.reshape(-1, 8, 8, 1)), flat
    )
    assert images.input_shape_ == (8, 8) and images.n_features_in_ == 64


def test_uint8_images_are_scaled_by_255(digits, small_net):
    X, y, X_test, _ = digits
    pixels = np.round(X * 255).astype(np.uint8)
    from_uint8 = DenseNetClassifier(**small_net).fit(pixels, y)
    from_float = DenseNetClassifier(**small_net).fit(pixels / np.float32(255), y)
    test_pixels = np.round(X_test * 255).astype(np.uint8)
    # The network's x * (1/255) and NumPy's x / 255 differ by an ulp at times;
    # eight epochs of training carry that to ~1e-5 of a probability.
    np.testing.assert_allclose(
        from_uint8.predict_proba(test_pixels),
        from_float.predict_proba(test_pixels / np.float32(255)),
        rtol=1e-4,
        atol=1e-6,
    )
    with pytest.raises(ValueError, match="fitted on uint8"):
        from_uint8.predict(X_test)


def test_random_state_makes_fits_identical(digits):
    X, y, X_test, _ = digits
    params = dict(hidden_layer_sizes=(32,), max_iter=3, dropout=0.3)
    a = DenseNetClassifier(random_state=1, **params).fit(X, y).predict_proba(X_test)
    b = DenseNetClassifier(random_state=1, **params).fit(X, y).predict_proba(X_test)
    c = DenseNetClassifier(random_state=2, **params).fit(X, y).predict_proba(X_test)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_random_state_instances_give_different_seeds(digits, small_net):
    # scikeras seeds every RandomState to 0 (randint(low=1) is always 0).
    X, y, X_test, _ = digits
    params = {**small_net, "max_iter": 1}
    fits = [
        DenseNetClassifier(**{**params, "random_state": np.random.RandomState(seed)})
        .fit(X, y)
        .predict_proba(X_test)
        for seed in (1, 2)
    ]
    assert not np.allclose(*fits)


def test_seeding_leaves_global_generators_alone(digits, small_net):
    X, y, _, _ = digits
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    DenseNetClassifier(**small_net).fit(X, y)
    assert np.random.rand() == expected


def test_partial_fit_trains_one_epoch_and_keeps_optimizer_state(digits, small_net):
    X, y, X_test, y_test = digits
    clf = DenseNetClassifier(**{**small_net, "batch_size": 100})
    clf.partial_fit(X[:500], y[:500], classes=np.arange(10))
    optimizer = clf.model_.optimizer
    assert clf.n_iter_ == 1 and int(optimizer.iterations.numpy()) == 5
    for _ in range(4):
        clf.partial_fit(X, y)
    assert clf.model_.optimizer is optimizer
    assert int(optimizer.iterations.numpy()) == 5 + 4 * 10
    assert len(clf.history_["loss"]) == 5
    assert clf.score(X_test, y_test) > 0.85


def test_partial_fit_first_batch_may_miss_classes(digits, small_net):
    X, y, _, _ = digits
    clf = DenseNetClassifier(**small_net)
    clf.partial_fit(X[y < 5], y[y < 5], classes=np.arange(10))
    clf.partial_fit(X[y >= 5], y[y >= 5])
    assert clf.classes_.tolist() == list(range(10))
    with pytest.raises(ValueError, match="not seen in the first fit"):
        DenseNetClassifier(**small_net).partial_fit(X[y < 5], y[y < 5]).partial_fit(
            X, y
        )


def test_warm_start_continues_training(digits, small_net):
    X, y, _, _ = digits
    clf = DenseNetClassifier(**{**small_net, "max_iter": 2, "warm_start": True})
    clf.fit(X, y)
    model = clf.model_
    clf.fit(X, y)
    assert clf.model_ is model and clf.n_iter_ == 4
    cold = DenseNetClassifier(**{**small_net, "max_iter": 2}).fit(X, y)
    cold_model = cold.model_
    assert cold.fit(X, y).model_ is not cold_model and cold.n_iter_ == 2


def test_history_and_best_epoch_with_early_stopping(digits):
    X, y, _, _ = digits
    clf = DenseNetClassifier(
        hidden_layer_sizes=(32,),
        max_iter=40,
        n_iter_no_change=3,
        random_state=0,
        learning_rate_init=0.05,
    ).fit(X, y)
    history = clf.history_
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history)
    assert all(len(values) == clf.n_iter_ for values in history.values())
    assert clf.best_epoch_ == int(np.argmin(history["val_loss"]))
    assert clf.n_iter_ <= 40


def test_monitor_val_accuracy(digits, small_net):
    X, y, _, _ = digits
    clf = DenseNetClassifier(
        **{**small_net, "early_stopping": True, "monitor": "val_accuracy"}
    ).fit(X, y)
    assert clf.best_epoch_ == int(np.argmax(clf.history_["val_accuracy"]))


def test_validation_data_is_used_instead_of_a_split(digits, small_net):
    X, y, X_test, y_test = digits
    clf = DenseNetClassifier(**{**small_net, "early_stopping": True})
    clf.fit(X, y, validation_data=(X_test, y_test))
    last_val_accuracy = clf.history_["val_accuracy"][clf.best_epoch_]
    # Keras' evaluation and the NumPy predictor agree to float32 rounding: a
    # label may differ only where the two top probabilities are that close.
    top_two = np.sort(clf.predict_proba(X_test), axis=1)[:, -2:]
    near_ties = np.sum(top_two[:, 1] - top_two[:, 0] < 1e-5) / len(X_test)
    score = clf.score(X_test, y_test)
    assert abs(last_val_accuracy - score) <= near_ties + 1e-6
    with pytest.raises(ValueError, match="validation_data must be a pair"):
        clf.fit(X, y, validation_data=X_test)


def test_step_learning_rate_schedule(digits, small_net):
    X, y, _, _ = digits
    clf = DenseNetClassifier(
        **{**small_net, "learning_rate_init": 5e-3, "learning_rate": {3: 1e-3}}
    ).fit(X, y)
    rates = np.array(clf.history_["learning_rate"])
    np.testing.assert_allclose(rates[:3], 5e-3)
    np.testing.assert_allclose(rates[3:], 1e-3)


def test_adaptive_learning_rate_reduces_on_plateau(digits):
    X, y, _, _ = digits
    clf = DenseNetClassifier(
        hidden_layer_sizes=(64,),
        max_iter=40,
        early_stopping=False,
        learning_rate_init=0.05,
        random_state=0,
    ).fit(X, y)
    assert min(clf.history_["learning_rate"]) < 0.05


@pytest.mark.parametrize(
    "schedule, message",
    [({-1: 0.1}, "epoch numbers"), ({2: 0}, "positive floats")],
)
def test_bad_learning_rate_schedule(digits, small_net, schedule, message):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=message):
        DenseNetClassifier(**{**small_net, "learning_rate": schedule}).fit(X, y)


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd", "rmsprop"])
@pytest.mark.parametrize(
    "activation", ["relu", "leaky_relu", "elu", "selu", "gelu", "tanh"]
)
def test_optimizers_and_activations_train(digits, optimizer, activation):
    X, y, X_test, y_test = digits
    clf = DenseNetClassifier(
        hidden_layer_sizes=(32,),
        optimizer=optimizer,
        activation=activation,
        learning_rate_init=0.1 if optimizer == "sgd" else 0.01,
        max_iter=4,
        early_stopping=False,
        random_state=0,
        l2=1e-4,
    ).fit(X, y)
    assert clf.score(X_test, y_test) > 0.6


def test_class_weight_balanced_changes_the_fit(digits, small_net):
    X, y, X_test, _ = digits
    keep = (y != 3) | (np.arange(len(y)) % 10 == 0)  # make class 3 rare
    plain = DenseNetClassifier(**small_net).fit(X[keep], y[keep])
    balanced = DenseNetClassifier(**small_net, class_weight="balanced").fit(
        X[keep], y[keep]
    )
    rare_plain = plain.predict_proba(X_test)[:, 3].mean()
    rare_balanced = balanced.predict_proba(X_test)[:, 3].mean()
    assert rare_balanced > rare_plain


def test_sample_weight_is_not_modified(digits, small_net):
    X, y, _, _ = digits
    weights = np.linspace(0, 2, len(y))
    before = weights.copy()
    DenseNetClassifier(**small_net, class_weight="balanced").fit(X, y, weights)
    np.testing.assert_array_equal(weights, before)


def test_zero_weight_samples_do_not_count(digits, small_net, fitted_small_net):
    X, y, X_test, _ = digits
    noise = np.random.default_rng(0).random((200, X.shape[1])).astype(np.float32)
    X_noisy = np.vstack([X, noise])
    y_noisy = np.concatenate([y, np.zeros(200, dtype=int)])
    weights = np.r_[np.ones(len(X)), np.zeros(200)]
    weighted = DenseNetClassifier(**small_net).fit(X_noisy, y_noisy, weights)
    clean = fitted_small_net
    np.testing.assert_allclose(
        weighted.predict_proba(X_test), clean.predict_proba(X_test), atol=1e-5
    )


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_persistence_round_trip(digits, fitted_small_net, tmp_path, dump):
    X, y, X_test, _ = digits
    clf = fitted_small_net
    if dump == "pickle":
        restored = pickle.loads(pickle.dumps(clf))
    else:
        joblib.dump(clf, tmp_path / "clf.joblib")
        restored = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(
        restored.predict_proba(X_test), clf.predict_proba(X_test)
    )
    assert restored.history_ == clf.history_
    restored.partial_fit(X, y)  # the optimizer state travels too
    assert restored.n_iter_ == clf.n_iter_ + 1


def test_clone_gives_an_unfitted_copy(fitted_small_net):
    clf = fitted_small_net
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "model_")


def test_user_callbacks_are_called(digits, small_net):
    X, y, _, _ = digits

    class CountEpochs(keras.callbacks.Callback):
        epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            type(self).epochs += 1

    callbacks = [CountEpochs()]
    DenseNetClassifier(**small_net, callbacks=callbacks).fit(X, y)
    assert CountEpochs.epochs == small_net["max_iter"]
    assert len(callbacks) == 1  # the user's list is not extended


def test_fast_predict_matches_keras(digits):
    X, y, X_test, _ = digits
    clf = DenseNetClassifier(
        hidden_layer_sizes=(32, 16),
        activation="leaky_relu",
        max_iter=2,
        random_state=0,
    ).fit(X, y)
    # NumPy's and Keras' matrix products sum in other orders: float32 logits
    # differ by ~1e-6 (eps 1.2e-7 times depths of 64, 32, 16), probabilities
    # by that much relatively.
    np.testing.assert_allclose(
        clf.predict_proba(X_test),
        clf.model_.predict(X_test, verbose=0),
        rtol=1e-4,
        atol=1e-6,
    )
    # Training the Keras model directly is picked up by the next predict.
    clf.model_.fit(X, y, epochs=1, verbose=0)
    np.testing.assert_allclose(
        clf.predict_proba(X_test),
        clf.model_.predict(X_test, verbose=0),
        rtol=1e-4,
        atol=1e-6,
    )


def test_verbose_zero_prints_nothing(digits, small_net, capsys):
    X, y, _, _ = digits
    DenseNetClassifier(**small_net).fit(X, y).predict(X)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_partial_fit_with_other_classes_later_is_an_error(digits, small_net):
    X, y, _, _ = digits
    clf = DenseNetClassifier(**small_net).partial_fit(X, y, classes=np.arange(10))
    clf.partial_fit(X, y, classes=np.arange(10))  # the same classes: fine
    with pytest.raises(ValueError, match=r"classes=\[0, 1, 2\] is not the same"):
        clf.partial_fit(X[y < 3], y[y < 3], classes=[0, 1, 2])
