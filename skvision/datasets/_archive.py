"""Archives read in memory, safely, or extracted once on request; and Pillow.

Reading never extracts a member. :func:`extract_once` writes members to disk
only for the loaders' ``return_paths=True``, into a folder skvision owns.
"""

import os
import shutil
import tarfile
import tempfile

__all__ = [
    "check_member_name",
    "extract_once",
    "import_pillow",
    "iter_tar_members",
]

EXTRACTED = "extracted"
MARKER = ".skvision-extracted"
# get_data_home's default, where extraction goes when the archive's folder is
# read-only (SKVISION_DATA may name such a folder; the default may not).
_USER_DATA_HOME = os.path.join("~", "skvision_data")
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")


def check_member_name(archive, name):
    """Return ``name``'s path components; raise ``ValueError`` if it escapes.

    A name escapes the archive's folder if it is absolute (``/x``, ``\\x``,
    ``C:x``) or has a ``..`` component. Such entries are rejected even though
    nothing is written to disk: an archive holding them is not the official one.
    """
    normalized = name.replace("\\", "/")
    parts = [p for p in normalized.split("/") if p not in ("", ".")]
    if (
        normalized.startswith("/")
        or (len(normalized) > 1 and normalized[1] == ":")
        or ".." in parts
    ):
        raise ValueError(
            f"{archive}: entry {name!r} points outside the archive's folder; "
            "refusing to read this archive."
        )
    return parts


def iter_tar_members(path, wanted):
    """Yield ``(name, bytes)`` for the regular files of the tar ``path`` whose
    normalized names (``a/b/c``) pass ``wanted(name)``.

    The archive (possibly compressed) is read in one sequential pass, which is
    what a ``.tar.gz`` allows cheaply, and one member at a time is held in memory.
    Every member name is checked with :func:`check_member_name`; links, devices
    and folders are never read. A malformed archive raises ``ValueError``.
    """
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                name = "/".join(check_member_name(path, member.name))
                if member.isfile() and wanted(name):
                    yield name, tar.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ValueError(f"{path}: not a valid tar archive ({exc}).") from exc


def import_pillow(loader):
    """``PIL.Image``, imported only by the loaders that decode PNG or JPEG."""
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError(
            f"{loader} needs Pillow to decode images: pip install pillow"
        ) from exc
    return Image


def extract_once(archive, read_members, *, folder, spec):
    """The folder holding ``archive``'s members, extracting them on first use.

    The folder is ``<archive's folder>/extracted/<archive stem>/`` or, when the
    archive's folder is read-only, ``~/skvision_data/<folder>/extracted/<stem>/``.
    Members are written to a temporary sibling folder, a marker naming the
    archive and its checksum last, and the folder is then renamed into place, so an
    interrupted extraction never looks complete. A folder with that marker is
    reused as it is; an incomplete or stale one is
    replaced (the ``extracted`` folder is skvision's, never the user's).

    Parameters
    ----------
    archive : str
        The verified archive's path.
    read_members : callable
        ``read_members()`` yields ``(name, bytes)``, ``name`` relative to the
        folder (``a/b/c``); called only if the members must be extracted.
    folder : str
        The dataset's folder name under the data folder.
    spec : RemoteFile
        The archive's spec: its file name and checksum go into the marker.

    Returns
    -------
    path : str
        The absolute path of the extracted folder.
    """
    archive = os.path.abspath(archive)
    stamp = " ".join([spec.filename, *(spec.expected() or ("unverified",))])
    stem = _archive_stem(archive)
    beside = os.path.join(os.path.dirname(archive), EXTRACTED, stem)
    home = os.path.abspath(os.path.expanduser(_USER_DATA_HOME))
    cached = os.path.join(home, folder, EXTRACTED, stem)
    for target in (beside, cached):
        if _is_extracted(target, stamp):
            return target
    target = beside if _may_write(os.path.dirname(archive)) else cached
    try:
        _extract(archive, read_members, target, stamp)
    except OSError as exc:
        raise OSError(f"cannot extract {archive} into {target}: {exc}") from exc
    return target


def _archive_stem(path):
    name = os.path.basename(path)
    for suffix in _ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def _is_extracted(target, stamp):
    try:
        with open(os.path.join(target, MARKER), encoding="utf-8") as marker:
            return marker.read() == stamp
    except OSError:
        return False


def _may_write(directory):
    # Root may write in a folder without write permission; such a folder (an
    # offline copy of the archives) was made read-only on purpose.
    try:
        writable_mode = os.stat(directory).st_mode & 0o222
    except OSError:
        return False
    return bool(writable_mode) and os.access(directory, os.W_OK)


def _extract(archive, read_members, target, stamp):
    """Extract into a temporary sibling of ``target``, then rename it there."""
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    prefix = f".{os.path.basename(target)}."
    partial = tempfile.mkdtemp(dir=parent, prefix=prefix, suffix=".part")
    try:
        for name, content in read_members():
            path = os.path.join(partial, *check_member_name(archive, name))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as out:
                out.write(content)
        with open(os.path.join(partial, MARKER), "w", encoding="utf-8") as marker:
            marker.write(stamp)
        os.chmod(partial, 0o755)  # mkdtemp's 0o700 would hide it from other users
        _move_into_place(partial, target, stamp)
    except BaseException:
        # Failed or interrupted (KeyboardInterrupt too): leave no partial folder.
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _move_into_place(partial, target, stamp):
    if _is_extracted(target, stamp):
        # Another process extracted the same archive meanwhile: keep its folder.
        shutil.rmtree(partial, ignore_errors=True)
        return
    if os.path.lexists(target):
        # An incomplete or stale extraction: set it aside, then delete it.
        prefix, parent = f".{os.path.basename(target)}.", os.path.dirname(target)
        old = tempfile.mkdtemp(dir=parent, prefix=prefix, suffix=".old")
        os.replace(target, os.path.join(old, "x"))
        shutil.rmtree(old, ignore_errors=True)
    try:
        os.replace(partial, target)
    except OSError:
        if not _is_extracted(target, stamp):  # else, as above, another process's
            raise
        shutil.rmtree(partial, ignore_errors=True)
