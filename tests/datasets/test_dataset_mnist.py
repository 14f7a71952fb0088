"""fetch_mnist and fetch_fashion_mnist on tiny IDX files built here."""

import gzip
import struct

import numpy as np
import pytest

from skvision.datasets import _mnist, fetch_fashion_mnist, fetch_mnist

N_TRAIN, N_TEST = 5, 3


def idx(array):
    """The IDX encoding of a uint8 array, gzipped."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.tobytes(), mtime=0)


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return images, labels


@pytest.fixture
def idx_files(declare):
    """``write(home, folder, registry, seed)`` puts four tiny IDX files in
    ``home/folder`` and declares their checksums; returns the arrays."""

    def write(home, folder="mnist", registry=None, seed=0):
        registry = _mnist.MNIST_FILES if registry is None else registry
        (home / folder).mkdir(parents=True)
        arrays = {}
        for prefix, n in (("train", N_TRAIN), ("t10k", N_TEST)):
            images, labels = make_split(n, seed + n)
            arrays[prefix] = images, labels
            for kind, ndim, array in (("images", 3, images), ("labels", 1, labels)):
                name = f"{prefix}-{kind}-idx{ndim}-ubyte.gz"
                content = idx(array)
                declare(registry, name, content)
                (home / folder / name).write_bytes(content)
        return arrays

    return write


@pytest.mark.parametrize("subset", ["train", "test", "all"])
def test_fetch_mnist_subsets(tmp_path, idx_files, subset):
    arrays = idx_files(tmp_path)
    parts = {"train": ["train"], "test": ["t10k"], "all": ["train", "t10k"]}[subset]
    images = np.concatenate([arrays[p][0] for p in parts])
    labels = np.concatenate([arrays[p][1] for p in parts])

    mnist = fetch_mnist(subset=subset, data_home=tmp_path)
    n = len(labels)
    assert mnist.images.shape == (n, 28, 28) and mnist.images.dtype == np.uint8
    assert mnist.data.shape == (n, 784) and mnist.data.dtype == np.uint8
    assert mnist.target.shape == (n,) and mnist.target.dtype == np.int64
    np.testing.assert_array_equal(mnist.images, images)
    np.testing.assert_array_equal(mnist.data, images.reshape(n, -1))
    np.testing.assert_array_equal(mnist.target, labels)
    assert list(mnist.target_names) == [str(d) for d in range(10)]
    assert "LeCun" in mnist.DESCR
    assert mnist.images.flags.writeable


def test_return_X_y(tmp_path, idx_files):
    arrays = idx_files(tmp_path)
    X, y = fetch_mnist(subset="test", data_home=tmp_path, return_X_y=True)
    assert X.shape == (N_TEST, 784)
    np.testing.assert_array_equal(y, arrays["t10k"][1])


def test_data_home_argument_and_environment(tmp_path, idx_files, monkeypatch):
    # Same names, different content: each home gets its own declared checksums,
    # so load from the environment's home first, then from the argument's.
    env_arrays = idx_files(tmp_path / "env", seed=1)
    monkeypatch.setenv("SKVISION_DATA", str(tmp_path / "env"))
    np.testing.assert_array_equal(fetch_mnist().target, env_arrays["train"][1])
    arg_arrays = idx_files(tmp_path / "arg", seed=2)
    np.testing.assert_array_equal(
        fetch_mnist(data_home=tmp_path / "arg").target, arg_arrays["train"][1]
    )


def test_fashion_mnist(tmp_path, idx_files):
    arrays = idx_files(tmp_path, "fashion-mnist", _mnist.FASHION_FILES)
    fashion = fetch_fashion_mnist(subset="all", data_home=tmp_path)
    assert fashion.images.shape == (N_TRAIN + N_TEST, 28, 28)
    assert list(fashion.target_names) == [
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
    ]
    np.testing.assert_array_equal(fashion.target[:N_TRAIN], arrays["train"][1])
    assert "Zalando" in fashion.DESCR


def test_download_from_the_official_urls(tmp_path, declare, fake_web):
    images, labels = make_split(N_TEST, 0)
    for name, array in (
        ("t10k-images-idx3-ubyte.gz", images),
        ("t10k-labels-idx1-ubyte.gz", labels),
    ):
        spec = declare(_mnist.MNIST_FILES, name, idx(array))
        assert spec.urls[0] == f"https://ossci-datasets.s3.amazonaws.com/mnist/{name}"
        fake_web.serve(spec.urls[1], idx(array))  # the first mirror is "down"
    mnist = fetch_mnist(subset="test", data_home=tmp_path)
    np.testing.assert_array_equal(mnist.images, images)
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir()) == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]


def test_offline_and_absent(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        fetch_fashion_mnist(subset="test", data_home=tmp_path)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte.gz" in message
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert "train-images" not in message  # only what this subset needs
    assert str(tmp_path / "fashion-mnist") in message
    assert "fashion-mnist.s3-website.eu-central-1.amazonaws.com" in message


def test_corrupted_file(tmp_path, idx_files):
    idx_files(tmp_path)
    path = tmp_path / "mnist" / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(OSError, match="train-labels-idx1-ubyte.gz is corrupted"):
        fetch_mnist(data_home=tmp_path)


def header(ndim, shape, code=8):
    return bytes([0, 0, code, ndim]) + struct.pack(f">{len(shape)}I", *shape)


@pytest.mark.parametrize(
    "raw, match",
    [
        (header(3, (5,)) + bytes(5), "magic number"),  # labels file in wrong place
        (header(1, (5,), code=0x0D) + bytes(20), "magic number"),  # floats
        (header(1, (5,)) + bytes(4), r"truncated IDX data \(4 of 5"),
        (header(1, (5,)) + bytes(6), "unexpected data after"),
        (b"\x00\x00", "magic number"),
        (header(1, ())[:6], "truncated IDX header"),
    ],
)
def test_malformed_idx_is_rejected(tmp_path, idx_files, declare, raw, match):
    idx_files(tmp_path)
    name = "train-labels-idx1-ubyte.gz"
    content = gzip.compress(raw)
    declare(_mnist.MNIST_FILES, name, content)
    (tmp_path / "mnist" / name).write_bytes(content)
    with pytest.raises(ValueError, match=match) as info:
        fetch_mnist(data_home=tmp_path)
    assert name in str(info.value)


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("train-labels-idx1-ubyte.gz", b"plain, not gzip", "not a valid gzip"),
        ("train-labels-idx1-ubyte.gz", idx(np.zeros(4)), "holds 5 images but"),
        ("train-labels-idx1-ubyte.gz", idx(np.full(5, 10)), "label 10 is out"),
        ("train-images-idx3-ubyte.gz", idx(np.zeros((5, 28, 27))), "not 28x28"),
    ],
)
def test_inconsistent_files_are_rejected(
    tmp_path, idx_files, declare, name, content, match
):
    idx_files(tmp_path)
    declare(_mnist.MNIST_FILES, name, content)
    (tmp_path / "mnist" / name).write_bytes(content)
    with pytest.raises(ValueError, match=match):
        fetch_mnist(data_home=tmp_path)


def test_bad_subset(tmp_path):
    with pytest.raises(ValueError, match="subset must be one of"):
        fetch_mnist(subset="validation", data_home=tmp_path)
