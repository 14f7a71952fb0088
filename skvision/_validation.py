"""Input checks shared by every estimator, in scikit-learn's words."""

import os
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_consistent_length, validate_data

from ._fixes import _check_y

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


def check_samples(
    estimator,
    X,
    y=None,
    *,
    reset,
    dtype="float32",
    keep_uint8=False,
    multi_output=False,
    y_numeric=False,
):
    """Validate ``X`` (and ``y``) like scikit-learn, then scale uint8 pixels.

    uint8 images are divided by 255 (``pixel_scale_``), here or, with
    ``keep_uint8``, by the network, batch by batch: they stay uint8, 1 byte a
    pixel instead of a float copy of 4. Every other dtype is used as given.
    Mixing the two between fit and predict would silently change the scale,
    so it is an error.

    After fit (``reset=False``) images must have the shape the estimator was
    fitted on; flat samples of the right length are always accepted.

    ``multi_output`` accepts 2-D ``y``; ``y_numeric`` requires numbers
    (regression targets), finite ones.

    Returns ``(X, y, image_shape)`` with ``X`` of shape ``(n, d)`` and of
    ``dtype`` (uint8 when kept).
    """
    X, image_shape = flatten_images(X)
    given = getattr(X, "dtype", None)  # before validate_data converts it
    kwargs = dict(reset=reset, dtype=[np.float32, np.float64, np.uint8])
    if y is None:
        X = validate_data(estimator, X, **kwargs)
    else:
        X, y = validate_data(
            estimator, X, y, multi_output=multi_output, y_numeric=y_numeric, **kwargs
        )
    if not reset and image_shape is not None:
        check_image_shape(estimator, image_shape)
    is_uint8 = X.dtype == np.uint8
    if reset:
        estimator.pixel_scale_ = float(PIXEL_SCALE) if is_uint8 else 1.0
    elif is_uint8 != (estimator.pixel_scale_ != 1.0):
        fitted_on = "uint8 images (scaled by 1/255)" if not is_uint8 else "floats"
        given = X.dtype if given is None else given
        raise ValueError(
            f"X has dtype {given}, but {type(estimator).__name__} was fitted on "
            f"{fitted_on}; pass the same kind of input it was fitted on."
        )
    if is_uint8 and keep_uint8:
        return X, y, image_shape
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


def with_channel_axis(shape):
    """``(h, w)`` images as ``(h, w, 1)``; ``(h, w, c)`` and flat shapes as given.

    The one place where a grayscale image gains its channel axis.
    """
    shape = tuple(shape)
    return (*shape, 1) if len(shape) == 2 else shape


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


def is_path_array(X):
    """Whether ``X`` is a 1-D sequence of file paths (str, bytes or
    ``os.PathLike``)."""
    if isinstance(X, str | bytes) or sp.issparse(X) or hasattr(X, "columns"):
        return False
    if isinstance(X, np.ndarray) and X.dtype.kind not in "UOS":
        return False  # numbers: no per-item look needed
    if not isinstance(X, np.ndarray | list | tuple) and not hasattr(X, "dtype"):
        return False
    items = np.asarray(X, dtype=object)
    return (
        items.ndim == 1
        and len(items) > 0
        and all(isinstance(item, str | bytes | os.PathLike) for item in items)
    )


def check_paths(estimator, X, y=None, *, reset, multi_output=False, y_numeric=False):
    """Validate a 1-D array of image file paths (and ``y``) for ``estimator``.

    The files decode to uint8 images of the shape the estimator was fitted
    on or, in ``fit``, of its ``image_shape`` parameter; ``pixel_scale_`` is
    1/255, as for uint8 arrays, so arrays and paths of the same images give
    the same predictions. Returns ``(ImagePaths, y, image_shape)``.
    """
    from ._batches import ImagePaths
    from ._images import check_image_sizes

    # os.fsdecode: bytes names that are not UTF-8 become str with surrogate
    # escapes, and are encoded back to the same bytes for TensorFlow.
    paths = np.array([os.fsdecode(path) for path in X], dtype=str)
    missing = [str(path) for path in paths if not os.path.isfile(path)]
    if missing:
        raise ValueError(
            f"X holds {len(missing)} paths that are not files, e.g. "
            f"{', '.join(map(repr, missing[:3]))}."
        )
    check_image_sizes(paths)  # decompression bombs
    if y is not None:
        y = _check_y(y, multi_output=multi_output, y_numeric=y_numeric)
        check_consistent_length(paths, y)
    image_shape = _decoded_shape(estimator, reset)
    n_features = int(np.prod(image_shape))
    if reset:
        estimator.n_features_in_ = n_features
        estimator.pixel_scale_ = float(PIXEL_SCALE)
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif estimator.pixel_scale_ == 1.0:
        raise ValueError(
            f"X holds image file paths, which decode to uint8 images, but "
            f"{type(estimator).__name__} was fitted on floats; pass the same kind "
            "of input it was fitted on."
        )
    return ImagePaths(paths, image_shape), y, image_shape


def _decoded_shape(estimator, reset):
    """``(height, width, channels)`` that image files are decoded to."""
    name = type(estimator).__name__
    if not reset:
        shape = getattr(estimator, "image_shape_", None) or estimator.input_shape_
        if len(shape) == 1:
            raise ValueError(
                f"X holds image file paths, but {name} was fitted on flat samples "
                f"of {shape[0]} features, not images; fit it on images or paths."
            )
        return with_channel_axis(shape)
    shape = getattr(estimator, "image_shape", None)
    if shape is None:
        raise ValueError(
            f"X holds image file paths: set {name}'s image_shape=(height, width, "
            "channels) to decode them to, e.g. (224, 224, 3) for colour photos or "
            "(105, 105, 1) for grayscale images."
        )
    shape = with_channel_axis(shape)
    valid = all(isinstance(s, Integral) and s > 0 for s in shape)
    if len(shape) != 3 or not valid or shape[2] not in (1, 3):
        raise ValueError(
            "To decode image files, image_shape must be (height, width) or "
            "(height, width, channels) of positive ints with 1 or 3 channels; "
            f"got {getattr(estimator, 'image_shape', None)!r}."
        )
    return shape
