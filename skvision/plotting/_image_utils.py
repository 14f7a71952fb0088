"""Turning sample arrays into displayable images and drawing them."""

import math

import numpy as np
from sklearn.utils import check_random_state


def image_shape_of(n_features, image_shape=None, estimator=None):
    """Shape of one image whose pixels are ``n_features`` flat values.

    In order: ``image_shape``; the estimator's ``input_shape_`` when it has 2 or
    3 dimensions; a square gray image; a square RGB image (channels last).
    """
    if image_shape is not None:
        shape = tuple(int(d) for d in image_shape)
        if math.prod(shape) != n_features:
            raise ValueError(
                f"image_shape {shape} holds {math.prod(shape)} pixels values, "
                f"not {n_features}."
            )
        return shape
    shape = tuple(getattr(estimator, "input_shape_", ()) or ())
    if len(shape) in (2, 3) and math.prod(shape) == n_features:
        return shape
    side = math.isqrt(n_features)
    if side * side == n_features:
        return (side, side)
    side = math.isqrt(n_features // 3)
    if 3 * side * side == n_features:
        return (side, side, 3)
    raise ValueError(
        f"Cannot tell the image shape of {n_features} features; pass "
        "image_shape=(height, width) or (height, width, channels)."
    )


def as_images(X, image_shape=None, estimator=None):
    """``X`` as an array of images ``(n, h, w)`` or ``(n, h, w, 3|4)``.

    Flat samples ``(n, n_features)`` are reshaped (see :func:`image_shape_of`);
    a single channel is squeezed.
    """
    X = np.asarray(X)
    if X.ndim == 2 or image_shape is not None:
        n_features = math.prod(X.shape[1:])
        shape = image_shape_of(n_features, image_shape, estimator)
        X = X.reshape(len(X), *shape)
    if X.ndim == 4 and X.shape[-1] == 1:
        X = X[..., 0]
    if X.ndim == 3 or (X.ndim == 4 and X.shape[-1] in (3, 4)):
        return X
    raise ValueError(
        "Expected images of shape (n, h, w), (n, h, w, channels) with 1, 3 or 4 "
        f"channels, or flat (n, h * w); got {X.shape}."
    )


def pick(n_samples, n_images, candidates=None, random_state=None):
    """Indices of at most ``n_images`` samples among ``candidates``.

    The first ones in order when ``random_state`` is None, else a random
    sample drawn with it.
    """
    indices = np.arange(n_samples) if candidates is None else np.asarray(candidates)
    n_images = min(int(n_images), len(indices))
    if random_state is None:
        return indices[:n_images]
    rng = check_random_state(random_state)
    return np.sort(rng.choice(indices, size=n_images, replace=False))


def gray_limits(images):
    """Common ``(vmin, vmax)`` for gray images, so all share one scale."""
    images = np.asarray(images)
    if images.ndim != 3 or images.size == 0:
        return None, None
    return float(np.nanmin(images)), float(np.nanmax(images))


def show_image(ax, image, *, cmap="gray", vmin=None, vmax=None):
    """Draw one image without ticks or frame (a y label stays visible)."""
    image = np.asarray(image)
    if image.ndim == 3:
        # Colour: matplotlib wants uint8 or floats in [0, 1].
        if image.dtype.kind == "f":
            if np.nanmax(image) > 1.0:
                image = image / 255.0
            image = np.clip(image, 0.0, 1.0)
        elif image.dtype != np.uint8:
            image = np.clip(image, 0, 255).astype(np.uint8)
        artist = ax.imshow(image)
    else:
        artist = ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return artist


def sample_images(estimator, X, rows):
    """Samples ``rows`` of ``X`` as pixel arrays, for drawing.

    Arrays and data frames are indexed; a 1-D array of image file paths is
    decoded (as the estimator reads them, to its ``image_shape``).
    """
    from .._validation import is_path_array

    if is_path_array(X):
        paths = np.asarray(X, dtype=object)[rows]
        decoded = estimator._check_predict_input(paths)  # ImagePaths
        return np.concatenate(list(decoded.batches(max(1, len(paths)))))
    if hasattr(X, "iloc"):
        return np.asarray(X.iloc[rows])
    return np.asarray(X)[rows]
