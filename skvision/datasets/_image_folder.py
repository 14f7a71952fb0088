"""A folder of images with one sub-folder per class, as a Bunch."""

import os
import warnings

import numpy as np
from sklearn.utils import check_random_state

# Absolute: the tests load this subpackage on its own too (no parent package).
from skvision._images import check_image_size, read_images

from ._base import make_bunch
from ._image_files import IMAGE_EXTENSIONS, check_extensions, color_mode_channels

__all__ = ["load_image_folder"]

_ON_ERROR = ("raise", "warn")
_LISTED_FILES = 20  # skipped files named in a warning; the rest are counted


def load_image_folder(
    path,
    *,
    image_size=None,
    color_mode="rgb",
    class_names=None,
    extensions=IMAGE_EXTENSIONS,
    shuffle=False,
    random_state=None,
    load_images=False,
    crop_to_aspect_ratio=False,
    on_error="raise",
):
    """Load the image files of a folder that has one sub-folder per class.

    The layout is that of Keras' ``image_dataset_from_directory`` and
    scikit-learn's :func:`~sklearn.datasets.load_files`::

        path/
            cat/
                cat001.jpg
                indoor/cat002.png
            dog/
                dog001.jpg

    Each class folder is searched recursively: files in nested folders belong
    to its class. Files directly in ``path``, files whose extension is not one
    of ``extensions``, and hidden files and folders (whose names start with
    ``"."``, like ``.DS_Store`` or macOS' ``._x.png``) are ignored.

    Parameters
    ----------
    path : str or path-like
        The folder holding the class sub-folders.
    image_size : tuple of (int, int), default=None
        ``(height, width)`` to resize the images to. Required by
        ``load_images=True``, since images of different sizes cannot be
        stacked into one array.
    color_mode : {"rgb", "grayscale"}, default="rgb"
        The channels of the decoded images: 3 (RGB) or 1 (luma).
    class_names : list of str, default=None
        The class folders to load, in the order of their labels. If None, every
        sub-folder, in alphabetical order.
    extensions : tuple of str, default=(".jpg", ".jpeg", ".png", ".bmp", ".gif")
        The file extensions to load, compared case-insensitively.
    shuffle : bool, default=False
        If True, shuffle the samples; else they are sorted by class, then path.
    random_state : int, RandomState instance or None, default=None
        The seed or generator of the shuffle, if ``shuffle`` is True.
    load_images : bool, default=False
        If True, decode the images into ``images``; else only list the files.
    crop_to_aspect_ratio : bool, default=False
        If True, crop each image to the largest centred window with the aspect
        ratio of ``image_size`` before resizing; else stretch it to the size.
    on_error : {"raise", "warn"}, default="raise"
        What to do with a file that cannot be decoded (``load_images=True``):
        raise, or leave it out of every array with a warning.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        filenames : ndarray of shape (n_samples,), dtype str
            The absolute path of each image file.
        target : ndarray of shape (n_samples,), dtype int64
            The class of each file, an index into ``target_names``.
        target_names : list of str
            The class folder names.
        images : ndarray of shape (n_samples, height, width, channels), uint8
            The decoded images, only if ``load_images`` is True; ``channels``
            is 1 for ``"grayscale"``.
        DESCR : str
            The folder, the number of images and classes, and the image format.

    Raises
    ------
    TypeError
        If ``path``, ``class_names`` or ``extensions`` is not of the right type.
    ValueError
        If ``path`` is not a folder, has no class folders or no image files, a
        name of ``class_names`` is not one of its folders, a parameter has a
        bad value, or (with ``on_error="raise"``) a file cannot be decoded.

    See Also
    --------
    fetch_omniglot : Omniglot's official zips, decoded with Pillow.
    keras.utils.image_dataset_from_directory : The same layout, as a
        ``tf.data.Dataset`` of float batches.

    Notes
    -----
    A class folder without image files is kept in ``target_names``, so that
    labels follow the folders, with a warning.

    Images are decoded by TensorFlow (``tf.io``; a GIF's first frame) with the
    same pixels as Pillow's ``convert("RGB")`` or ``convert("L")``, then
    resized bilinearly without antialiasing, like Keras, and rounded back to
    uint8. Their aspect ratio is kept only with ``crop_to_aspect_ratio``. A
    file that is not an image, or a truncated PNG or JPEG, fails to decode.

    With ``load_images=False`` nothing is decoded: the listing is fast and
    ``filenames`` can be decoded later, by batches, by the code that needs the
    pixels.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from skvision.datasets import load_image_folder
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ("cat", "dog"):
    ...     (root / name).mkdir()
    ...     for k in range(3):
    ...         Image.new("RGB", (40 + k, 30), "white").save(root / name / f"{k}.png")
    >>> data = load_image_folder(root)
    >>> data.target_names, data.target
    (['cat', 'dog'], array([0, 0, 0, 1, 1, 1]))
    >>> Path(data.filenames[4]).relative_to(root).as_posix()
    'dog/1.png'
    >>> data = load_image_folder(root, image_size=(32, 32), load_images=True)
    >>> data.images.shape, data.images.dtype
    ((6, 32, 32, 3), dtype('uint8'))
    >>> shutil.rmtree(root)
    """
    folder = _check_folder(path)
    channels = color_mode_channels(color_mode)
    image_size = check_image_size(image_size)
    extensions = check_extensions(extensions)
    if on_error not in _ON_ERROR:
        raise ValueError(
            f"on_error must be one of {', '.join(map(repr, _ON_ERROR))}; "
            f"got {on_error!r}."
        )
    if load_images and image_size is None:
        raise ValueError(
            "load_images=True needs an image_size (height, width): images of "
            "different sizes cannot be stacked into one array."
        )
    class_names = _class_folders(folder, class_names)
    filenames, target = _list_images(folder, class_names, extensions)
    if shuffle:
        order = check_random_state(random_state).permutation(len(filenames))
        filenames, target = filenames[order], target[order]
    images = None
    if load_images:
        images, errors = read_images(
            filenames,
            image_size=image_size,
            channels=channels,
            crop_to_aspect_ratio=crop_to_aspect_ratio,
            stop_on_error=on_error == "raise",
        )
        kept = _handle_errors(folder, filenames, errors, on_error)
        images, filenames, target = images[kept], filenames[kept], target[kept]
    return make_bunch(
        images=images,
        flatten=False,
        filenames=filenames,
        target=target,
        target_names=class_names,
        descr=_describe(folder, filenames, class_names, images, color_mode),
    )


def _check_folder(path):
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or path-like; got {type(path).__name__}.")
    folder = os.path.abspath(os.fspath(path))
    if not os.path.isdir(folder):
        what = "is not a folder" if os.path.exists(folder) else "does not exist"
        raise ValueError(f"{folder} {what}.")
    return folder


def _class_folders(folder, class_names):
    """The class folder names, sorted or in the order of ``class_names``."""
    with os.scandir(folder) as entries:
        found = sorted(e.name for e in entries if e.is_dir() and e.name[0] != ".")
    if not found:
        raise ValueError(f"{folder} has no class sub-folders.")
    if class_names is None:
        return found
    if isinstance(class_names, str) or not hasattr(class_names, "__iter__"):
        raise TypeError(f"class_names must be a list of str; got {class_names!r}.")
    class_names = list(class_names)
    if not class_names or len(set(class_names)) != len(class_names):
        raise ValueError(f"class_names must be distinct names; got {class_names!r}.")
    missing = [name for name in class_names if name not in found]
    if missing:
        raise ValueError(
            f"class_names {missing!r} are not sub-folders of {folder}; its "
            f"sub-folders are {found!r}."
        )
    return class_names


def _list_images(folder, class_names, extensions):
    """Sorted absolute paths of the images of each class, and their labels."""
    filenames, target, empty = [], [], []
    for label, name in enumerate(class_names):
        files = sorted(_image_files(os.path.join(folder, name), extensions))
        if not files:
            empty.append(name)
        filenames += files
        target += [label] * len(files)
    if not filenames:
        raise ValueError(
            f"Found no image files with extensions {', '.join(extensions)} in "
            f"the class folders of {folder}."
        )
    if empty:
        warnings.warn(
            f"Class folders without image files in {folder}: {', '.join(empty)}. "
            "They stay in target_names with no samples.",
            UserWarning,
            stacklevel=3,
        )
    return np.array(filenames, dtype=str), np.array(target, dtype=np.int64)


def _image_files(class_folder, extensions):
    for root, folders, files in os.walk(class_folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.lower().endswith(extensions):
                yield os.path.join(root, name)


def _handle_errors(folder, filenames, errors, on_error):
    """A mask of the files decoded; raise or warn about the others."""
    if errors and on_error == "raise":
        first = min(errors)
        raise ValueError(
            f"Cannot decode {filenames[first]}: {errors[first]}. Pass "
            'on_error="warn" to skip the files that cannot be decoded.'
        )
    if errors:
        reports = [
            f"{os.path.relpath(filenames[k], folder)} ({reason})"
            for k, reason in sorted(errors.items())
        ]
        if len(reports) > _LISTED_FILES:
            reports[_LISTED_FILES:] = [f"and {len(reports) - _LISTED_FILES} more"]
        warnings.warn(
            f"Skipped {len(errors)} image files of {folder} that cannot be "
            f"decoded: {'; '.join(reports)}.",
            UserWarning,
            stacklevel=3,
        )
    kept = np.ones(len(filenames), dtype=bool)
    kept[list(errors)] = False
    return kept


def _describe(folder, filenames, class_names, images, color_mode):
    """The DESCR of the folder's Bunch; ``images`` is None if not decoded."""
    decoded = "not decoded (load_images=False)"
    if images is not None:
        height, width = images.shape[1:3]
        decoded = f"{height}x{width} pixels, {color_mode}, uint8"
    return (
        f"Image folder {folder}\n{len(filenames)} images in "
        f"{len(class_names)} classes (one sub-folder per class).\n"
        f"Images: {decoded}.\n"
    )
