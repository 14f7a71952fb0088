"""The dataset loaders' common parameters, documented once.

A loader's docstring names the paragraphs it wants, in order, with a marker
line ``    <loader parameters: data_home, verbose>`` that :func:`fill_doc`
replaces (as :mod:`skvision._docstrings` does for the estimators; this
subpackage imports nothing from the rest of skvision, so it has its own).
"""

import re

LOADER_PARAMETERS = {
    "data_home": """\
    data_home : str or path-like, default=None
        The data folder; see :func:`get_data_home` (``SKVISION_DATA`` or
        ``~/skvision_data`` when None).""",
    "download_if_missing": """\
    download_if_missing : bool, default=True
        If False, raise ``FileNotFoundError`` when a file is missing instead of
        downloading it.""",
    "return_X_y": """\
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.""",
    # For the loaders that can give file paths instead of images.
    "return_X_y_or_paths": """\
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch (``(filenames,
        target)`` with ``return_paths``).""",
    "verbose": """\
    verbose : bool, default=False
        Report download progress on stderr.""",
}


def fill_doc(loader):
    """Replace the markers of ``loader.__doc__`` with the shared paragraphs."""
    loader.__doc__ = re.sub(
        r"^    <loader parameters: ([\w, ]+)>\n",
        lambda match: "".join(
            LOADER_PARAMETERS[name] + "\n" for name in match[1].split(", ")
        ),
        loader.__doc__,
        flags=re.MULTILINE,
    )
    return loader
