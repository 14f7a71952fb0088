"""CIFAR-10: 32x32 colour images in the official "python version" tarball."""

import codecs
import io
import pickle

import numpy as np

from ._archive import iter_tar_members
from ._base import RemoteFile, check_subset, fetch_files, load_descr, make_bunch
from ._docstrings import fill_doc

__all__ = ["fetch_cifar10"]

# md5 published on https://www.cs.toronto.edu/~kriz/cifar.html (no sha256 is).
CIFAR10_FILE = RemoteFile(
    "cifar-10-python.tar.gz",
    ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
    md5="c58f30108f718f92721af3b95e74349a",
    size=170498071,
)

_TOP = "cifar-10-batches-py"
_BATCHES = {
    "train": tuple(f"data_batch_{i}" for i in range(1, 6)),
    "test": ("test_batch",),
}
_BATCHES["all"] = _BATCHES["train"] + _BATCHES["test"]


@fill_doc
def fetch_cifar10(
    *,
    subset="train",
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    verbose=False,
):
    """Load CIFAR-10 (32x32 colour images, 10 classes).

    =================   ===========================
    Classes                                      10
    Samples (train)                          50,000
    Samples (test)                           10,000
    Image shape                   (32, 32, 3) uint8
    =================   ===========================

    Reads ``<data_home>/cifar-10/cifar-10-python.tar.gz`` (the official "python
    version"), checks its published md5, and downloads it there first if
    missing. Batches are read from the archive in memory; nothing is extracted.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        The official split to load; "all" is train followed by test.
    <loader parameters: data_home, download_if_missing, return_X_y, verbose>

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (n_samples, 3072), dtype uint8
            Flattened images in (height, width, channel) order, a view of
            ``images`` (the archive stores channel-first rows; they are
            transposed so that ``data`` and ``images`` agree).
        images : ndarray of shape (n_samples, 32, 32, 3), dtype uint8
            RGB images.
        target : ndarray of shape (n_samples,), dtype int64
            The class of each image, an index into ``target_names``.
        target_names : ndarray of shape (10,), dtype str
            ``"airplane"``, ``"automobile"``, ..., ``"truck"`` (from the
            archive's ``batches.meta``).
        DESCR : str
            Description of the dataset.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    FileNotFoundError
        If the archive is missing and cannot be downloaded; the message says
        where to put it.
    OSError
        If the archive does not match its checksum.
    ValueError
        If the archive's content is not in the official format.

    Examples
    --------
    >>> from skvision.datasets import fetch_cifar10
    >>> cifar = fetch_cifar10(subset="test")  # doctest: +SKIP
    >>> cifar.images.shape, cifar.target_names[cifar.target[0]]  # doctest: +SKIP
    ((10000, 32, 32, 3), 'cat')
    """
    check_subset(subset, tuple(_BATCHES))
    (path,) = fetch_files(
        "cifar-10",
        [CIFAR10_FILE],
        data_home=data_home,
        download_if_missing=download_if_missing,
        verbose=verbose,
    )
    wanted = {f"{_TOP}/{name}" for name in _BATCHES[subset] + ("batches.meta",)}
    members = dict(iter_tar_members(path, wanted.__contains__))
    missing = sorted(wanted - set(members))
    if missing:
        raise ValueError(f"{path}: member(s) {', '.join(missing)} not found.")

    meta = _load_pickle(path, "batches.meta", members[f"{_TOP}/batches.meta"])
    target_names = np.array([_text(n) for n in _field(path, meta, "label_names")])
    images, target = [], []
    for batch in _BATCHES[subset]:
        x, y = _read_batch(path, batch, members[f"{_TOP}/{batch}"], len(target_names))
        images.append(x)
        target.append(y)
    return make_bunch(
        images=images,
        target=target,
        target_names=target_names,
        descr=load_descr("cifar10"),
        return_X_y=return_X_y,
    )


def _read_batch(path, batch, raw, n_classes):
    """The images (NHWC) and labels of one batch, ``raw`` its pickle's bytes."""
    content = _load_pickle(path, batch, raw)
    rows = np.asarray(_field(path, content, "data"))
    labels = np.asarray(_field(path, content, "labels"), dtype=np.int64)
    if rows.dtype != np.uint8 or rows.ndim != 2 or rows.shape[1] != 3072:
        raise ValueError(
            f"{path}: {batch} data is {rows.dtype} {rows.shape}, expected "
            "uint8 of shape (n, 3072)."
        )
    if labels.shape != (len(rows),) or not np.all((labels >= 0) & (labels < n_classes)):
        raise ValueError(f"{path}: {batch} labels do not match its images.")
    # Rows are 1024 red, 1024 green, 1024 blue values: (n, C, H, W) -> NHWC.
    return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


# What the official pickles (written by Python 2 with NumPy) reference, plus
# what Python 3 needs for bytes in protocol 2 (a pure function).
_RECONSTRUCT = np.empty(0).__reduce__()[0]
_ALLOWED = {
    ("_codecs", "encode"): codecs.encode,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
}


class _DataUnpickler(pickle.Unpickler):
    """Unpickles plain data and NumPy arrays only: a tampered pickle cannot run
    code (pickle.load would import and call anything the file names)."""

    def find_class(self, module, name):
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(
                f"global {module}.{name} is not allowed"
            ) from None


def _load_pickle(path, member, raw):
    try:
        # latin1 maps Python 2 byte strings one-to-one, as NumPy arrays need.
        return _DataUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except Exception as exc:  # any malformed pickle, whatever it raises
        raise ValueError(f"{path}: {member} is not a valid batch ({exc}).") from exc


def _field(path, content, key):
    """``content[key]``. Read with ``encoding="latin1"``, the official Python 2
    pickles have str keys; a pickle written by Python 3 may have bytes keys."""
    if isinstance(content, dict):
        for k in (key, key.encode()):
            if k in content:
                return content[k]
    raise ValueError(f"{path}: a batch has no {key!r} entry.")


def _text(name):
    return name.decode() if isinstance(name, bytes) else str(name)
