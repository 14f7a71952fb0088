"""Image files decoded by TensorFlow: the one place skvision decodes them.

:func:`decode_image` is made of TensorFlow ops only, so it can be mapped over
a dataset of file paths (``num_parallel_calls``) as well as called on one
path; :func:`read_images` decodes a list of files into one array. The
estimators (``skvision._batches``) and ``load_image_folder`` both decode with
them. When a file fails to decode inside a ``tf.data`` pipeline, TensorFlow's
error names no file: :func:`naming_bad_files` finds the file afterwards (the
pipeline itself pays nothing for it) and raises a ``ValueError`` naming it,
its index and the reason. File names are handed to TensorFlow as the bytes
the operating system uses (:func:`encode_paths`), so names that are not UTF-8
work too. A file whose header announces more than :data:`MAX_IMAGE_PIXELS`
pixels is refused before it is decoded (:func:`too_large`). TensorFlow is
imported inside the functions that decode: importing this module (and so
``skvision.datasets``) stays cheap.
"""

import os
import re
import struct
from contextlib import contextmanager
from numbers import Integral

import numpy as np

__all__ = [
    "MAX_IMAGE_PIXELS",
    "bad_files_error",
    "check_image_size",
    "check_image_sizes",
    "decode_image",
    "encode_paths",
    "find_bad_files",
    "header_size",
    "naming_bad_files",
    "read_images",
    "too_large",
]

# Files whose header announces more pixels are refused before decoding: a
# small file (a 118 KiB PNG) can decode to gigabytes. Pillow's
# decompression-bomb error threshold (2 * PIL.Image.MAX_IMAGE_PIXELS): about
# 13,000 x 13,000 pixels, 512 MiB of decoded RGB. Read at every check.
MAX_IMAGE_PIXELS = 178_956_970
# How many bad files an error message lists by name.
_LISTED_FILES = 3
# Up to this many files, a search for the bad ones decodes them one by one
# (one traced function); more are decoded in parallel first.
_SCANNED_ONE_BY_ONE = 256

# Pillow's ITU-R 601-2 luma in 16-bit fixed point, so that a grayscale image is
# the same as ``Image.convert("L")``'s whatever the file's format (TensorFlow's
# own conversions differ by format, and BMP and GIF have none).
_LUMA = (19595, 38470, 7471)
# TensorFlow's messages put the reason between a graph's details: a
# "{{function_node ...}}" prefix or a "Graph execution error" traceback before,
# "[[{{node ...}}]] [Op:...]" after.
_TF_DETAILS_AFTER = re.compile(r"\s*(\[\[\{\{node |\[Op:).*", re.DOTALL)
_TF_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")
# TensorFlow errors that are not about a file: no file is looked for.
_NOT_A_FILE = ("ResourceExhaustedError", "CancelledError")


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
    pixels equal ``Image.convert("L")``'s at the file's own size. With
    ``image_size``, the image is
    resized bilinearly (no antialiasing, like Keras'
    ``image_dataset_from_directory``) and rounded back to uint8: stretched to
    the size, or, with ``crop_to_aspect_ratio``, first cropped to the largest
    centred window of the size's aspect ratio. A grayscale image is resized
    in colour, then turned into luma and rounded once, so that no full-size
    copy wider than the decoded uint8 pixels is made.

    Memory: the decoded RGB pixels (3 bytes per pixel of the file), the
    cropped window with ``crop_to_aspect_ratio``, and buffers of the output's
    size. Files whose header announces more than :data:`MAX_IMAGE_PIXELS`
    pixels are refused before they get here: by :func:`read_images`, and by
    the estimators when they check paths (:func:`check_image_sizes`; the
    same check in TensorFlow ops cost more than decoding a small PNG, at
    every epoch). ``path`` is a string tensor of
    the file name's bytes (:func:`encode_paths`). Decoding errors are
    TensorFlow's (``tf.errors.OpError``); :func:`naming_bad_files` turns them
    into errors naming the file.
    """
    tf = _tensorflow()
    image = _decode_rgb(tf, tf.io.read_file(path))
    if image_size is None:
        pixels = tf.cast(image, tf.float32)
    else:
        if crop_to_aspect_ratio:
            image = _crop_to_aspect_ratio(tf, image, image_size)
        # Resized from uint8: TensorFlow's kernel reads the uint8 pixels and
        # writes floats of the output's size only.
        pixels = tf.image.resize(image, image_size, method="bilinear", antialias=False)
    pixels = _luma(tf, pixels) if channels == 1 else tf.round(pixels)
    image = tf.cast(tf.clip_by_value(pixels, 0, 255), tf.uint8)
    if image_size is None:
        return image
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
    """Pillow's luma of float RGB pixels, rounded half up (still floats).

    For integer pixels this is Pillow's fixed-point arithmetic exactly: every
    sum is an integer below 2**24, which float32 holds exactly.
    """
    weighted = sum(rgb[..., k : k + 1] * float(w) for k, w in enumerate(_LUMA))
    return tf.floor((weighted + float(1 << 15)) / float(1 << 16))


def header_size(path):
    """``(height, width)`` that the header of the file ``path`` announces, or
    None (not a JPEG, PNG, GIF or BMP file, or no size found).

    Reads the first bytes only (a JPEG's segments up to its frame header), in
    Python: a few microseconds a file, where the same in TensorFlow ops costs
    more than decoding a small PNG.
    """
    with open(path, "rb") as file:
        head = file.read(_HEADER_BYTES)
        if head.startswith(b"\xff\xd8"):
            return _jpeg_size(file)
    for signature, layout, start in _HEADERS:
        if head.startswith(signature) and len(head) >= start + struct.calcsize(layout):
            width, height = struct.unpack_from(layout, head, start)
            return abs(height), abs(width)  # a BMP's negative height: top-down
    return None


# A header's signature, and the struct layout and offset of (width, height).
_HEADERS = [
    (b"\x89PNG\r\n\x1a\n", ">II", 16),
    (b"GIF8", "<HH", 6),
    (b"BM", "<ii", 18),
]
_HEADER_BYTES = 26
# JPEG's start-of-frame markers (0xC0-0xCF but DHT, JPG and DAC), which hold
# the size, and the markers that have no length.
_JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _jpeg_size(file):
    """The size in a JPEG's frame header, found by skipping segments."""
    file.seek(2)
    while True:
        marker = file.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        code = marker[1]
        while code == 0xFF:  # fill bytes
            code = (file.read(1) or b"\0")[0]
        if code in _JPEG_STANDALONE:
            continue
        if code in (0xD9, 0xDA):  # end of image, start of scan: no frame
            return None
        segment = file.read(7)
        if len(segment) < 7:
            return None
        if code in _JPEG_FRAMES:
            height, width = struct.unpack_from(">HH", segment, 3)
            return height, width
        file.seek(struct.unpack_from(">H", segment)[0] - 7, os.SEEK_CUR)


def too_large(path):
    """Why the file ``path`` is refused before decoding, or None.

    Files whose header announces more than :data:`MAX_IMAGE_PIXELS` pixels
    are, as Pillow refuses decompression bombs. A file that cannot be read
    is left to the decoder, which says why.
    """
    try:
        size = header_size(path)
    except OSError:
        return None
    if size is None or size[0] * size[1] <= MAX_IMAGE_PIXELS:
        return None
    height, width = size
    return (
        f"{width}x{height} pixels, more than skvision decodes: MAX_IMAGE_PIXELS="
        f"{MAX_IMAGE_PIXELS:_}, a guard against decompression bombs, as Pillow's"
    )


def check_image_sizes(filenames, *, positions=None, name="X"):
    """Raise the ``ValueError`` of :func:`bad_files_error` for the files of
    ``filenames`` whose header announces too many pixels (:func:`too_large`)."""
    errors = {}
    for k, filename in enumerate(filenames):
        reason = too_large(filename)
        if reason is not None:
            errors[k] = reason
    if errors:
        raise bad_files_error(filenames, errors, positions=positions, name=name)


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


def encode_paths(filenames):
    """File names as the bytes TensorFlow opens (an object array of bytes).

    A name that is not valid UTF-8 (Latin-1 bytes from an old camera) is a
    ``str`` with surrogate escapes in Python, which TensorFlow refuses to
    convert; ``os.fsencode`` gives back the bytes the file system holds.
    """
    encoded = np.empty(len(filenames), dtype=object)
    encoded[:] = [os.fsencode(filename) for filename in filenames]
    return encoded


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
    decode = _traced_decoder(tf, image_size, channels, crop_to_aspect_ratio)
    images = np.zeros((len(filenames), *image_size, channels), dtype=np.uint8)
    errors = {}
    for k, image in enumerate(_decode_each(tf, decode, filenames)):
        if isinstance(image, str):
            errors[k] = image
            if stop_on_error:
                break
        else:
            images[k] = image
    return images, errors


def _decode_each(tf, decode, filenames):
    """Each file's pixels, or the reason it cannot be decoded (a str)."""
    for filename in encode_paths(filenames):
        reason = too_large(filename)
        if reason is not None:
            yield reason
            continue
        try:
            yield decode(tf.constant(filename)).numpy()
        except tf.errors.OpError as error:
            yield _reason(error)


def _traced_decoder(tf, image_size, channels, crop_to_aspect_ratio):
    # One graph traced for all the files, not a dozen eager ops per file.
    @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
    def decode(path):
        return decode_image(
            path,
            image_size=image_size,
            channels=channels,
            crop_to_aspect_ratio=crop_to_aspect_ratio,
        )

    return decode


def find_bad_files(filenames, *, image_size, channels=3, crop_to_aspect_ratio=False):
    """``{index: reason}`` for the files of ``filenames`` that fail to decode.

    A few files (a batch) are decoded one by one; more are decoded in a
    parallel ``tf.data`` pipeline and streamed (never all in memory), and
    only those that fail are decoded again, one by one, for their reason.
    """
    tf = _tensorflow()
    image_size = check_image_size(image_size)
    options = (image_size, channels, crop_to_aspect_ratio)
    candidates = np.arange(len(filenames))
    if len(filenames) > _SCANNED_ONE_BY_ONE:
        candidates = _failing(tf, encode_paths(filenames), *options)
    decode = _traced_decoder(tf, *options)
    reasons = _decode_each(tf, decode, [filenames[k] for k in candidates])
    return {
        int(k): reason
        for k, reason in zip(candidates, reasons, strict=True)
        if isinstance(reason, str)
    }


def _failing(tf, encoded, image_size, channels, crop_to_aspect_ratio):
    """Indices of the files that fail to decode in a parallel pipeline."""
    from ._batches import untuned  # _batches imports this module

    options = dict(
        image_size=image_size,
        channels=channels,
        crop_to_aspect_ratio=crop_to_aspect_ratio,
    )
    indices = np.arange(len(encoded), dtype=np.int64)
    scan = untuned(
        tf.data.Dataset.from_tensor_slices((indices, encoded))
        .map(
            lambda k, path: (k, decode_image(path, **options)),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
        .ignore_errors()
    )
    decoded = np.zeros(len(encoded), dtype=bool)
    for k, _ in scan.as_numpy_iterator():
        decoded[k] = True
    return np.flatnonzero(~decoded)


@contextmanager
def naming_bad_files(
    filenames, *, image_size, channels=3, positions=None, name="X", **options
):
    """Turn a TensorFlow error raised in the block into a ``ValueError``
    naming the files of ``filenames`` that cannot be decoded.

    The block decodes ``filenames`` (a ``tf.data`` pipeline, a fit). Nothing
    is done unless it raises a ``tf.errors.OpError``; then every file is
    decoded again (:func:`find_bad_files`) and the error names the first bad
    one, its index in ``name`` (``positions[k]``, default ``k``) and
    TensorFlow's reason. If every file decodes (the error was not about a
    file, or the file was fixed meanwhile), TensorFlow's error is raised.
    """
    tf = _tensorflow()
    try:
        yield
    except tf.errors.OpError as error:
        if type(error).__name__ in _NOT_A_FILE:
            raise
        errors = find_bad_files(
            filenames, image_size=image_size, channels=channels, **options
        )
        if not errors:
            raise
        named = bad_files_error(filenames, errors, positions=positions, name=name)
        raise named from None


def bad_files_error(filenames, errors, *, positions=None, name="X"):
    """The ``ValueError`` for ``{index: reason}`` ``errors`` of ``filenames``."""
    positions = np.arange(len(filenames)) if positions is None else positions
    listed = [
        f"{name}[{positions[k]}] {str(os.fsdecode(filenames[k]))!r} ({reason})"
        for k, reason in sorted(errors.items())
    ]
    if len(listed) == 1:
        return ValueError(
            f"Cannot decode {listed[0]}. Replace or remove this file "
            "(load_image_folder(..., on_error='warn') lists a folder without "
            "the files it cannot decode)."
        )
    if len(listed) > _LISTED_FILES:
        listed[_LISTED_FILES:] = [f"and {len(listed) - _LISTED_FILES} more"]
    return ValueError(
        f"Cannot decode {len(errors)} image files of {name}: {'; '.join(listed)}. "
        "Replace or remove them (load_image_folder(..., on_error='warn') lists "
        "a folder without the files it cannot decode)."
    )


def _reason(error):
    """The last line of a TensorFlow error's message, without graph details."""
    message = _TF_DETAILS_AFTER.sub("", error.message)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    reason = _TF_FUNCTION_NODE.sub("", lines[-1]) if lines else ""
    return reason.rstrip(".") or type(error).__name__
