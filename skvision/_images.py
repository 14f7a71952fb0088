"""Image files decoded by TensorFlow: the one place skvision decodes them.

:func:`decode_image` is made of TensorFlow ops only, so it can be mapped over
a dataset of file paths (``num_parallel_calls``) as well as called on one
path; :func:`read_images` decodes a list of files into one array. The
estimators (``skvision._batches``) and ``load_image_folder`` both decode with
them. TensorFlow is imported inside the functions that decode: importing this
module (and so ``skvision.datasets``) stays cheap.
"""

import os
import re
from numbers import Integral

import numpy as np

__all__ = ["check_image_size", "decode_image", "read_images"]

# Pillow's ITU-R 601-2 luma in 16-bit fixed point, so that a grayscale image is
# the same as ``Image.convert("L")``'s whatever the file's format (TensorFlow's
# own conversions differ by format, and BMP and GIF have none).
_LUMA = (19595, 38470, 7471)
# TensorFlow's messages put the reason between a graph's details: a
# "{{function_node ...}}" prefix or a "Graph execution error" traceback before,
# "[[{{node ...}}]] [Op:...]" after.
_TF_DETAILS_AFTER = re.compile(r"\s*(\[\[\{\{node |\[Op:).*", re.DOTALL)
_TF_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")


def _tensorflow():
    # Keras first: it imports TensorFlow with TensorFlow's start-up logs filtered.
    from . import _keras  # noqa: F401, I001
    import tensorflow as tf

    return tf


def check_image_size(image_size):
    """``image_size`` as a ``(height, width)`` tuple of positive ints, or None."""
    if image_size is None:
        return None
    try:
        height, width = image_size
    except (TypeError, ValueError):
        raise ValueError(
            f"image_size must be a pair (height, width); got {image_size!r}."
        ) from None
    for side in (height, width):
        if not isinstance(side, Integral) or isinstance(side, bool) or side < 1:
            raise ValueError(
                "image_size must be a pair of positive ints (height, width); "
                f"got {image_size!r}."
            )
    return int(height), int(width)


def decode_image(path, *, image_size=None, channels=3, crop_to_aspect_ratio=False):
    """Decode the image file ``path`` into a uint8 tensor (height, width, channels).

    JPEG, PNG, BMP and GIF (its first frame) are read with ``tf.io``, JPEG with
    libjpeg's accurate IDCT, so that pixels equal Pillow's. Colour is decoded
    as RGB (an alpha channel is dropped, a palette expanded); with
    ``channels=1`` it is turned into Pillow's luma, so a grayscale image's
    pixels equal ``Image.convert("L")``'s. With ``image_size``, the image is
    resized bilinearly (no antialiasing, like Keras'
    ``image_dataset_from_directory``) and rounded back to uint8: stretched to
    the size, or, with ``crop_to_aspect_ratio``, first cropped to the largest
    centred window of the size's aspect ratio. Decoding errors are TensorFlow's
    (``tf.errors.OpError``).
    """
    tf = _tensorflow()
    image = _decode_rgb(tf, tf.io.read_file(path))
    if channels == 1:
        image = _luma(tf, image)
    if image_size is None:
        return image
    if crop_to_aspect_ratio:
        image = _crop_to_aspect_ratio(tf, image, image_size)
    resized = tf.image.resize(image, image_size, method="bilinear", antialias=False)
    image = tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8)
    return tf.ensure_shape(image, (*image_size, channels))


def _decode_rgb(tf, contents):
    # TensorFlow's JPEG default is libjpeg's fast, inexact integer IDCT (pixels
    # off by up to ~12 from Pillow's); the accurate one is what Pillow uses.
    return tf.cond(
        tf.io.is_jpeg(contents),
        lambda: tf.io.decode_jpeg(contents, channels=3, dct_method="INTEGER_ACCURATE"),
        lambda: tf.io.decode_image(contents, channels=3, expand_animations=False),
    )


def _luma(tf, rgb):
    pixels = tf.cast(rgb, tf.int32)
    weighted = sum(pixels[..., k : k + 1] * w for k, w in enumerate(_LUMA))
    return tf.cast(tf.bitwise.right_shift(weighted + (1 << 15), 16), tf.uint8)


def _crop_to_aspect_ratio(tf, image, image_size):
    """The largest centred window of ``image`` with ``image_size``'s aspect
    ratio, with Keras' ``smart_resize`` arithmetic."""
    target_height, target_width = image_size
    shape = tf.shape(image)
    height, width = shape[0], shape[1]
    crop_height = tf.cast(
        tf.cast(width * target_height, tf.float32) / target_width, tf.int32
    )
    crop_height = tf.maximum(tf.minimum(height, crop_height), 1)
    crop_width = tf.cast(
        tf.cast(height * target_width, tf.float32) / target_height, tf.int32
    )
    crop_width = tf.maximum(tf.minimum(width, crop_width), 1)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return image[top : top + crop_height, left : left + crop_width]


def read_images(
    filenames,
    *,
    image_size,
    channels=3,
    crop_to_aspect_ratio=False,
    stop_on_error=False,
):
    """Decode every file of ``filenames`` to ``image_size``, one at a time
    (until the first that fails, if ``stop_on_error``).

    Returns
    -------
    images : ndarray of shape (n_files, height, width, channels), dtype uint8
        The decoded images; zeros where a file could not be decoded.
    errors : dict
        ``{index: reason}`` for the files that could not be read or decoded,
        ``reason`` being TensorFlow's message without its graph details.
    """
    tf = _tensorflow()
    image_size = check_image_size(image_size)

    # One graph traced for all the files, not a dozen eager ops per file.
    @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
    def decode(path):
        return decode_image(
            path,
            image_size=image_size,
            channels=channels,
            crop_to_aspect_ratio=crop_to_aspect_ratio,
        )

    images = np.zeros((len(filenames), *image_size, channels), dtype=np.uint8)
    errors = {}
    for k, filename in enumerate(filenames):
        try:
            images[k] = decode(tf.constant(os.fsencode(filename))).numpy()
        except tf.errors.OpError as exc:
            errors[k] = _reason(exc)
            if stop_on_error:
                break
    return images, errors


def _reason(error):
    """The last line of a TensorFlow error's message, without graph details."""
    message = _TF_DETAILS_AFTER.sub("", error.message)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    reason = _TF_FUNCTION_NODE.sub("", lines[-1]) if lines else ""
    return reason.rstrip(".") or type(error).__name__
