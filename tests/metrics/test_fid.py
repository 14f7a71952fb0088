import subprocess
import sys

import numpy as np
import pytest
from scipy import linalg
from sklearn.decomposition import PCA

from skvision import DenseNetClassifier
from skvision.metrics import fid_score, frechet_distance


def _scipy_frechet(a, b):
    """The textbook formula with scipy's matrix square root."""
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(cov_a @ cov_b).real
    return np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root)


@pytest.fixture(scope="module")
def features():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2000, 16))
    b = rng.normal(0.2, 1.0, size=(1500, 16)) @ rng.normal(size=(16, 16)) * 0.5
    return a, b


def test_zero_for_identical_sets_and_symmetric(features):
    a, b = features
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-9)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-9)
    assert frechet_distance(a, b) > 1


def test_matches_the_textbook_formula(features):
    a, b = features
    assert frechet_distance(a, b) == pytest.approx(_scipy_frechet(a, b), rel=1e-6)


def test_closed_form_for_diagonal_gaussians():
    # For diagonal covariances: |mu_a - mu_b|^2 + sum (sigma_a - sigma_b)^2.
    rng = np.random.default_rng(1)
    a = rng.standard_normal((200_000, 3)) * [1.0, 2.0, 0.5]
    b = rng.standard_normal((200_000, 3)) * [2.0, 2.0, 1.5] + [1.0, 0.0, 0.0]
    assert frechet_distance(a, b) == pytest.approx(1 + 1 + 0 + 1, rel=0.02)


def test_singular_covariances_stay_real_and_finite():
    rng = np.random.default_rng(2)
    a = np.zeros((50, 10))
    a[:, 0] = rng.normal(size=50)  # rank 1; sqrtm would warn or go complex
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-9)
    assert frechet_distance(a, a + 0.5) == pytest.approx(10 * 0.25)


def test_checks_the_inputs():
    with pytest.raises(ValueError, match="features_b has 3"):
        frechet_distance(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        frechet_distance(np.zeros((1, 2)), np.zeros((5, 2)))


def test_ten_thousand_128d_features_measure_a_mean_shift():
    # Timing lives in benchmarks/bench_autoencoders.py; here, the value: a shift
    # of 1 in each of 128 dimensions adds 128 to the squared mean difference.
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(10_000, 128)), rng.normal(size=(10_000, 128))
    assert frechet_distance(a, b) < 2
    assert frechet_distance(a, b + 1) == pytest.approx(128, abs=2)


@pytest.fixture(scope="module")
def classifier(digits):
    X, y, _, _ = digits
    return DenseNetClassifier(
        hidden_layer_sizes=(32,), max_iter=10, early_stopping=False, random_state=0
    ).fit(X, y)


def test_extract_features_are_the_softmax_inputs(digits, classifier):
    _, _, X_test, _ = digits
    features = classifier.extract_features(X_test)
    assert features.shape == (len(X_test), 32)
    head = classifier.model_.get_layer("probabilities")
    logits = features @ head.kernel.numpy() + head.bias.numpy()
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        expected, classifier.predict_proba(X_test), rtol=1e-4, atol=1e-6
    )


def test_fid_of_real_digits_beats_shuffled_pixels(digits, classifier):
    X, _, X_test, _ = digits
    rng = np.random.default_rng(0)
    shuffled = X[:, rng.permutation(X.shape[1])]
    real = fid_score(X_test, X, classifier)
    assert real < fid_score(X_test, shuffled, classifier)
    assert fid_score(X_test, X_test, classifier) == pytest.approx(0, abs=1e-6)


def test_other_feature_extractors(digits):
    X, _, X_test, _ = digits
    pca = PCA(n_components=8).fit(X)
    by_pca = fid_score(X_test, X, pca)
    assert by_pca == pytest.approx(fid_score(X_test, X, pca.transform))
    with pytest.raises(TypeError, match="feature_extractor"):
        fid_score(X_test, X, "inception")


def test_importing_metrics_does_not_load_keras():
    code = "import sys, skvision.metrics; assert 'keras' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_unfitted_extractor_is_not_fitted_error(features):
    from sklearn.exceptions import NotFittedError

    from skvision import DenseAutoencoder

    a, b = features
    for extractor in (DenseNetClassifier(), DenseAutoencoder(), PCA(2)):
        with pytest.raises(NotFittedError):
            fid_score(a, b, extractor)
