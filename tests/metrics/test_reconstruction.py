import numpy as np
from sklearn.decomposition import PCA

from skvision.metrics import reconstruction_error


def test_per_sample_errors_of_pca(digits):
    X, _, X_test, _ = digits
    pca = PCA(n_components=10).fit(X)
    errors = reconstruction_error(pca, X_test)
    expected = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2, 1)
    # reconstruction_error works in float64, this mean in float32: a mean of
    # 64 float32 squares is good to ~8 eps (1e-6) at worst.
    np.testing.assert_allclose(errors, expected, rtol=1e-5)


def test_uint8_images_are_compared_in_unit_scale(digits):
    X, _, _, _ = digits
    pixels = np.round(X * 255).astype(np.uint8)
    pca = PCA(n_components=10).fit(pixels)
    errors = reconstruction_error(pca, pixels)
    manual = np.mean((pca.inverse_transform(pca.transform(pixels)) - pixels) ** 2, 1)
    np.testing.assert_allclose(errors, manual / 255**2, rtol=1e-6)
