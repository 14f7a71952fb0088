"""Fréchet distance between feature distributions, and the FID built on it."""

import numpy as np
from sklearn.utils.validation import check_array


def _moments(features, name):
    features = check_array(features, dtype=np.float64, input_name=name)
    if len(features) < 2:
        raise ValueError(
            f"{name} needs at least 2 samples to estimate a covariance; "
            f"got {len(features)}."
        )
    return features.mean(axis=0), np.atleast_2d(np.cov(features, rowvar=False))


def _sqrt_psd(matrix):
    """Square root of a symmetric positive semi-definite matrix."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(features_a, features_b):
    """Fréchet distance between Gaussians fitted to two sets of features.

    ``|mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2))``, the
    squared Wasserstein-2 distance between ``N(mu_a, S_a)`` and ``N(mu_b,
    S_b)``. The trace of the matrix square root is computed as the sum of the
    square roots of the eigenvalues of ``S_a^(1/2) S_b S_a^(1/2)``: a
    symmetric positive semi-definite matrix with the same eigenvalues as
    ``S_a S_b``, so no complex parts or singular products need patching (as
    ``scipy.linalg.sqrtm`` of ``S_a S_b`` does). It is exact up to rounding
    and takes well under a second for 10,000 x 128 features.

    Parameters
    ----------
    features_a : array-like of shape (n_samples_a, n_features)
        Features of the first set, e.g. of real images.
    features_b : array-like of shape (n_samples_b, n_features)
        Features of the second set, e.g. of generated or reconstructed images.

    Returns
    -------
    distance : float
        Non-negative; 0 for identical means and covariances.

    See Also
    --------
    fid_score : The distance between images, on a network's features.

    References
    ----------
    .. [1] M. Heusel et al., "GANs Trained by a Two Time-Scale Update Rule
       Converge to a Local Nash Equilibrium", NeurIPS 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skvision.metrics import frechet_distance
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=(5000, 4))
    >>> round(frechet_distance(a, a), 6)
    0.0
    >>> round(frechet_distance(a, a + 1), 2)  # the means differ by 1 in 4 axes
    4.0
    """
    mu_a, cov_a = _moments(features_a, "features_a")
    mu_b, cov_b = _moments(features_b, "features_b")
    if mu_a.shape != mu_b.shape:
        raise ValueError(
            f"features_a has {mu_a.size} features but features_b has {mu_b.size}."
        )
    root_a = _sqrt_psd(cov_a)
    product = root_a @ cov_b @ root_a
    eigenvalues = np.linalg.eigvalsh((product + product.T) / 2)
    trace_root = np.sqrt(np.clip(eigenvalues, 0, None)).sum()
    distance = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b)
    return float(max(distance - 2 * trace_root, 0.0))


def _features(extractor, X):
    if hasattr(extractor, "extract_features"):
        return extractor.extract_features(X)
    if hasattr(extractor, "transform"):
        return extractor.transform(X)
    if callable(extractor):
        return extractor(X)
    raise TypeError(
        "feature_extractor must be a fitted skvision classifier (its "
        "extract_features), a fitted transformer or a callable; got "
        f"{type(extractor).__name__}."
    )


def fid_score(X_a, X_b, feature_extractor):
    """Fréchet Inception-style distance between two sets of images.

    The images go through ``feature_extractor`` and :func:`frechet_distance`
    compares the features. With a classifier trained on the images' domain
    (a :class:`~skvision.DenseNetClassifier` on MNIST, say) this is the
    "FID with your own classifier" used for small images, where Inception
    features mean little; values are comparable only for the same extractor.

    Parameters
    ----------
    X_a, X_b : array-like of shape (n_samples, ...)
        Two sets of images, in the layout and dtype the extractor takes (for
        an autoencoder's reconstructions, ``inverse_transform`` already gives
        that).
    feature_extractor : fitted estimator or callable
        A fitted skvision classifier, whose ``extract_features`` (the
        activations that feed its output layer) are used; or any fitted
        transformer (its ``transform``); or a function of the images
        returning ``(n_samples, n_features)``.

    Returns
    -------
    fid : float
        The Fréchet distance between the two sets of features.

    See Also
    --------
    frechet_distance : The distance between two sets of features.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvision import DenseNetClassifier
    >>> from skvision.metrics import fid_score
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> clf = DenseNetClassifier(hidden_layer_sizes=(32,), max_iter=10,
    ...                          random_state=0).fit(X[:1000], y[:1000])
    >>> same = fid_score(X[1000:], X[:1000], clf)
    >>> noise = fid_score(X[1000:], X[:1000].clip(0.3, 0.7), clf)
    >>> bool(same < noise)
    True
    """
    return frechet_distance(
        _features(feature_extractor, X_a), _features(feature_extractor, X_b)
    )
