"""Loaders for the image datasets of the skvision studies.

Each ``fetch_*`` function reads the publisher's own files from
``<data_home>/<dataset>/`` (``data_home`` defaults to the ``SKVISION_DATA``
environment variable, else ``~/skvision_data``), verifies their checksums,
downloads missing ones when allowed (atomically: never a partial file), and
returns a :class:`~sklearn.utils.Bunch`. Pillow is needed for Omniglot and the
Oxford-IIIT pets only.
"""

from ._base import get_data_home
from ._cifar import fetch_cifar10
from ._image_folder import load_image_folder
from ._mnist import fetch_fashion_mnist, fetch_mnist
from ._omniglot import fetch_omniglot
from ._pets import fetch_oxford_pets

__all__ = [
    "fetch_cifar10",
    "fetch_fashion_mnist",
    "fetch_mnist",
    "fetch_omniglot",
    "fetch_oxford_pets",
    "get_data_home",
    "load_image_folder",
]
