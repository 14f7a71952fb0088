"""The loaders on the real files, when ``SKVISION_DATA`` holds them.

Each test skips, saying why, unless ``$SKVISION_DATA/<dataset>/`` has the
official files. They never download (``download_if_missing=False``) and they go
through the environment variable, as a user's code would.
"""

import dataclasses
import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from skvision.datasets import (
    _base,
    _mnist,
    _omniglot,
    fetch_fashion_mnist,
    fetch_mnist,
    fetch_omniglot,
)


def require(folder, filenames):
    """Skip unless every file is in ``$SKVISION_DATA/<folder>/``."""
    home = os.environ.get("SKVISION_DATA")
    if not home:
        pytest.skip("SKVISION_DATA is not set; point it at the real datasets")
    missing = [f for f in filenames if not (Path(home) / folder / f).is_file()]
    if missing:
        pytest.skip(f"{', '.join(missing)} not in {Path(home) / folder}")
    return Path(home) / folder


@pytest.mark.parametrize(
    "subset, n, first_labels",
    [
        ("train", 60000, [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]),
        ("test", 10000, [7, 2, 1, 0, 4]),
    ],
)
def test_real_mnist(subset, n, first_labels):
    folder = require("mnist", _mnist.MNIST_FILES)
    mnist = fetch_mnist(subset=subset, download_if_missing=False)
    assert mnist.images.shape == (n, 28, 28) and mnist.data.shape == (n, 784)
    assert mnist.target[: len(first_labels)].tolist() == first_labels
    assert np.bincount(mnist.target).size == 10
    assert mnist.images.max() == 255 and mnist.images.min() == 0
    # The files passed the published checksums, and the spec's sha256 is the one
    # listed by the offline copy's README.
    for name, spec in _mnist.MNIST_FILES.items():
        _base.verify_file(str(folder / name), spec)


def test_real_mnist_all():
    require("mnist", _mnist.MNIST_FILES)
    X, y = fetch_mnist(subset="all", download_if_missing=False, return_X_y=True)
    assert X.shape == (70000, 784) and y.shape == (70000,)
    assert y[60000:60005].tolist() == [7, 2, 1, 0, 4]


def test_real_fashion_mnist():
    require("fashion-mnist", _mnist.FASHION_FILES)
    fashion = fetch_fashion_mnist(subset="test", download_if_missing=False)
    assert fashion.images.shape == (10000, 28, 28)
    assert fashion.target_names[fashion.target[0]] == "Ankle boot"
    assert fashion.target_names.tolist()[:3] == ["T-shirt/top", "Trouser", "Pullover"]
    assert np.bincount(fashion.target).tolist() == [1000] * 10
    train = fetch_fashion_mnist(download_if_missing=False)
    assert train.images.shape == (60000, 28, 28)
    assert np.bincount(train.target).tolist() == [6000] * 10


def test_real_fashion_mnist_recompressed_copy_is_accepted(tmp_path):
    # Debian's copies differ from the official ones only in their gzip header.
    folder = require("fashion-mnist", _mnist.FASHION_FILES)
    name = "t10k-labels-idx1-ubyte.gz"
    content = gzip.decompress((folder / name).read_bytes())
    copy = tmp_path / name
    copy.write_bytes(gzip.compress(content, compresslevel=9, mtime=1))
    assert copy.read_bytes() != (folder / name).read_bytes()
    _base.verify_file(str(copy), _mnist.FASHION_FILES[name])


def test_real_omniglot_small1():
    spec = _omniglot.OMNIGLOT_FILES["background_small1"]
    require("omniglot", [spec.filename])
    omniglot = fetch_omniglot(subset="background_small1", download_if_missing=False)
    assert omniglot.images.shape == (2720, 105, 105)
    assert omniglot.data.shape == (2720, 105 * 105)
    assert set(np.unique(omniglot.images)) == {0, 255}
    # Mostly white background, dark strokes.
    assert (omniglot.images == 255).mean() > 0.8
    assert sorted(set(omniglot.alphabet)) == [
        "Balinese",
        "Early_Aramaic",
        "Greek",
        "Korean",
        "Latin",
    ]
    assert len(omniglot.target_names) == 136
    assert np.bincount(omniglot.target).tolist() == [20] * 136  # 20 drawers each
    assert omniglot.target_names[0] == "Balinese/character01"


@pytest.mark.parametrize(
    "folder, specs",
    [
        ("mnist", list(_mnist.MNIST_FILES.values())),
        ("fashion-mnist", list(_mnist.FASHION_FILES.values())),
        ("omniglot", [_omniglot.OMNIGLOT_FILES["background_small1"]]),
    ],
)
def test_real_files_have_the_declared_sizes(folder, specs):
    # A download of any other size is rejected, so these must be exact.
    path = require(folder, [spec.filename for spec in specs])
    for spec in specs:
        assert (path / spec.filename).stat().st_size == spec.size, spec.filename


def test_real_file_downloads_over_http_with_its_spec(tmp_path, loopback):
    spec = _mnist.MNIST_FILES["t10k-images-idx3-ubyte.gz"]
    content = (require("mnist", [spec.filename]) / spec.filename).read_bytes()

    def respond(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

    served = dataclasses.replace(spec, urls=(loopback(respond),))
    (path,) = _base.fetch_files("mnist", [served], data_home=tmp_path)
    assert Path(path).read_bytes() == content
