"""Input checks shared by every estimator, in scikit-learn's words."""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import validate_data

PIXEL_SCALE = np.float32(1 / 255)
_FLOAT32_MAX = float(np.finfo(np.float32).max)


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

    After fit (``reset=False``) images must have the shape the estimator was
    fitted on; flat samples of the right length are always accepted.

    Returns ``(X, y, image_shape)`` with ``X`` of ``dtype`` and shape ``(n, d)``.
    """
    X, image_shape = flatten_images(X)
    kwargs = dict(reset=reset, dtype=[np.float32, np.float64, np.uint8])
    if y is None:
        X = validate_data(estimator, X, **kwargs)
    else:
        X, y = validate_data(estimator, X, y, **kwargs)
    if not reset and image_shape is not None:
        check_image_shape(estimator, image_shape)
    is_uint8 = X.dtype == np.uint8
    if reset:
        estimator.pixel_scale_ = float(PIXEL_SCALE) if is_uint8 else 1.0
    elif is_uint8 != (estimator.pixel_scale_ != 1.0):
        fitted_on = "uint8 images (scaled by 1/255)" if not is_uint8 else "floats"
        raise ValueError(
            f"X has dtype {X.dtype}, but {type(estimator).__name__} was fitted on "
            f"{fitted_on}; pass the same kind of input it was fitted on."
        )
    check_representable(X, dtype)
    X = X.astype(dtype, copy=False)
    if is_uint8:
        X *= PIXEL_SCALE
    return X, y, image_shape


def check_representable(X, dtype, name="X"):
    """Raise ``ValueError`` if finite ``X`` would overflow to inf in ``dtype``."""
    if dtype != "float32" or X.dtype != np.float64 or X.size == 0:
        return
    largest = max(float(X.max()), -float(X.min()))  # no copy of X, unlike abs
    if largest > _FLOAT32_MAX:
        raise ValueError(
            f"Input {name} contains values too large for float32 (largest "
            f"magnitude {largest:.3g}, float32 holds up to {_FLOAT32_MAX:.3g}); "
            "scale the data or use dtype='float64'."
        )


def _without_channel_axis(shape):
    shape = tuple(shape)
    return shape[:2] if len(shape) == 3 and shape[2] == 1 else shape


def check_image_shape(estimator, image_shape):
    """Raise ``ValueError`` unless images of ``image_shape`` fit the estimator.

    Accepted: the shape of the samples given to ``fit``, or the image shape
    the network reads (``image_shape_``); ``(h, w)`` and ``(h, w, 1)`` are
    the same images.
    """
    accepted = [estimator.input_shape_, getattr(estimator, "image_shape_", None)]
    accepted = [_without_channel_axis(s) for s in accepted if s is not None]
    if _without_channel_axis(image_shape) in accepted:
        return
    fitted_on = estimator.input_shape_
    described = (
        f"flat samples of {fitted_on[0]} features"
        if len(fitted_on) == 1
        else f"images of shape {tuple(fitted_on)}"
    )
    raise ValueError(
        f"X holds images of shape {tuple(image_shape)}, but "
        f"{type(estimator).__name__} was fitted on {described}; pass images of "
        "that shape, or flat samples of the same length."
    )
