"""Oxford-IIIT Pet: photos of 37 cat and dog breeds, resized on load."""

import io
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from functools import partial

import numpy as np

from ._archive import extract_once, import_pillow, iter_tar_members
from ._base import RemoteFile, check_subset, fetch_files, load_descr, make_bunch
from ._docstrings import fill_doc

__all__ = ["fetch_oxford_pets"]


def _spec(name, sha256, md5, size):
    # The official location, the older one torchvision and TensorFlow Datasets
    # use, and a path seen in public download scripts; all are verified alike.
    urls = (
        f"https://thor.robots.ox.ac.uk/~vgg/data/pets/data/{name}",
        f"https://www.robots.ox.ac.uk/~vgg/data/pets/data/{name}",
        f"https://thor.robots.ox.ac.uk/~vgg/data/pets/{name}",
    )
    return RemoteFile(name, urls, sha256=sha256, md5=md5, size=size)


# VGG publishes no checksums. The sha256 values and sizes are those TensorFlow
# Datasets records for these files and the md5 values those torchvision checks;
# neither file is available here to confirm them.
PETS_IMAGES = _spec(
    "images.tar.gz",
    "67195c5e1c01f1ab5f9b6a5d22b8c27a580d896ece458917e61d459337fa318d",
    "5c4f3ee8e5d25df40f4fd59a7f44e54c",
    791918971,
)
PETS_ANNOTATIONS = _spec(
    "annotations.tar.gz",
    "52425fb6de5c424942b7626b428656fcbd798db970a937df61750c0f1d358e91",
    "95a8c909bbe2e81eed6a22bccdf3f68f",
    19173078,
)

_SUBSETS = {"trainval": ("trainval",), "test": ("test",), "all": ("trainval", "test")}
_SPECIES = {1: "cat", 2: "dog"}


@fill_doc
def fetch_oxford_pets(
    *,
    subset="trainval",
    image_size=(128, 128),
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    return_paths=False,
    verbose=False,
):
    """Load the Oxford-IIIT Pet breeds, resizing the photos on load.

    ====================  ===============================
    Classes                                            37
    Samples (trainval)                              3,680
    Samples (test)                                  3,669
    Image shape           image_size + (3,), uint8 RGB
    ====================  ===============================

    Reads ``images.tar.gz`` and ``annotations.tar.gz`` from
    ``<data_home>/oxford-iiit-pet/`` (checked against their checksums,
    downloaded there first if missing). Photos are decoded from the archive in
    memory, a few at a time on several threads; nothing is extracted, unless
    ``return_paths`` asks for files.

    Parameters
    ----------
    subset : {"trainval", "test", "all"}, default="trainval"
        The official split (``annotations/trainval.txt`` or ``test.txt``); "all"
        is trainval followed by test.
    image_size : int or (int, int), default=(128, 128)
        ``(height, width)`` every photo is resized to (bilinear, aspect ratio
        not kept, as Keras' ``image_dataset_from_directory`` does by default).
        Not used with ``return_paths``.
    <loader parameters: data_home, download_if_missing, return_X_y_or_paths>
    return_paths : bool, default=False
        If True, decode nothing and return the paths of the photos instead, as
        ``filenames``, for estimators that read image files per batch (the
        photos keep their own sizes). The listed photos of both splits are
        extracted once into ``<data_home>/oxford-iiit-pet/extracted/images/``
        and reused by later calls; when that folder is read-only (e.g. an
        offline copy of the archives named by ``SKVISION_DATA``), into the same
        place under ``~/skvision_data`` instead. An interrupted extraction
        leaves no folder that passes for complete, and is redone by the next
        call.
    <loader parameters: verbose>

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (n_samples, height * width * 3), dtype uint8
            Flattened images, a view of ``images``. Absent with
            ``return_paths``.
        images : ndarray of shape (n_samples, height, width, 3), dtype uint8
            RGB photos. Absent with ``return_paths``.
        target : ndarray of shape (n_samples,), dtype int64
            The breed, 0 to 36 (the annotations' CLASS-ID minus one).
        target_names : ndarray of shape (37,), dtype str
            Breed names, e.g. ``"Abyssinian"``, ``"American Bulldog"``.
        species : ndarray of shape (n_samples,), dtype str
            ``"cat"`` or ``"dog"``.
        filenames : ndarray of shape (n_samples,), dtype str
            The photo's name in the archive, e.g. ``"Abyssinian_100.jpg"``;
            with ``return_paths``, the absolute path of its extracted file, in
            the same order (``filenames[i]`` is ``images[i]``).
        DESCR : str
            Description of the dataset.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` is ``filenames`` with ``return_paths``.

    Raises
    ------
    FileNotFoundError
        If a file is missing and cannot be downloaded; the message says which
        files to put in which folder.
    OSError
        If a file does not match its checksum, or the photos cannot be
        extracted.
    ValueError
        If an archive is malformed or lacks a listed photo.

    Notes
    -----
    Requires Pillow to decode the photos (not with ``return_paths``). A few
    of the official ``.jpg`` files are PNGs, and some JPEGs are CMYK or gray:
    whatever decodes the paths must sniff the format and convert to RGB.

    Examples
    --------
    >>> from skvision.datasets import fetch_oxford_pets
    >>> pets = fetch_oxford_pets(subset="test", image_size=(64, 64))  # doctest: +SKIP
    >>> pets.images.shape, len(pets.target_names)  # doctest: +SKIP
    ((3669, 64, 64, 3), 37)
    >>> files = fetch_oxford_pets(subset="test", return_paths=True)  # doctest: +SKIP
    >>> files.filenames[0]  # doctest: +SKIP
    '.../oxford-iiit-pet/extracted/images/Abyssinian_201.jpg'
    """
    check_subset(subset, tuple(_SUBSETS))
    size = _check_image_size(image_size)
    pil = None if return_paths else import_pillow("fetch_oxford_pets")
    images_path, annotations_path = fetch_files(
        "oxford-iiit-pet",
        [PETS_IMAGES, PETS_ANNOTATIONS],
        data_home=data_home,
        download_if_missing=download_if_missing,
        verbose=verbose,
    )
    lists = _read_lists(annotations_path)
    every_row = lists["trainval"] + lists["test"]
    # Names from both lists, so that every subset has the same target_names.
    target_names = _breed_names(annotations_path, every_row)
    rows = [row for name in _SUBSETS[subset] for row in lists[name]]
    names = [name for name, _, _ in rows]
    target = np.array([class_id - 1 for _, class_id, _ in rows], dtype=np.int64)
    if return_paths:
        # Both splits, so that one extracted folder serves every subset.
        folder = _extract_photos(images_path, [name for name, *_ in every_row])
        filenames = np.array([os.path.join(folder, f"{name}.jpg") for name in names])
        images = None
    else:
        decode = partial(_decode, pil=pil, size=size)
        images = _read_images(images_path, names, size, decode)
        filenames = np.array([f"{name}.jpg" for name in names])
    return make_bunch(
        images=images,
        filenames=filenames,
        target=target,
        target_names=target_names,
        species=np.array([_SPECIES[s] for _, _, s in rows]),
        descr=load_descr("oxford_pets"),
        return_X_y=return_X_y,
    )


def _check_image_size(image_size):
    if isinstance(image_size, bool):
        image_size = None  # rejected below, not taken as 1
    elif isinstance(image_size, (int, np.integer)):
        image_size = (image_size, image_size)
    try:
        height, width = (int(v) for v in image_size)
        ok = height > 0 and width > 0 and all(v == int(v) for v in image_size)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"image_size must be a positive int or (height, width); got {image_size!r}."
        )
    return height, width


def _read_lists(path):
    """``{"trainval": rows, "test": rows}``, rows ``(name, class_id, species)``."""
    wanted = {"annotations/trainval.txt", "annotations/test.txt"}
    texts = dict(iter_tar_members(path, wanted.__contains__))
    lists = {}
    for member in sorted(wanted):
        if member not in texts:
            raise ValueError(f"{path}: {member} not found.")
        rows = []
        for number, line in enumerate(texts[member].decode().splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split()
            try:
                name, class_id, species, _ = fields
                row = (name, int(class_id), int(species))
            except ValueError:
                row = None
            if row is None or row[1] < 1 or row[2] not in _SPECIES or "/" in name:
                raise ValueError(
                    f"{path}: {member} line {number} is not "
                    f"'Image CLASS-ID SPECIES BREED-ID': {line!r}."
                )
            rows.append(row)
        lists[member.split("/")[1].removesuffix(".txt")] = rows
    return lists


def _breed_names(path, rows):
    """Breed names by class id (1..K), from image names like ``Breed_Name_12``."""
    names = {}
    for name, class_id, _ in rows:
        breed = name.rsplit("_", 1)[0]
        readable = " ".join(w[:1].upper() + w[1:] for w in breed.split("_"))
        if names.setdefault(class_id, readable) != readable:
            raise ValueError(
                f"{path}: class {class_id} is both {names[class_id]!r} and "
                f"{readable!r}."
            )
    if sorted(names) != list(range(1, len(names) + 1)):
        raise ValueError(f"{path}: class ids are not 1..{len(names)}.")
    return np.array([names[k] for k in range(1, len(names) + 1)])


def _read_images(path, names, size, decode):
    """``decode`` the photo ``images/<name>.jpg`` of each name into one
    (n, height, width, 3) uint8 array, on a few threads."""
    index = {f"images/{name}.jpg": k for k, name in enumerate(names)}
    images = np.empty((len(names), *size, 3), dtype=np.uint8)
    found = np.zeros(len(names), dtype=bool)
    workers = min(8, os.cpu_count() or 1)
    pending = deque()

    def collect():
        k, member, future = pending.popleft()
        try:
            images[k] = future.result()
        except Exception as exc:  # whatever Pillow raises on a bad photo
            raise ValueError(f"{path}: cannot decode {member} ({exc}).") from exc
        found[k] = True

    with (
        closing(iter_tar_members(path, index.__contains__)) as members,
        ThreadPoolExecutor(workers) as pool,
    ):
        for member, raw in members:
            pending.append((index[member], member, pool.submit(decode, raw)))
            while len(pending) > 4 * workers:  # bounds the bytes held in memory
                collect()
        while pending:
            collect()
    _check_all_found(path, names, found)
    return images


def _extract_photos(path, names):
    """The folder of the photos ``<name>.jpg`` of ``names``, extracted from the
    archive ``images/<name>.jpg`` on first use (see :func:`extract_once`)."""
    wanted = {f"images/{name}.jpg" for name in names}

    def read_members():
        found = set()
        for member, raw in iter_tar_members(path, wanted.__contains__):
            found.add(member)
            yield member.removeprefix("images/"), raw
        _check_all_found(path, names, [f"images/{name}.jpg" in found for name in names])

    return extract_once(path, read_members, folder="oxford-iiit-pet", spec=PETS_IMAGES)


def _check_all_found(path, names, found):
    """Raise ``ValueError`` unless every photo of ``names`` was ``found``."""
    found = np.asarray(found, dtype=bool)
    if not found.all():
        absent = [names[k] for k in np.flatnonzero(~found)[:5]]
        raise ValueError(
            f"{path}: {np.count_nonzero(~found)} listed photo(s) not found, e.g. "
            f"{', '.join(absent)}."
        )


def _decode(raw, *, pil, size):
    """One photo as an RGB (height, width, 3) array; ``pil`` is ``PIL.Image``."""
    height, width = size
    with pil.open(io.BytesIO(raw)) as image:
        image.draft("RGB", (width, height))  # JPEG: decode at a reduced scale
        image = image.convert("RGB").resize((width, height), pil.Resampling.BILINEAR)
        return np.asarray(image)
