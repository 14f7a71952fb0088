"""Input checks shared by every estimator, in scikit-learn's words."""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

PIXEL_SCALE = np.float32(1 / 255)


def flatten_images(X):
    """``(n, h, w)`` / ``(n, h, w, c)`` arrays become ``(n, h*w*c)``.

    Returns the flat samples and the per-sample image shape (``None`` for
    inputs that were already flat). Sparse matrices and data frames pass
    through untouched so that scikit-learn's checks name them in its errors.
    """
    if sp.issparse(X) or hasattr(X, "columns") or hasattr(X, "__dataframe__"):
        return X, None
    X = np.asarray(X)
    if X.ndim > 2:
        return X.reshape(len(X), -1), X.shape[1:]
    return X, None


def check_samples(estimator, X, y=None, *, reset, dtype="float32"):
    """Validate ``X`` (and ``y``) like scikit-learn, then scale uint8 pixels.

    uint8 images are divided by 255; every other dtype is used as given.
    Mixing the two between fit and predict would silently change the scale,
    so it is an error.

    Returns ``(X, y, image_shape)`` with ``X`` of ``dtype`` and shape ``(n, d)``.
    """
    X, image_shape = flatten_images(X)
    kwargs = dict(reset=reset, dtype=[np.float32, np.float64, np.uint8])
    if y is None:
        X = validate_data(estimator, X, **kwargs)
    else:
        X, y = validate_data(estimator, X, y, **kwargs)
    is_uint8 = X.dtype == np.uint8
    if reset:
        estimator.pixel_scale_ = float(PIXEL_SCALE) if is_uint8 else 1.0
    elif is_uint8 != (estimator.pixel_scale_ != 1.0):
        fitted_on = "uint8 images (scaled by 1/255)" if not is_uint8 else "floats"
        raise ValueError(
            f"X has dtype {X.dtype}, but {type(estimator).__name__} was fitted on "
            f"{fitted_on}; pass the same kind of input it was fitted on."
        )
    X = X.astype(dtype, copy=False)
    if is_uint8:
        X *= PIXEL_SCALE
    return X, y, image_shape
