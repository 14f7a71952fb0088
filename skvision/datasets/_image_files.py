"""Which files of a folder are images, and the colour modes they load in.

The options of :func:`~skvision.datasets.load_image_folder`; the files are
decoded by :mod:`skvision._images`.
"""

__all__ = [
    "COLOR_MODES",
    "IMAGE_EXTENSIONS",
    "check_extensions",
    "color_mode_channels",
]

# The formats that skvision._images.decode_image reads.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
COLOR_MODES = {"grayscale": 1, "rgb": 3}


def color_mode_channels(color_mode):
    """The number of channels of ``color_mode`` ("grayscale" 1, "rgb" 3)."""
    if not isinstance(color_mode, str) or color_mode not in COLOR_MODES:
        raise ValueError(
            f"color_mode must be one of {', '.join(map(repr, COLOR_MODES))}; "
            f"got {color_mode!r}."
        )
    return COLOR_MODES[color_mode]


def check_extensions(extensions):
    """``extensions`` (one or a sequence) as a tuple of lowercase ``".ext"``."""
    if isinstance(extensions, str):
        extensions = (extensions,)
    try:
        extensions = tuple(extensions)
    except TypeError:
        extensions = ()
    if not extensions or not all(isinstance(e, str) and e for e in extensions):
        raise TypeError(f"extensions must be a tuple of str; got {extensions!r}.")
    return tuple(
        e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions
    )
