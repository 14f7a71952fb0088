"""Per-sample reconstruction errors of autoencoders."""

import numpy as np


def _as_float(X, scale):
    X = np.asarray(X)
    return X.reshape(len(X), -1).astype(np.float64) * scale


def reconstruction_error(autoencoder, X):
    """Mean squared error between each sample and its reconstruction.

    For skvision autoencoders this is ``-autoencoder.score_samples(X)``: errors
    in the network's scale (pixels in [0, 1] after a fit on uint8 images).
    Any other fitted transformer with ``inverse_transform`` (PCA, say) is
    compared on ``inverse_transform(transform(X))``, uint8 images scaled by
    1/255.

    Parameters
    ----------
    autoencoder : fitted transformer
        A :class:`~skvision.DenseAutoencoder`, :class:`~skvision.ConvAutoencoder`
        or any transformer with ``transform`` and ``inverse_transform``. One
        with a method ``__skvision_reconstruction_error__(X)``, as the skvision
        autoencoders have, gives its errors itself.
    X : array-like of shape (n_samples, ...)
        Samples, in the layout and dtype the autoencoder was fitted on.

    Returns
    -------
    errors : ndarray of shape (n_samples,)
        Mean over each sample's values of the squared differences.

    See Also
    --------
    skvision.DenseAutoencoder.score_samples : The same, negated.
    fid_score : A distance between sets of images rather than samples.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skvision.metrics import reconstruction_error
    >>> X = load_digits().data / 16
    >>> errors = reconstruction_error(PCA(n_components=16).fit(X), X)
    >>> errors.shape, bool(errors.mean() < 0.02)
    ((1797,), True)
    """
    # Asked by name, not by class: importing the autoencoders would load Keras.
    own_errors = getattr(autoencoder, "__skvision_reconstruction_error__", None)
    if own_errors is not None:
        return own_errors(X)
    scale = 1 / 255 if np.asarray(X).dtype == np.uint8 else 1.0
    reconstructions = autoencoder.inverse_transform(autoencoder.transform(X))
    return np.mean(
        (_as_float(X, scale) - _as_float(reconstructions, scale)) ** 2, axis=1
    )
