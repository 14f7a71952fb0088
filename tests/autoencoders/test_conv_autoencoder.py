import pickle

import numpy as np
import pytest

from skvision import ConvAutoencoder
from skvision._networks import build_conv_autoencoder

FAST = dict(
    latent_dim=8,
    filters=(8, 16),
    batch_size=32,
    max_iter=10,
    early_stopping=False,
    learning_rate="constant",
    learning_rate_init=0.01,
    random_state=0,
)


@pytest.fixture(scope="module")
def fitted(digits):
    X, _, _, _ = digits
    return ConvAutoencoder(**FAST).fit(X.reshape(-1, 8, 8))


def test_reconstructs_digit_images(digits, fitted):
    X, _, X_test, _ = digits
    images = X_test.reshape(-1, 8, 8)
    assert fitted.image_shape_ == (8, 8, 1) and fitted.input_shape_ == (8, 8)
    codes = fitted.transform(images)
    assert codes.shape == (len(images), 8)
    reconstructions = fitted.inverse_transform(codes)
    assert reconstructions.shape == images.shape
    mse = np.mean((reconstructions - images) ** 2)
    # Batch normalization slows the start on 1,000 images; 10 epochs suffice
    # to beat the mean image clearly.
    assert mse < 0.65 * np.mean((X_test - X.mean(axis=0)) ** 2)
    np.testing.assert_allclose(fitted.score(images), -mse, rtol=1e-4)


def test_pickle_round_trip(digits, fitted):
    _, _, X_test, _ = digits
    images = X_test.reshape(-1, 8, 8)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(images), fitted.transform(images))
    assert restored.image_shape_ == (8, 8, 1)


def test_flat_odd_sized_images_pooling_upsampling_and_noise(digits):
    X, _, _, _ = digits
    # 7x5 crops, flattened: image_shape restores them, the decoder crops 8x8.
    flat = X.reshape(-1, 8, 8)[:300, :7, :5].reshape(300, 35)
    ae = ConvAutoencoder(
        **{**FAST, "max_iter": 2},
        image_shape=(7, 5),
        downsampling="pool",
        upsampling="nearest",
        noise_std=0.1,
        mask_fraction=0.2,
        activity_l1=1e-3,
        output_activation="linear",
    ).fit(flat)
    names = [layer.name for layer in ae.model_.layers]
    assert names == ["pixels", "noise", "mask", "encoder", "decoder"]
    assert ae.encoder_.get_layer("sparsity").l1 == 1e-3
    assert ae.image_shape_ == (7, 5, 1) and ae.input_shape_ == (35,)
    assert ae.inverse_transform(ae.transform(flat)).shape == flat.shape


def test_flat_samples_need_a_square_or_an_image_shape():
    X = np.random.default_rng(0).random((10, 12))
    with pytest.raises(ValueError, match="image_shape"):
        ConvAutoencoder(**FAST).fit(X)
    with pytest.raises(ValueError, match="filters"):
        ConvAutoencoder(**{**FAST, "filters": ()}).fit(X.reshape(-1, 3, 4))


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("shape", [(28, 28, 1), (7, 5, 3), (1, 10, 1)])
def test_decoder_mirrors_any_image_size(depth, shape):
    model = build_conv_autoencoder(shape, 4, filters=(4,) * depth, seed=0)
    n_features = int(np.prod(shape))
    assert model.output_shape == (None, n_features)
    assert model.get_layer("encoder").output_shape == (None, 4)
    assert model.get_layer("decoder").output_shape == (None, n_features)
