"""Archives read in memory, safely (no member is ever extracted), and Pillow."""

import tarfile

__all__ = ["check_member_name", "import_pillow", "iter_tar_members"]


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
