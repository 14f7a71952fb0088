import pickle

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier
from sklearn.utils._param_validation import InvalidParameterError

from skvision import DenseAutoencoder
from skvision._inference import FastPredictor, compile_chain
from skvision.metrics import reconstruction_error

FAST = dict(
    latent_dim=8,
    hidden_layer_sizes=(32,),
    batch_size=32,
    max_iter=15,
    early_stopping=False,
    learning_rate="constant",
    learning_rate_init=0.01,
    random_state=0,
)


@pytest.fixture(scope="module")
def fitted(digits):
    X, _, _, _ = digits
    return DenseAutoencoder(**FAST).fit(X)


def test_is_a_transformer_with_tags():
    ae = DenseAutoencoder()
    tags = ae.__sklearn_tags__()
    assert not is_classifier(ae) and tags.transformer_tags is not None
    assert tags.transformer_tags.preserves_dtype == ["float32"]
    assert not tags.target_tags.required
    assert DenseAutoencoder(dtype="float64").__sklearn_tags__().transformer_tags
    with pytest.raises(InvalidParameterError, match="monitor"):
        DenseAutoencoder(monitor="val_accuracy").fit(np.zeros((4, 3)))


def test_reconstructs_digits_better_than_the_mean(digits, fitted):
    X, _, X_test, _ = digits
    codes = fitted.transform(X_test)
    assert codes.shape == (len(X_test), 8) and codes.dtype == np.float32
    reconstructions = fitted.inverse_transform(codes)
    assert reconstructions.shape == X_test.shape
    mse = np.mean((reconstructions - X_test) ** 2)
    assert mse < 0.5 * np.mean((X_test - X.mean(axis=0)) ** 2)
    np.testing.assert_allclose(fitted.score(X_test), -mse, rtol=1e-4)


def test_numpy_fast_path_matches_keras(digits, fitted):
    _, _, X_test, _ = digits
    assert fitted._encode._steps is not None and fitted._decode._steps is not None
    codes = fitted.transform(X_test)
    np.testing.assert_allclose(
        codes, fitted.encoder_.predict(X_test, verbose=0), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        fitted.inverse_transform(codes),
        fitted.decoder_.predict(codes, verbose=0),
        rtol=1e-4,
        atol=1e-5,
    )


def test_numpy_chain_skips_training_only_layers():
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.GaussianNoise(0.5),
            keras.layers.Dense(4, activation="relu"),
            keras.layers.ActivityRegularization(l1=0.1),
        ]
    )
    assert len(compile_chain(model)) == 2  # the affine map and the relu
    X = np.random.default_rng(0).random((5, 6)).astype(np.float32)
    np.testing.assert_allclose(
        FastPredictor(model)(X), model.predict(X, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_feature_names_and_pandas_output(digits, fitted):
    _, _, X_test, _ = digits
    names = fitted.get_feature_names_out()
    assert names.tolist() == [f"denseautoencoder{i}" for i in range(8)]
    ae = pickle.loads(pickle.dumps(fitted)).set_output(transform="pandas")
    frame = ae.transform(X_test)
    assert isinstance(frame, pd.DataFrame) and frame.columns.tolist() == list(names)
    # The codes' frame goes back through inverse_transform.
    assert ae.inverse_transform(frame).shape == X_test.shape


def test_pickle_round_trip_keeps_the_fast_coders(digits, fitted):
    _, _, X_test, _ = digits
    restored = pickle.loads(pickle.dumps(fitted))
    codes = fitted.transform(X_test)
    np.testing.assert_array_equal(restored.transform(X_test), codes)
    np.testing.assert_array_equal(
        restored.inverse_transform(codes), fitted.inverse_transform(codes)
    )
    assert restored.encoder_ is restored.model_.get_layer("encoder")
    assert restored._encode.trained_by is restored.model_
    assert clone(fitted).get_params() == fitted.get_params()


def test_inverse_transform_checks_the_code_width(digits, fitted):
    with pytest.raises(ValueError, match="expecting 8 features"):
        fitted.inverse_transform(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="expecting 64 features"):
        fitted.transform(np.zeros((2, 5)))


def test_uint8_images_with_validation_data(digits):
    X, _, X_test, _ = digits
    pixels = np.round(X * 255).astype(np.uint8).reshape(-1, 8, 8)
    test_pixels = np.round(X_test * 255).astype(np.uint8).reshape(-1, 8, 8)
    ae = DenseAutoencoder(
        **{**FAST, "max_iter": 3, "early_stopping": True, "n_iter_no_change": 1}
    ).fit(pixels, validation_data=test_pixels)
    assert len(ae.history_["val_loss"]) == ae.n_iter_ <= 3
    assert ae.best_epoch_ == int(np.argmin(ae.history_["val_loss"]))
    assert ae.input_shape_ == (8, 8) and ae.n_features_in_ == 64
    reconstructions = ae.inverse_transform(ae.transform(test_pixels))
    assert reconstructions.dtype == np.uint8 and reconstructions.shape[1:] == (8, 8)
    # uint8 reconstructions go straight back in; errors are in [0, 1] units.
    assert ae.transform(reconstructions).shape == (len(X_test), 8)
    errors = reconstruction_error(ae, test_pixels)
    np.testing.assert_array_equal(errors, -ae.score_samples(test_pixels))
    assert ae.score(test_pixels) == pytest.approx(-errors.mean(), rel=1e-6)
    assert 0 < errors.mean() < 0.2
    with pytest.raises(ValueError, match="fitted on uint8"):
        ae.transform(X_test.reshape(-1, 8, 8))


def test_denoising_reconstructs_closer_to_the_clean_digits(digits):
    X, _, X_test, _ = digits
    rng = np.random.default_rng(0)
    noisy = (X_test + rng.normal(0, 0.3, X_test.shape)).astype(np.float32)
    ae = DenseAutoencoder(**{**FAST, "latent_dim": 16, "noise_std": 0.3}).fit(X)
    assert ae.model_.get_layer("noise").stddev == 0.3
    # The noise is a training-only layer: inference is deterministic.
    np.testing.assert_array_equal(ae.transform(noisy), ae.transform(noisy))
    denoised = ae.inverse_transform(ae.transform(noisy))
    noisy_error = np.mean((noisy - X_test) ** 2)
    assert np.mean((denoised - X_test) ** 2) < 0.5 * noisy_error


def test_l1_activity_penalty_gives_smaller_codes(digits, fitted):
    X, _, X_test, _ = digits
    sparse = DenseAutoencoder(**{**FAST, "activity_l1": 0.01}).fit(X)
    dense_codes = np.abs(fitted.transform(X_test)).mean()
    assert np.abs(sparse.transform(X_test)).mean() < 0.5 * dense_codes
    assert sparse._encode._steps is not None  # the penalty is inference-free


def test_partial_fit_refreshes_the_fast_path(digits):
    X, _, X_test, _ = digits
    ae = DenseAutoencoder(**FAST).partial_fit(X)
    before = ae.transform(X_test)
    ae.partial_fit(X)
    after = ae.transform(X_test)
    assert ae.n_iter_ == 2 and not np.allclose(before, after)
    np.testing.assert_allclose(
        after, ae.encoder_.predict(X_test, verbose=0), rtol=1e-4, atol=1e-5
    )


def test_binary_crossentropy_needs_targets_in_0_1_and_a_sigmoid(digits):
    X, _, _, _ = digits
    ae = DenseAutoencoder(latent_dim=2, loss="binary_crossentropy", max_iter=1)
    with pytest.raises(ValueError, match=r"in \[0, 1\]; X has values in \[-1, 1\]"):
        clone(ae).fit(2 * X - 1)
    with pytest.raises(ValueError, match="output_activation='sigmoid'"):
        clone(ae).set_params(output_activation="linear").fit(X)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        clone(ae).fit(X, validation_data=X + 1)
    assert clone(ae).fit(X).transform(X).shape == (len(X), 2)
