"""Omniglot: 105x105 handwritten characters of 50 alphabets, in the official zips."""

import io
import os
import re
import zipfile

import numpy as np

from ._archive import check_member_name, extract_once, import_pillow
from ._base import (
    RemoteFile,
    check_subset,
    fetch_files,
    get_data_home,
    load_descr,
    make_bunch,
)
from ._docstrings import fill_doc

__all__ = ["fetch_omniglot"]

_URLS = (
    "https://github.com/brendenlake/omniglot/raw/master/python/",
    "https://raw.githubusercontent.com/brendenlake/omniglot/master/python/",
)


def _spec(subset, sha256, md5, size):
    name = f"images_{subset}.zip"
    return RemoteFile(name, tuple(u + name for u in _URLS), sha256, md5, size=size)


# The repository publishes no checksums. The sha256 values and sizes are those
# TensorFlow Datasets records for these URLs (its value for small1 matches the
# verified copy in ../shared/data); the md5 values of the two full zips are
# those torchvision checks; small1's md5 is the verified copy's. No md5 is known
# for small2, whose sha256 is verified instead.
OMNIGLOT_FILES = {
    "background": _spec(
        "background",
        "ad41ab679c8b5d90b271ef46be6987cc81211774a695c29dcc5367b2b26ee640",
        "68d2efa1b9178cc56df9314c21c6e718",
        9464212,
    ),
    "evaluation": _spec(
        "evaluation",
        "1f61a8f3366785b057fc117d9228e78a16e3d976c8953b2a10fcc74cf0609cee",
        "6b91aef0f799c5bb55b94e3f2daec811",
        6462886,
    ),
    "background_small1": _spec(
        "background_small1",
        "f38eb80f801274ac2b4dff5b24289016bfaba4a7d5bb50deebf27104ad6cb8a4",
        "e704a628b5459e08445c13499850abc4",
        1319022,
    ),
    "background_small2": _spec(
        "background_small2",
        "3ccaa407515a8778e5d0861875af38b17e418f301ad5bb3b5a6b65d901a41c7f",
        None,
        1580917,
    ),
}

_CHARACTER = re.compile(r"character(\d+)")


@fill_doc
def fetch_omniglot(
    *,
    subset="background",
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    as_gray=True,
    return_paths=False,
    verbose=False,
):
    """Load an Omniglot set (105x105 handwritten characters of many alphabets).

    =====================  ============================  =========  =======
    subset                 file                          alphabets  samples
    =====================  ============================  =========  =======
    "background"           images_background.zip                30   19,280
    "evaluation"           images_evaluation.zip                20   13,180
    "background_small1"    images_background_small1.zip          5    2,720
    "background_small2"    images_background_small2.zip          5        -
    =====================  ============================  =========  =======

    Each subset is one official zip, read from ``<data_home>/omniglot/``
    (checked against its checksum, downloaded there first if missing): only the
    requested subset's zip needs to exist. PNGs are decoded from the zip in
    memory; nothing is extracted, unless ``return_paths`` asks for files. A zip
    with an entry that escapes its folder (an absolute path or a ``..``
    component) is rejected.

    Parameters
    ----------
    subset : {"background", "evaluation", "background_small1", \
"background_small2"}, default="background"
        The official set to load.
    <loader parameters: data_home, download_if_missing, return_X_y_or_paths>
    as_gray : bool, default=True
        If True, images are (105, 105); if False, the gray value is repeated
        into three RGB channels, (105, 105, 3), for networks that expect colour.
        Ignored with ``return_paths``: whoever decodes the files chooses.
    return_paths : bool, default=False
        If True, decode nothing and return the paths of the PNG files instead,
        as ``filenames``, for estimators that read image files per batch. The
        zip is extracted once into ``<data_home>/omniglot/extracted/<zip
        name without .zip>/<alphabet>/characterNN/``, and reused by later
        calls; when that folder is read-only (e.g. an offline copy of the zips
        named by ``SKVISION_DATA``), into the same place under
        ``~/skvision_data`` instead. An interrupted extraction leaves no
        folder that passes for complete, and is redone by the next call.
    <loader parameters: verbose>

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (n_samples, 11025) or (n_samples, 33075), uint8
            Flattened images, a view of ``images``. Absent with
            ``return_paths``.
        images : ndarray of shape (n_samples, 105, 105[, 3]), dtype uint8
            The binary images as stored, 255 for the white background and 0 for
            the dark strokes (use ``255 - images`` for MNIST's polarity).
            Absent with ``return_paths``.
        filenames : ndarray of shape (n_samples,), dtype str
            Only with ``return_paths``: the absolute path of each image's PNG,
            in the order of ``images`` (``filenames[i]`` is ``images[i]``).
        target : ndarray of shape (n_samples,), dtype int64
            The character class, an index into ``target_names``.
        target_names : ndarray of shape (n_classes,), dtype str
            ``"<alphabet>/characterNN"``, sorted.
        alphabet : ndarray of shape (n_samples,), dtype str
            The alphabet of each sample (e.g. for ``GroupKFold``).
        character : ndarray of shape (n_samples,), dtype int64
            The character's number within its alphabet (``NN`` above, from 1).
        DESCR : str
            Description of the dataset.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` is ``filenames`` with ``return_paths``.

    Raises
    ------
    FileNotFoundError
        If the zip is missing and cannot be downloaded; the message says where
        to put it and which other Omniglot zips are present.
    OSError
        If the zip does not match its checksum, or cannot be extracted.
    ValueError
        If the zip is malformed, holds an unsafe entry, or an image is not a
        105x105 PNG.

    Notes
    -----
    Requires Pillow to decode the PNGs (not with ``return_paths``).

    Examples
    --------
    >>> from skvision.datasets import fetch_omniglot
    >>> omniglot = fetch_omniglot(subset="background_small1")  # doctest: +SKIP
    >>> omniglot.images.shape, omniglot.target_names[0]  # doctest: +SKIP
    ((2720, 105, 105), 'Balinese/character01')
    >>> files = fetch_omniglot(  # doctest: +SKIP
    ...     subset="background_small1", return_paths=True
    ... )
    >>> files.filenames[0]  # doctest: +SKIP
    '.../omniglot/extracted/images_background_small1/Balinese/character01/0108_01.png'
    """
    check_subset(subset, tuple(OMNIGLOT_FILES))
    pil = None if return_paths else import_pillow("fetch_omniglot")
    try:
        (path,) = fetch_files(
            "omniglot",
            [OMNIGLOT_FILES[subset]],
            data_home=data_home,
            download_if_missing=download_if_missing,
            verbose=verbose,
        )
    except FileNotFoundError as exc:
        available = _subsets_available(data_home)
        if not available:
            raise
        raise FileNotFoundError(f"{exc}\n{available}") from exc
    if return_paths:
        keys, filenames = _extract_zip(path, OMNIGLOT_FILES[subset])
        images = None
    else:
        images, keys = _read_zip(path, pil)
        if not as_gray:
            images = np.repeat(images[..., np.newaxis], 3, axis=-1)
        filenames = None
    classes, target = np.unique(
        np.array([f"{a}/{c}" for a, c, _ in keys]), return_inverse=True
    )
    character = [int(_CHARACTER.fullmatch(c)[1]) for _, c, _ in keys]
    return make_bunch(
        images=images,
        filenames=filenames,
        target=target,
        target_names=classes,
        alphabet=np.array([a for a, _, _ in keys]),
        character=np.array(character, dtype=np.int64),
        descr=load_descr("omniglot"),
        return_X_y=return_X_y,
    )


def _subsets_available(data_home):
    """A line naming the subsets whose zips are in the Omniglot folder, or ""."""
    folder = os.path.join(get_data_home(data_home), "omniglot")
    present = [
        repr(name)
        for name, spec in OMNIGLOT_FILES.items()
        if os.path.isfile(os.path.join(folder, spec.filename))
    ]
    if not present:
        return ""
    return f"Subsets available in {folder}: {', '.join(present)}."


def _read_zip(path, pil):
    """Images (n, 105, 105) uint8 and their (alphabet, character, file) keys,
    sorted by key, from the zip ``<top>/<alphabet>/characterNN/<file>.png``;
    ``pil`` is the ``PIL.Image`` module."""
    try:
        with zipfile.ZipFile(path) as zf:
            entries = _list_images(path, zf)
            images = np.empty((len(entries), 105, 105), dtype=np.uint8)
            for k, (_, info) in enumerate(entries):
                try:
                    with pil.open(io.BytesIO(zf.read(info))) as image:
                        if image.size != (105, 105):
                            raise ValueError(f"size {image.size}, not (105, 105)")
                        images[k] = np.asarray(image.convert("L"))
                except (OSError, ValueError) as exc:  # incl. UnidentifiedImageError
                    raise ValueError(
                        f"{path}: {info.filename!r} is not a 105x105 image ({exc})."
                    ) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise ValueError(f"{path}: not a valid zip file ({exc}).") from exc
    return images, [key for key, _ in entries]


def _extract_zip(path, spec):
    """The keys of :func:`_read_zip` and the absolute paths of their PNGs,
    ``<extracted folder>/<alphabet>/characterNN/<file>.png``, extracting the
    zip's PNGs on first use (see :func:`extract_once`)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise ValueError(f"{path}: not a valid zip file ({exc}).") from exc
    with zf:
        entries = _list_images(path, zf)

        def read_members():
            for key, info in entries:
                try:
                    content = zf.read(info)
                except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
                    raise ValueError(
                        f"{path}: cannot read {info.filename!r} ({exc})."
                    ) from exc
                yield "/".join(key), content

        folder = extract_once(path, read_members, folder="omniglot", spec=spec)
    keys = [key for key, _ in entries]
    return keys, np.array([os.path.join(folder, *key) for key in keys])


def _list_images(path, zf):
    """``(key, ZipInfo)`` of the zip's images, sorted by key ``(alphabet,
    character, file)``, from entries ``<top>/<alphabet>/characterNN/<file>.png``."""
    entries = []
    for info in zf.infolist():
        parts = check_member_name(path, info.filename)
        if info.is_dir() or len(parts) != 4 or parts[-1].startswith("."):
            continue  # folders, and e.g. __MACOSX/.../._x.png resource forks
        if parts[-1].lower().endswith(".png"):
            if not _CHARACTER.fullmatch(parts[2]):
                raise ValueError(
                    f"{path}: {info.filename!r} is not in a characterNN folder."
                )
            entries.append((tuple(parts[1:]), info))
    if not entries:
        raise ValueError(f"{path}: no <alphabet>/characterNN/*.png images.")
    entries.sort(key=lambda entry: entry[0])
    return entries
