"""MNIST and Fashion-MNIST: 28x28 grayscale images in gzipped IDX files."""

import gzip
import zlib

import numpy as np

from ._base import RemoteFile, check_subset, fetch_files, load_descr, make_bunch
from ._docstrings import fill_doc

__all__ = ["fetch_fashion_mnist", "fetch_mnist"]

_MNIST_URLS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
_FASHION_URLS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)


def _specs(urls, rows):
    """RemoteFile per filename; ``rows`` is (filename, sha256, md5, size, gunzip)."""
    return {
        name: RemoteFile(
            name,
            tuple(url + name for url in urls),
            sha256=sha256,
            md5=md5,
            size=size,
            gunzip_sha256=gunzip,
        )
        for name, sha256, md5, size, gunzip in rows
    }


# Published sha256/md5 of the official files. The sha256 of the decompressed
# content was computed from those verified files; it accepts a recompressed copy
# (Debian's, for one) whose bytes differ only in the gzip header.
MNIST_FILES = _specs(
    _MNIST_URLS,
    [
        (
            "train-images-idx3-ubyte.gz",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            9912422,
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "d53e105ee54ea40749a09fcbcd1e9432",
            28881,
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ),
        (
            "t10k-images-idx3-ubyte.gz",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "9fb629c4189551a2d022fa330f9573f3",
            1648877,
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ),
        (
            "t10k-labels-idx1-ubyte.gz",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "ec29112dd5afa0611ce80d1b7f02629c",
            4542,
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ),
    ],
)

FASHION_FILES = _specs(
    _FASHION_URLS,
    [
        (
            "train-images-idx3-ubyte.gz",
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            26421880,
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "25c81989df183df01b3e8a0aad5dffbe",
            29515,
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ),
        (
            "t10k-images-idx3-ubyte.gz",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "bef4ecab320f06d8554ea6380940ec79",
            4422102,
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ),
        (
            "t10k-labels-idx1-ubyte.gz",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            "bb300cfdad3c16e7a12a480ee83cd310",
            5148,
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ),
    ],
)

_SUBSETS = {"train": ("train",), "test": ("t10k",), "all": ("train", "t10k")}

FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


@fill_doc
def fetch_mnist(
    *,
    subset="train",
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    verbose=False,
):
    """Load the MNIST handwritten digits (28x28 grayscale, 10 classes).

    =================   ========================
    Classes                                   10
    Samples (train)                       60,000
    Samples (test)                        10,000
    Image shape                    (28, 28) uint8
    =================   ========================

    Files are read from ``<data_home>/mnist/`` (official names, e.g.
    ``train-images-idx3-ubyte.gz``), checked against their published checksums,
    and downloaded there first if missing.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        The official split to load; "all" is train followed by test.
    <loader parameters: data_home, download_if_missing, return_X_y, verbose>

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (n_samples, 784), dtype uint8
            Flattened images, one row per image (a view of ``images``).
        images : ndarray of shape (n_samples, 28, 28), dtype uint8
            The images, 0 for background and 255 for ink.
        target : ndarray of shape (n_samples,), dtype int64
            The digit of each image.
        target_names : ndarray of shape (10,), dtype str
            ``"0"`` to ``"9"``.
        DESCR : str
            Description of the dataset.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    FileNotFoundError
        If a file is missing and cannot be downloaded; the message says which
        files to put in which folder.
    OSError
        If a file does not match its checksum.
    ValueError
        If a file is not a valid IDX file.

    Examples
    --------
    >>> from skvision.datasets import fetch_mnist
    >>> X, y = fetch_mnist(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> X.shape, y[:5]  # doctest: +SKIP
    ((10000, 784), array([7, 2, 1, 0, 4]))
    """
    target_names = np.array([str(d) for d in range(10)])
    return _fetch_idx(
        "mnist",
        MNIST_FILES,
        target_names,
        "mnist",
        subset=subset,
        data_home=data_home,
        download_if_missing=download_if_missing,
        return_X_y=return_X_y,
        verbose=verbose,
    )


@fill_doc
def fetch_fashion_mnist(
    *,
    subset="train",
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    verbose=False,
):
    """Load Fashion-MNIST (28x28 grayscale images of clothing, 10 classes).

    =================   ========================
    Classes                                   10
    Samples (train)                       60,000
    Samples (test)                        10,000
    Image shape                    (28, 28) uint8
    =================   ========================

    Files are read from ``<data_home>/fashion-mnist/`` (official names, e.g.
    ``train-images-idx3-ubyte.gz``), checked against their published checksums
    (a recompressed copy with identical content, such as Debian's, is accepted),
    and downloaded there first if missing.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        The official split to load; "all" is train followed by test.
    <loader parameters: data_home, download_if_missing, return_X_y, verbose>

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (n_samples, 784), dtype uint8
            Flattened images, one row per image (a view of ``images``).
        images : ndarray of shape (n_samples, 28, 28), dtype uint8
            The images, 0 for background and 255 for the brightest pixels.
        target : ndarray of shape (n_samples,), dtype int64
            The class of each image, an index into ``target_names``.
        target_names : ndarray of shape (10,), dtype str
            ``"T-shirt/top"``, ``"Trouser"``, ..., ``"Ankle boot"``.
        DESCR : str
            Description of the dataset.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    FileNotFoundError
        If a file is missing and cannot be downloaded; the message says which
        files to put in which folder.
    OSError
        If a file does not match its checksum.
    ValueError
        If a file is not a valid IDX file.

    Examples
    --------
    >>> from skvision.datasets import fetch_fashion_mnist
    >>> fashion = fetch_fashion_mnist(subset="test")  # doctest: +SKIP
    >>> fashion.images.shape, fashion.target_names[fashion.target[0]]  # doctest: +SKIP
    ((10000, 28, 28), 'Ankle boot')
    """
    return _fetch_idx(
        "fashion-mnist",
        FASHION_FILES,
        np.array(FASHION_CLASSES),
        "fashion_mnist",
        subset=subset,
        data_home=data_home,
        download_if_missing=download_if_missing,
        return_X_y=return_X_y,
        verbose=verbose,
    )


def _fetch_idx(
    folder,
    specs,
    target_names,
    descr_name,
    *,
    subset,
    data_home,
    download_if_missing,
    return_X_y,
    verbose,
):
    """The loader behind :func:`fetch_mnist` and :func:`fetch_fashion_mnist`."""
    check_subset(subset, tuple(_SUBSETS))
    names = [
        f"{prefix}-{kind}-idx{ndim}-ubyte.gz"
        for prefix in _SUBSETS[subset]
        for kind, ndim in (("images", 3), ("labels", 1))
    ]
    paths = fetch_files(
        folder,
        [specs[name] for name in names],
        data_home=data_home,
        download_if_missing=download_if_missing,
        verbose=verbose,
    )
    images, target = [], []
    for images_path, labels_path in zip(paths[::2], paths[1::2], strict=True):
        x, y = _read_images_and_labels(images_path, labels_path, len(target_names))
        images.append(x)
        target.append(y)
    return make_bunch(
        images=images,
        target=target,
        target_names=target_names,
        descr=load_descr(descr_name),
        return_X_y=return_X_y,
    )


def _read_images_and_labels(images_path, labels_path, n_classes):
    """The 28x28 images of one IDX file and their labels from another."""
    images = read_idx(images_path, ndim=3)
    labels = read_idx(labels_path, ndim=1)
    if images.shape[1:] != (28, 28):
        raise ValueError(f"{images_path}: images are {images.shape[1:]}, not 28x28.")
    if len(images) != len(labels):
        raise ValueError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels."
        )
    if labels.size and labels.max() >= n_classes:
        raise ValueError(f"{labels_path}: label {labels.max()} is out of range.")
    return images, labels


def read_idx(path, ndim):
    """Read a gzipped IDX file of unsigned bytes with ``ndim`` dimensions.

    The layout (http://yann.lecun.com/exdb/mnist/): two zero bytes, the type
    code 0x08 (unsigned byte), the number of dimensions, each dimension as a
    big-endian uint32, then the data in C order; nothing after it.
    """
    try:
        with gzip.open(path, "rb") as f:
            magic = f.read(4)
            if len(magic) != 4 or magic[:3] != b"\x00\x00\x08" or magic[3] != ndim:
                raise ValueError(
                    f"{path}: not an IDX file of unsigned bytes with {ndim} "
                    f"dimension(s) (magic number {magic.hex() or 'missing'}, "
                    f"expected 000008{ndim:02x})."
                )
            header = f.read(4 * ndim)
            if len(header) != 4 * ndim:
                raise ValueError(f"{path}: truncated IDX header.")
            shape = tuple(int(d) for d in np.frombuffer(header, dtype=">u4"))
            array = np.empty(shape, dtype=np.uint8)
            # Read straight into the array: no intermediate copy of the data.
            view, filled = memoryview(array).cast("B"), 0
            while filled < array.size and (n := f.readinto(view[filled:])):
                filled += n
            if filled != array.size:
                raise ValueError(
                    f"{path}: truncated IDX data ({filled} of {array.size} bytes "
                    f"for shape {shape})."
                )
            if f.read(1):
                raise ValueError(f"{path}: unexpected data after shape {shape}.")
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise ValueError(f"{path}: not a valid gzip file ({exc}).") from exc
    return array
