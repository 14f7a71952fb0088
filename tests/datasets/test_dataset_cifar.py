"""fetch_cifar10 on a tiny tarball in the official "python version" layout."""

import io
import pickle
import tarfile

import numpy as np
import pytest

from skvision.datasets import _cifar, fetch_cifar10

NAMES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]
TOP = "cifar-10-batches-py"
BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def make_batches(protocol=2, bytes_keys=False):
    """{batch name: (pickle bytes, images NHWC, labels)} plus batches.meta."""
    rng = np.random.default_rng(0)
    key = (lambda k: k.encode()) if bytes_keys else (lambda k: k)
    out = {}
    for i, name in enumerate(BATCHES):
        n = 2 + i % 2
        images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, size=n)]
        rows = images.transpose(0, 3, 1, 2).reshape(n, 3072)  # the file's CHW rows
        content = {
            key("batch_label"): f"{name} of 6",
            key("labels"): labels,
            key("data"): rows,
            key("filenames"): [f"img_{i}_{k}.png" for k in range(n)],
        }
        out[name] = pickle.dumps(content, protocol=protocol), images, labels
    meta = {key("label_names"): NAMES, key("num_cases_per_batch"): 10000}
    out["batches.meta"] = pickle.dumps(meta, protocol=protocol), None, None
    return out


def write_tar(path, members, extra=()):
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        for info in extra:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.size else None)
    return path.read_bytes()


@pytest.fixture
def cifar_home(tmp_path, declare):
    """``make(**options)`` writes a tiny official-format tarball; returns batches."""

    def make(members=None, extra=(), **options):
        batches = make_batches(**options)
        if members is None:
            members = {f"{TOP}/{name}": raw for name, (raw, _, _) in batches.items()}
        (tmp_path / "cifar-10").mkdir(exist_ok=True)
        path = tmp_path / "cifar-10" / "cifar-10-python.tar.gz"
        declare(_cifar, "CIFAR10_FILE", write_tar(path, members, extra))
        return batches

    return make


@pytest.mark.parametrize(
    "subset, names",
    [("train", BATCHES[:5]), ("test", BATCHES[5:]), ("all", BATCHES)],
)
@pytest.mark.parametrize("options", [{}, {"protocol": 4, "bytes_keys": True}])
def test_fetch_cifar10(tmp_path, cifar_home, subset, names, options):
    batches = cifar_home(**options)
    images = np.concatenate([batches[name][1] for name in names])
    labels = np.concatenate([batches[name][2] for name in names])

    cifar = fetch_cifar10(subset=subset, data_home=tmp_path)
    n = len(labels)
    assert cifar.images.shape == (n, 32, 32, 3) and cifar.images.dtype == np.uint8
    assert cifar.data.shape == (n, 3072)
    assert cifar.target.dtype == np.int64
    np.testing.assert_array_equal(cifar.images, images)  # CHW rows -> HWC images
    np.testing.assert_array_equal(cifar.data, images.reshape(n, -1))
    np.testing.assert_array_equal(cifar.target, labels)
    assert list(cifar.target_names) == NAMES
    assert "Krizhevsky" in cifar.DESCR

    X, y = fetch_cifar10(subset=subset, data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(X, cifar.data)
    np.testing.assert_array_equal(y, cifar.target)


def test_channel_order(tmp_path, cifar_home):
    # A row is 1024 red values, then 1024 green, then 1024 blue.
    row = np.repeat(np.array([10, 20, 30], dtype=np.uint8), 1024)[np.newaxis]
    content = {"data": row, "labels": [3]}
    members = {
        f"{TOP}/test_batch": pickle.dumps(content),
        f"{TOP}/batches.meta": pickle.dumps({"label_names": NAMES}),
    }
    cifar_home(members=members)
    cifar = fetch_cifar10(subset="test", data_home=tmp_path)
    assert (cifar.images[0] == [10, 20, 30]).all()
    assert cifar.target_names[cifar.target[0]] == "cat"


class Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickle_cannot_run_code(tmp_path, cifar_home):
    marker = tmp_path / "pwned"
    members = {
        f"{TOP}/test_batch": pickle.dumps({"data": Exploit(str(marker))}),
        f"{TOP}/batches.meta": pickle.dumps({"label_names": NAMES}),
    }
    cifar_home(members=members)
    with pytest.raises(ValueError, match=r"global (io|builtins)\.open is not allowed"):
        fetch_cifar10(subset="test", data_home=tmp_path)
    assert not marker.exists()


def test_escaping_member_is_rejected(tmp_path, cifar_home):
    evil = tarfile.TarInfo("../evil")
    evil.size = 1
    cifar_home(extra=[evil])
    with pytest.raises(ValueError, match="outside the archive"):
        fetch_cifar10(subset="test", data_home=tmp_path)
    assert not (tmp_path / "evil").exists()


def test_link_is_not_followed(tmp_path, cifar_home):
    batches = make_batches()
    link = tarfile.TarInfo(f"{TOP}/test_batch")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    members = {f"{TOP}/batches.meta": batches["batches.meta"][0]}
    cifar_home(members=members, extra=[link])
    with pytest.raises(ValueError, match="test_batch not found"):
        fetch_cifar10(subset="test", data_home=tmp_path)


@pytest.mark.parametrize(
    "content, match",
    [
        ({"data": np.zeros((1, 3071), np.uint8), "labels": [0]}, "expected uint8"),
        ({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}, "labels do not"),
        ({"data": np.zeros((1, 3072), np.uint8), "labels": [10]}, "labels do not"),
        ({"labels": [0]}, "no 'data' entry"),
    ],
)
def test_malformed_batch(tmp_path, cifar_home, content, match):
    members = {
        f"{TOP}/test_batch": pickle.dumps(content),
        f"{TOP}/batches.meta": pickle.dumps({"label_names": NAMES}),
    }
    cifar_home(members=members)
    with pytest.raises(ValueError, match=match):
        fetch_cifar10(subset="test", data_home=tmp_path)


def test_not_a_tarball(tmp_path, declare):
    (tmp_path / "cifar-10").mkdir()
    (tmp_path / "cifar-10" / "cifar-10-python.tar.gz").write_bytes(b"junk")
    declare(_cifar, "CIFAR10_FILE", b"junk")
    with pytest.raises(ValueError, match="not a valid tar archive"):
        fetch_cifar10(data_home=tmp_path)


def test_offline_and_absent(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        fetch_cifar10(data_home=tmp_path, download_if_missing=False)
    message = str(info.value)
    assert "cifar-10-python.tar.gz" in message
    assert str(tmp_path / "cifar-10") in message
    assert "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz" in message
