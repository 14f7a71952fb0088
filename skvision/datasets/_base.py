"""What every loader shares: the data folder, file specs, checksums, downloads,
and the shape of what it returns.

A loader declares its files as :class:`RemoteFile` specs, calls :func:`fetch_files`
to get verified local paths, and parses them; it does nothing else with the disk
or the network. It then hands what it parsed to :func:`make_bunch`, which returns
``(X, target)`` or a :class:`~sklearn.utils.Bunch` with the dataset's description
from ``descr/<name>.rst`` (:func:`load_descr`).

Files are looked up in ``<data_home>/<folder>/<filename>``. ``data_home`` may be a
read-only offline copy: nothing is written there unless a file is missing and may
be downloaded. Downloads go to a temporary file beside the target, are cut off
at the file's known size, are verified, and only then renamed into place
(``os.replace``), so a failed, interrupted, oversized or corrupted download never
leaves a partial file behind. A file that exists but does not match its checksum
is reported and left alone: it may be the user's.
"""

import gzip
import hashlib
import logging
import os
import sys
import tempfile
import zlib
from dataclasses import dataclass
from http.client import HTTPException
from importlib import resources
from urllib.request import Request, urlopen

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "RemoteFile",
    "check_subset",
    "fetch_files",
    "get_data_home",
    "load_descr",
    "make_bunch",
    "verify_file",
]

logger = logging.getLogger(__name__)

ENV_VAR = "SKVISION_DATA"
_CHUNK = 1 << 20
_TIMEOUT = 60  # seconds without data before a download is abandoned
_USER_AGENT = "skvision-datasets (python-urllib)"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset: where to get it and how to recognize it.

    Parameters
    ----------
    filename : str
        Name of the file in ``<data_home>/<folder>/``, as the publisher names it.
    urls : tuple of str
        Official URL first, then mirrors; tried in order.
    sha256, md5 : str or None
        Known checksums of the file (each loader says where they come from).
        The strongest one given is verified (sha256 over md5); with neither,
        the file is accepted unverified.
    gunzip_sha256 : str or None
        For ``.gz`` files, sha256 of the decompressed content. A file whose own
        checksum differs is still accepted if its content matches (Debian, for
        one, recompresses Fashion-MNIST with another gzip header).
    size : int or None
        Size in bytes. A download must have exactly this size: one that runs
        past it is stopped there, and one whose Content-Length differs is
        rejected before its body is read. A file already in ``data_home`` is
        not checked against it (a recompressed copy may differ in size).
    """

    filename: str
    urls: tuple
    sha256: str | None = None
    md5: str | None = None
    gunzip_sha256: str | None = None
    size: int | None = None

    def expected(self):
        """``(algorithm, hexdigest)`` to verify the file with, or None."""
        if self.sha256:
            return "sha256", self.sha256.lower()
        if self.md5:
            return "md5", self.md5.lower()
        return None


def get_data_home(data_home=None):
    """Return the folder where skvision looks for (and downloads) datasets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use. If None, the ``SKVISION_DATA`` environment variable
        if set and non-empty, else ``~/skvision_data``. ``~`` is expanded.
        The folder is not created here; it may be a read-only offline copy.

    Returns
    -------
    data_home : str
        The path to the data folder. Dataset ``name`` lives in
        ``<data_home>/<name>/``.

    Examples
    --------
    >>> from skvision.datasets import get_data_home
    >>> get_data_home("/data/offline")
    '/data/offline'
    """
    if data_home is None:
        data_home = os.environ.get(ENV_VAR) or os.path.join("~", "skvision_data")
    return os.path.expanduser(os.fspath(data_home))


def fetch_files(
    folder, files, *, data_home=None, download_if_missing=True, verbose=False
):
    """Local, verified paths of ``files``, downloading those that are missing.

    Parameters
    ----------
    folder : str
        The dataset's folder name under ``data_home``.
    files : sequence of RemoteFile
        The files needed.
    data_home : str or path-like, default=None
        See :func:`get_data_home`.
    download_if_missing : bool, default=True
        If False, a missing file raises instead of being downloaded.
    verbose : bool, default=False
        Report download progress on stderr (a bar when stderr is a terminal).

    Returns
    -------
    paths : list of str
        One path per entry of ``files``, in order.

    Raises
    ------
    FileNotFoundError
        When a file is missing and cannot be (or may not be) downloaded; the
        message names each missing file, its URLs, and the folder to put it in.
    OSError
        When a file exists but does not match its checksum.
    """
    home = get_data_home(data_home)
    directory = os.path.join(home, folder)
    paths = [os.path.join(directory, spec.filename) for spec in files]
    missing = []
    for spec, path in zip(files, paths, strict=True):
        if os.path.isfile(path):
            verify_file(path, spec)
        else:
            missing.append(spec)
    if missing and not download_if_missing:
        raise FileNotFoundError(
            _missing_message(folder, data_home, missing, "download_if_missing=False")
        )
    for k, spec in enumerate(missing):
        try:
            _download(spec, directory, verbose=verbose)
        except OSError as exc:  # offline, HTTP error, bad checksum, read-only
            reason = f"downloading {spec.filename} failed: {exc}"
            raise FileNotFoundError(
                _missing_message(folder, data_home, missing[k:], reason)
            ) from exc
    return paths


def verify_file(path, spec):
    """Raise ``OSError`` unless the file at ``path`` matches ``spec``."""
    expected = spec.expected()
    if expected is None:
        logger.debug("%s: no published checksum, not verified", path)
        return
    algorithm, digest = expected
    with open(path, "rb") as f:
        actual = _hexdigest(f, algorithm)
    if actual == digest:
        return
    if spec.gunzip_sha256:
        try:
            with gzip.open(path, "rb") as f:
                content = _hexdigest(f, "sha256")
        except (OSError, EOFError, zlib.error):  # BadGzipFile is an OSError
            content = None
        if content == spec.gunzip_sha256.lower():
            return
    also = (
        f", or decompressed content sha256 {spec.gunzip_sha256}"
        if spec.gunzip_sha256
        else ""
    )
    raise OSError(
        f"{path} is corrupted or not the expected file: its {algorithm} is "
        f"{actual}, expected {digest}{also}. Delete or replace it (official "
        f"source: {spec.urls[0]})."
    )


def _hexdigest(stream, algorithm):
    digest = hashlib.new(algorithm)
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _missing_message(folder, data_home, missing, reason):
    home = get_data_home(data_home)
    if data_home is not None:
        source = "the data_home argument"
    elif os.environ.get(ENV_VAR):
        source = f"the {ENV_VAR} environment variable"
    else:
        source = f"the default; set {ENV_VAR} or data_home to change it"
    directory = os.path.join(home, folder)
    lines = [
        f"Dataset {folder!r}: {len(missing)} file(s) missing in {directory} "
        f"({reason}).",
        f"Put these files in {directory}{os.sep} (data_home {home} is {source}):",
    ]
    for spec in missing:
        size = f" ({spec.size:,} bytes)" if spec.size else ""
        lines.append(f"  {spec.filename}{size}, from {' or '.join(spec.urls)}")
    lines.append(
        f"Or keep them in <dir>{os.sep}{folder}{os.sep} and pass data_home=<dir> "
        f"or set the {ENV_VAR} environment variable to <dir>."
    )
    return "\n".join(lines)


def _download(spec, directory, *, verbose=False):
    """Download ``spec`` into ``directory``, trying each URL in turn."""
    try:
        os.makedirs(directory, exist_ok=True)
        # Probe writability once, before touching the network.
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".skvision-", suffix=".part")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        raise OSError(f"{directory} is not writable ({exc})") from exc
    errors = []
    for url in spec.urls:
        try:
            _download_url(url, spec, directory, verbose=verbose)
            return
        except (OSError, ValueError) as exc:  # URLError is an OSError
            logger.info("download of %s failed: %s", url, exc)
            errors.append(f"{url}: {exc}")
    raise OSError("; ".join(errors))


def _download_url(url, spec, directory, *, verbose=False):
    """Download one URL to a temporary file, verify it, rename it into place."""
    final = os.path.join(directory, spec.filename)
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix=f".{spec.filename}.", suffix=".part"
    )
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _copy_url(url, out, spec, verbose=verbose)
        expected = spec.expected()
        if expected and digest.hexdigest() != expected[1]:
            raise ValueError(
                f"checksum mismatch: the download's {expected[0]} is "
                f"{digest.hexdigest()}, expected {expected[1]}"
            )
        if os.path.exists(final):
            # A file appeared meanwhile (another process, or the user): keep it.
            os.remove(tmp)
            verify_file(final, spec)
            return
        os.chmod(tmp, 0o644)  # mkstemp's 0o600 would hide it from other users
        os.replace(tmp, final)
    except BaseException:
        # Failed, bad or interrupted (KeyboardInterrupt too): leave nothing.
        try:
            os.remove(tmp)
        except FileNotFoundError:
            pass
        raise


def _copy_url(url, out, spec, *, verbose=False):
    """Stream ``url`` into the open file ``out``; return the running digest.

    The body must be exactly as long as the file's known size (``spec.size``,
    else the Content-Length): a longer one is cut off one byte past it, so a
    server that sends forever cannot fill the disk, and a shorter one is an
    error even when no checksum would catch it. With neither size known, the
    body is read to its end.
    """
    expected = spec.expected()
    digest = hashlib.new(expected[0] if expected else "sha256")
    request = Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urlopen(request, timeout=_TIMEOUT) as response:
            total = _expected_length(response, spec)
            progress = _Progress(spec.filename, total) if verbose else None
            try:
                done = _copy_body(response, out, digest, total, progress)
            finally:
                if progress:
                    progress.close()
    except HTTPException as exc:  # BadStatusLine, IncompleteRead: not OSErrors
        raise OSError(f"malformed HTTP response ({exc!r})") from exc
    if total is not None and done < total:
        raise OSError(
            f"connection closed after {done:,} of the expected {total:,} bytes"
        )
    return digest


def _expected_length(response, spec):
    """The body's length: ``spec.size`` if known, else the Content-Length."""
    header = response.headers.get("Content-Length")
    length = int(header) if header and header.isdigit() else None
    if spec.size is None:
        return length
    if length is not None and length != spec.size:
        # Rejected before the body is read: it cannot be the expected file.
        raise OSError(
            f"the server announces a body of {length:,} bytes (Content-Length); "
            f"expected {spec.size:,} bytes"
        )
    return spec.size


def _copy_body(response, out, digest, total, progress):
    """Copy the body into ``out``, reading at most ``total + 1`` bytes."""
    done = 0
    while True:
        want = _CHUNK if total is None else min(_CHUNK, total + 1 - done)
        chunk = response.read(want)
        if not chunk:
            return done
        done += len(chunk)
        if total is not None and done > total:
            raise OSError(
                f"the response body exceeded the expected {total:,} bytes; "
                "download stopped"
            )
        out.write(chunk)
        digest.update(chunk)
        if progress:
            progress.update(done)


class _Progress:
    """A progress bar on stderr when it is a terminal, else two plain lines."""

    def __init__(self, name, total):
        self.name, self.total, self.done = name, total, 0
        self.tty = sys.stderr.isatty()
        if not self.tty:
            print(f"Downloading {name}...", file=sys.stderr, flush=True)

    def update(self, done):
        self.done = done
        if not self.tty:
            return
        if self.total:
            frac = min(done / self.total, 1.0)
            bar = "#" * int(30 * frac)
            text = f"{bar:<30} {frac:4.0%} of {self.total / 1e6:.1f} MB"
        else:
            text = f"{done / 1e6:.1f} MB"
        print(f"\r{self.name}: {text}", end="", file=sys.stderr, flush=True)

    def close(self):
        if self.tty:
            print(file=sys.stderr, flush=True)
        else:
            print(f"{self.name}: {self.done:,} bytes.", file=sys.stderr, flush=True)


def check_subset(subset, choices):
    """Raise ``ValueError`` unless ``subset`` is one of ``choices``."""
    if not isinstance(subset, str) or subset not in choices:
        raise ValueError(
            f"subset must be one of {', '.join(map(repr, choices))}; got {subset!r}."
        )


def load_descr(name):
    """The description of a dataset: the text of ``descr/<name>.rst``.

    Parameters
    ----------
    name : str
        The file's name without ``.rst``, e.g. ``"mnist"``.

    Returns
    -------
    descr : str
        The file's text, the ``DESCR`` of the loader's Bunch.

    Examples
    --------
    >>> from skvision.datasets._base import load_descr
    >>> load_descr("mnist").splitlines()[0]
    'MNIST handwritten digits'
    """
    # One joinpath argument at a time: Python 3.10's Traversable takes one.
    path = resources.files(__package__) / "descr" / f"{name}.rst"
    return path.read_text(encoding="utf-8")


def make_bunch(
    *,
    target,
    target_names,
    descr,
    images=None,
    filenames=None,
    flatten=True,
    return_X_y=False,
    **attributes,
):
    """What a loader returns: ``(X, target)``, or a Bunch of the samples.

    Parameters
    ----------
    target : ndarray or list of ndarray
        The label of each sample, or a list of parts (one per file read) that
        are concatenated in order. Returned as int64.
    target_names : array-like of str
        The name of each label.
    descr : str
        The dataset's description, the Bunch's ``DESCR``.
    images : ndarray or list of ndarray, default=None
        The decoded images, ``(n_samples, height, width[, channels])``, or a
        list of parts that are concatenated in order. Returned C-contiguous.
    filenames : ndarray of str, default=None
        The file of each sample.
    flatten : bool, default=True
        Also give the images flattened to one row per sample, as ``data`` (a
        view of ``images``). :func:`load_image_folder` gives ``images`` only.
    return_X_y : bool, default=False
        If True, return ``(X, target)``: ``X`` is ``data`` when the images are
        flattened, else ``filenames``.
    **attributes
        More entries for the Bunch, after ``target_names`` (e.g. ``species``).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` and ``images`` (when there are images), ``filenames`` (when
        given), ``target``, ``target_names``, ``attributes``, then ``DESCR``.

    (X, target) : tuple if ``return_X_y`` is True

    Examples
    --------
    >>> import numpy as np
    >>> from skvision.datasets._base import make_bunch
    >>> parts = [np.zeros((2, 3, 3), np.uint8), np.ones((1, 3, 3), np.uint8)]
    >>> bunch = make_bunch(
    ...     images=parts, target=[np.array([0, 1]), np.array([1])],
    ...     target_names=["zero", "one"], descr="Three tiny images.",
    ... )
    >>> list(bunch), bunch.data.shape, bunch.target
    (['data', 'images', 'target', 'target_names', 'DESCR'], (3, 9), array([0, 1, 1]))
    """
    samples = {}
    if images is not None:
        images = np.ascontiguousarray(_concatenate(images))
        if flatten:
            samples["data"] = images.reshape(len(images), -1)
        samples["images"] = images
    if filenames is not None:
        samples["filenames"] = filenames
    target = _concatenate(target).astype(np.int64, copy=False)
    if return_X_y:
        return samples.get("data", filenames), target
    return Bunch(
        **samples,
        target=target,
        target_names=target_names,
        **attributes,
        DESCR=descr,
    )


def _concatenate(parts):
    """An array, or a list of arrays concatenated (without a copy if only one)."""
    if not isinstance(parts, list):
        return np.asarray(parts)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
