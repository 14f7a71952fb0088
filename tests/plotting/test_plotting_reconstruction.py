import numpy as np
import pytest
from sklearn.decomposition import PCA

from skvision.plotting import ReconstructionDisplay


@pytest.fixture(scope="module")
def pca(digits):
    """PCA has transform/inverse_transform: a stand-in autoencoder."""
    return PCA(n_components=10, random_state=0).fit(digits[0])


def test_from_estimator_rows(pca, digits):
    X = digits[2]
    disp = ReconstructionDisplay.from_estimator(pca, X, n_images=5)
    assert disp.axes_.shape == (2, 5)
    assert disp.row_labels_ == ["original", "reconstruction"]
    assert [ax.get_ylabel() for ax in disp.axes_[:, 0]] == disp.row_labels_
    np.testing.assert_array_equal(disp.images_[0, 2].get_array(), X[2].reshape(8, 8))
    expected = pca.inverse_transform(pca.transform(X[:5]))[2].reshape(8, 8)
    np.testing.assert_allclose(disp.images_[1, 2].get_array(), expected)
    # One gray scale for every row: that of the originals.
    assert disp.images_[1, 0].get_clim() == disp.images_[0, 0].get_clim()


def test_noise_callable_adds_a_row(pca, digits):
    X = digits[2]

    def noise(images):
        return images + 0.5

    disp = ReconstructionDisplay.from_estimator(pca, X, n_images=3, noise=noise)
    assert disp.axes_.shape == (3, 3)
    assert disp.row_labels_ == ["original", "noisy", "reconstruction"]
    np.testing.assert_allclose(disp.images_[1, 0].get_array(), X[0].reshape(8, 8) + 0.5)
    expected = pca.inverse_transform(pca.transform(X[:3] + 0.5))[0].reshape(8, 8)
    np.testing.assert_allclose(disp.images_[2, 0].get_array(), expected)


def test_noise_array_and_random_state(pca, digits, rng):
    X = digits[2]
    noisy = X + rng.normal(0, 0.1, X.shape)
    disp = ReconstructionDisplay.from_estimator(
        pca, X, n_images=4, noise=noisy, random_state=0
    )
    assert disp.axes_.shape == (3, 4)
    shown = disp.images_[0, 0].get_array()
    row = next(i for i in range(len(X)) if np.array_equal(X[i].reshape(8, 8), shown))
    np.testing.assert_array_equal(
        disp.images_[1, 0].get_array(), noisy[row].reshape(8, 8)
    )
    with pytest.raises(ValueError, match="shape of X"):
        ReconstructionDisplay.from_estimator(pca, X, noise=noisy[:10])


def test_image_shaped_input():
    class Identity:
        def transform(self, X):
            return X.reshape(len(X), -1)

        def inverse_transform(self, Z):
            return Z * 0.5

    X = np.ones((4, 3, 5))
    disp = ReconstructionDisplay.from_estimator(Identity(), X, n_images=2)
    assert disp.axes_.shape == (2, 2)
    np.testing.assert_array_equal(disp.images_[1, 1].get_array(), np.full((3, 5), 0.5))


def test_constructor_with_colour_images_and_given_axes(rng):
    import matplotlib.pyplot as plt

    originals = rng.random((3, 4 * 4 * 3))
    _, ax = plt.subplots()
    disp = ReconstructionDisplay(
        originals, originals * 0.9, image_shape=(4, 4, 3)
    ).plot(ax=ax)
    assert disp.axes_.shape == (2, 3)
    assert disp.images_[0, 0].get_array().shape == (4, 4, 3)
    assert not ax.axison  # split into the grid
    disp.figure_.canvas.draw()
