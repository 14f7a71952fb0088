"""The shared machinery: data folder, verification, downloads, error messages,
and what a loader returns."""

import gzip
import hashlib
import itertools
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from skvision.datasets import _base, get_data_home
from skvision.datasets._base import RemoteFile, fetch_files, load_descr, make_bunch

CONTENT = b"skvision test file\n" * 1000
URL = "https://example.org/data/file.bin"
MIRROR = "https://mirror.example.org/file.bin"


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def spec(content=CONTENT, **kwargs):
    kwargs.setdefault("sha256", sha256(content))
    return RemoteFile("file.bin", (URL, MIRROR), size=len(content), **kwargs)


def listing(tmp_path):
    """Every file under tmp_path, hidden ones included."""
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))


# --- data home -----------------------------------------------------------------


def test_data_home_argument_wins_over_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SKVISION_DATA", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == str(tmp_path / "arg")
    assert get_data_home() == str(tmp_path / "env")


def test_data_home_default_and_expansion(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SKVISION_DATA", "")  # empty counts as unset
    assert get_data_home() == str(tmp_path / "skvision_data")
    assert get_data_home("~/x") == str(tmp_path / "x")
    assert not (tmp_path / "skvision_data").exists()  # nothing created


# --- files already present -----------------------------------------------------


def test_present_file_is_verified_and_used_without_network(tmp_path, fake_web):
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "file.bin").write_bytes(CONTENT)
    for kwargs in ({}, {"sha256": None, "md5": hashlib.md5(CONTENT).hexdigest()}):
        (path,) = fetch_files("ds", [spec(**kwargs)], data_home=tmp_path)
        assert path == str(tmp_path / "ds" / "file.bin")
    assert fake_web.requests == []


def test_corrupted_file_is_reported_and_left_alone(tmp_path, fake_web):
    (tmp_path / "ds").mkdir()
    target = tmp_path / "ds" / "file.bin"
    target.write_bytes(b"not the file")
    fake_web.serve(URL, CONTENT)
    with pytest.raises(OSError, match="corrupted") as info:
        fetch_files("ds", [spec()], data_home=tmp_path)
    message = str(info.value)
    assert str(target) in message
    assert sha256(CONTENT) in message  # expected
    assert sha256(b"not the file") in message  # actual
    assert target.read_bytes() == b"not the file"  # never overwritten
    assert fake_web.requests == []


def test_recompressed_gzip_is_accepted_by_its_content(tmp_path):
    official = gzip.compress(CONTENT, mtime=0)
    recompressed = gzip.compress(CONTENT, compresslevel=1, mtime=123456)
    assert official != recompressed
    gz = spec(official, gunzip_sha256=sha256(CONTENT))
    (tmp_path / "ds").mkdir()
    path = tmp_path / "ds" / "file.bin"
    path.write_bytes(recompressed)
    fetch_files("ds", [gz], data_home=tmp_path)
    path.write_bytes(gzip.compress(CONTENT + b"!"))
    with pytest.raises(OSError, match="decompressed content"):
        fetch_files("ds", [gz], data_home=tmp_path)
    damaged = bytearray(recompressed)
    damaged[len(damaged) // 2] ^= 0xFF
    for bad in (b"not gzip at all", recompressed[:40], bytes(damaged)):
        path.write_bytes(bad)
        with pytest.raises(OSError, match="corrupted"):
            fetch_files("ds", [gz], data_home=tmp_path)


def test_file_without_published_checksum_is_accepted(tmp_path):
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "file.bin").write_bytes(b"anything")
    fetch_files("ds", [spec(sha256=None)], data_home=tmp_path)


# --- downloads -----------------------------------------------------------------


def test_download_writes_the_verified_file_and_nothing_else(tmp_path, fake_web):
    fake_web.serve(URL, CONTENT)
    (path,) = fetch_files("ds", [spec()], data_home=tmp_path / "home")
    assert Path(path).read_bytes() == CONTENT
    assert listing(tmp_path / "home") == ["ds", "ds/file.bin"]
    assert os.stat(path).st_mode & 0o777 == 0o644  # readable by others
    fake_web.pages.clear()  # offline now: the cached file is enough
    fetch_files("ds", [spec()], data_home=tmp_path / "home")
    assert fake_web.requests == [URL]


def test_download_falls_back_to_a_mirror(tmp_path, fake_web):
    fake_web.serve(MIRROR, CONTENT)
    (path,) = fetch_files("ds", [spec()], data_home=tmp_path)
    assert Path(path).read_bytes() == CONTENT
    assert fake_web.requests == [URL, MIRROR]


def test_bad_checksum_download_leaves_no_file(tmp_path, fake_web):
    # Of the right size, so that only the checksum tells them apart.
    fake_web.serve(URL, b"tampered" + CONTENT[8:])
    fake_web.serve(MIRROR, CONTENT[:-10] + b"also wrong")
    with pytest.raises(FileNotFoundError, match="checksum mismatch"):
        fetch_files("ds", [spec()], data_home=tmp_path)
    assert listing(tmp_path) == ["ds"]
    assert fake_web.requests == [URL, MIRROR]


@pytest.mark.parametrize(
    "error", [ConnectionResetError("reset by peer"), TimeoutError("timed out")]
)
def test_interrupted_download_leaves_no_partial_file(tmp_path, fake_web, error):
    fake_web.serve(URL, CONTENT, fail_after=5000, error=error)
    with pytest.raises(FileNotFoundError, match="file.bin"):
        fetch_files("ds", [spec()], data_home=tmp_path)
    assert listing(tmp_path) == ["ds"]


def test_keyboard_interrupt_leaves_no_partial_file(tmp_path, fake_web):
    fake_web.serve(URL, CONTENT, fail_after=5000, error=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        fetch_files("ds", [spec()], data_home=tmp_path)
    assert listing(tmp_path) == ["ds"]


def test_truncated_download_is_rejected_even_without_checksum(tmp_path, fake_web):
    fake_web.serve(URL, CONTENT[:100], length=len(CONTENT))
    with pytest.raises(FileNotFoundError, match="connection closed after 100"):
        fetch_files("ds", [spec(sha256=None)], data_home=tmp_path)
    assert listing(tmp_path) == ["ds"]


def test_offline_error_says_which_files_to_put_where(tmp_path, fake_web):
    other = RemoteFile("other.bin", ("https://example.org/other.bin",), size=10)
    with pytest.raises(FileNotFoundError) as info:
        fetch_files("ds", [spec(), other], data_home=tmp_path)
    message = str(info.value)
    for text in ("file.bin", "other.bin", URL, MIRROR, "https://example.org/other.bin"):
        assert text in message
    assert str(tmp_path / "ds") in message
    assert "SKVISION_DATA" in message and "data_home" in message
    assert "Temporary failure in name resolution" in message  # the cause
    assert listing(tmp_path) == ["ds"]


def test_download_if_missing_false_never_downloads(tmp_path, fake_web, monkeypatch):
    fake_web.serve(URL, CONTENT)
    monkeypatch.setenv("SKVISION_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="download_if_missing=False") as info:
        fetch_files("ds", [spec()], download_if_missing=False)
    assert "SKVISION_DATA environment variable" in str(info.value)
    assert fake_web.requests == []
    assert listing(tmp_path) == []


def test_unwritable_data_home_is_reported(tmp_path, fake_web):
    fake_web.serve(URL, CONTENT)
    blocker = tmp_path / "a_file"
    blocker.write_bytes(b"")  # a folder cannot be created below a file
    with pytest.raises(FileNotFoundError, match="not writable"):
        fetch_files("ds", [spec()], data_home=blocker)
    assert fake_web.requests == []


def test_download_is_quiet_unless_verbose(tmp_path, fake_web, capsys):
    fake_web.serve(URL, CONTENT)
    fetch_files("ds", [spec()], data_home=tmp_path / "quiet")
    assert capsys.readouterr() == ("", "")
    fetch_files("ds", [spec()], data_home=tmp_path / "loud", verbose=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "file.bin" in captured.err


def test_progress_bar_on_a_terminal(tmp_path, fake_web, capsys, monkeypatch):
    fake_web.serve(URL, CONTENT)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    fetch_files("ds", [spec()], data_home=tmp_path, verbose=True)
    err = capsys.readouterr().err
    assert err.startswith("\rfile.bin: ") and "100%" in err and err.endswith("\n")


def test_file_that_appears_during_download_is_kept(tmp_path, fake_web, monkeypatch):
    target = tmp_path / "ds" / "file.bin"
    fake_web.serve(URL, CONTENT)

    def urlopen(request, timeout=None):
        # Another process (or the user) finishes first; its file must stay.
        target.write_bytes(CONTENT)
        os.utime(target, (1, 1))
        return fake_web.urlopen(request, timeout)

    monkeypatch.setattr(_base, "urlopen", urlopen)
    fetch_files("ds", [spec()], data_home=tmp_path)
    assert target.stat().st_mtime == 1
    assert listing(tmp_path) == ["ds", "ds/file.bin"]


def test_check_subset():
    _base.check_subset("train", ("train", "test"))
    with pytest.raises(ValueError, match="subset must be one of 'train', 'test'"):
        _base.check_subset("validation", ("train", "test"))


# --- what a loader returns ------------------------------------------------------


def test_load_descr_reads_every_description():
    folder = Path(_base.__file__).parent / "descr"
    names = sorted(path.stem for path in folder.glob("*.rst"))
    assert names == ["cifar10", "fashion_mnist", "mnist", "omniglot", "oxford_pets"]
    for name in names:
        text = load_descr(name)
        assert text == (folder / f"{name}.rst").read_text(encoding="utf-8")
        title, underline = text.splitlines()[:2]
        assert underline == "-" * len(title)


def test_make_bunch_concatenates_parts_into_contiguous_images():
    rng = np.random.default_rng(0)
    channels_first = rng.integers(0, 256, size=(5, 3, 4, 4), dtype=np.uint8)
    parts = [
        channels_first[:2].transpose(0, 2, 3, 1),
        channels_first[2:].transpose(0, 2, 3, 1),
    ]
    labels = [np.array([0, 1], dtype=np.uint8), np.array([1, 1, 0], dtype=np.uint8)]
    bunch = make_bunch(images=parts, target=labels, target_names=["a", "b"], descr="d")
    assert list(bunch) == ["data", "images", "target", "target_names", "DESCR"]
    assert bunch.images.flags.c_contiguous
    np.testing.assert_array_equal(bunch.images, channels_first.transpose(0, 2, 3, 1))
    assert np.shares_memory(bunch.data, bunch.images)
    assert bunch.data.shape == (5, 48)
    assert bunch.target.dtype == np.int64
    np.testing.assert_array_equal(bunch.target, [0, 1, 1, 1, 0])


def test_make_bunch_X_is_data_or_filenames():
    images = np.zeros((2, 3, 3), dtype=np.uint8)
    filenames = np.array(["a.png", "b.png"])
    target = np.array([0, 1])
    X, y = make_bunch(
        images=images, target=target, target_names=["a", "b"], descr="", return_X_y=True
    )
    assert X.shape == (2, 9) and y.dtype == np.int64
    X, _ = make_bunch(
        filenames=filenames,
        target=target,
        target_names=["a", "b"],
        descr="",
        return_X_y=True,
    )
    assert X is filenames
    bunch = make_bunch(
        images=images,
        flatten=False,
        filenames=filenames,
        target=target,
        target_names=["a", "b"],
        species=np.array(["cat", "dog"]),
        descr="text",
    )
    assert list(bunch) == [
        "images",
        "filenames",
        "target",
        "target_names",
        "species",
        "DESCR",
    ]
    assert bunch.DESCR == "text"


# --- downloads over a real connection (loopback) --------------------------------

SAFEGUARD = 64 << 20  # an "endless" body stops here, so a regression cannot hang
SLACK = 8 << 20  # what socket buffers may still accept once the client hangs up


class Sender:
    """A loopback response: status 200, ``headers``, then the ``body`` chunks.

    ``sent`` counts the body bytes the connection accepted; ``finished`` is set
    once the handler is done, the client having read all or hung up.
    """

    def __init__(self, body, headers=()):
        self.body, self.headers = body, headers
        self.sent, self.finished = 0, threading.Event()

    def __call__(self, handler):
        try:
            handler.send_response(200)
            for name, value in self.headers:
                handler.send_header(name, value)
            handler.end_headers()
            for chunk in self.body:
                handler.wfile.write(chunk)
                self.sent += len(chunk)
        except OSError:
            pass  # the client hung up
        finally:
            self.finished.set()


def endless():
    return itertools.repeat(bytes(1 << 16), SAFEGUARD >> 16)


def remote(*urls, **kwargs):
    kwargs.setdefault("sha256", sha256(CONTENT))
    kwargs.setdefault("size", len(CONTENT))
    return RemoteFile("file.bin", urls, **kwargs)


def assert_stopped_early(sender):
    assert sender.finished.wait(30), "the server is still sending"
    assert sender.sent <= len(CONTENT) + SLACK


@pytest.mark.parametrize(
    "checksum", [sha256(CONTENT), None], ids=["sha256", "no-checksum"]
)
def test_endless_body_is_cut_off_at_the_known_size(tmp_path, loopback, checksum):
    # No Content-Length and no end: only the spec's size can stop it.
    sender = Sender(endless())
    url = loopback(sender)
    with pytest.raises(FileNotFoundError) as info:
        fetch_files("ds", [remote(url, sha256=checksum)], data_home=tmp_path)
    message = str(info.value)
    assert f"body exceeded the expected {len(CONTENT):,} bytes" in message
    assert "file.bin" in message and url in message
    assert str(tmp_path / "ds") in message
    assert listing(tmp_path) == ["ds"]  # the .part file is gone
    assert_stopped_early(sender)


@pytest.mark.parametrize(
    "length", [SAFEGUARD, len(CONTENT) - 1], ids=["larger", "smaller"]
)
def test_content_length_other_than_the_known_size_is_rejected_unread(
    tmp_path, loopback, length
):
    body = endless() if length == SAFEGUARD else [CONTENT[:length]]
    sender = Sender(body, headers=[("Content-Length", str(length))])
    url = loopback(sender)
    # Without a checksum, only the size tells this body is not the file.
    with pytest.raises(FileNotFoundError) as info:
        fetch_files("ds", [remote(url, sha256=None)], data_home=tmp_path)
    message = str(info.value)
    assert f"announces a body of {length:,} bytes (Content-Length)" in message
    assert f"expected {len(CONTENT):,} bytes" in message
    assert listing(tmp_path) == ["ds"]
    assert_stopped_early(sender)


def test_short_body_without_content_length_is_rejected(tmp_path, loopback):
    url = loopback(Sender([CONTENT[:-100]]))
    with pytest.raises(FileNotFoundError) as info:
        fetch_files("ds", [remote(url, sha256=None)], data_home=tmp_path)
    expected = f"closed after {len(CONTENT) - 100:,} of the expected {len(CONTENT):,}"
    assert expected in str(info.value)
    assert listing(tmp_path) == ["ds"]


@pytest.mark.parametrize(
    "response",
    [
        b"garbage\r\n\r\n",  # not HTTP at all
        # A chunked body cut off in its first chunk.
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
    ],
    ids=["not-http", "cut-off-chunk"],
)
def test_malformed_response_is_an_error_and_the_mirror_is_tried(
    tmp_path, loopback, response
):
    bad = loopback(lambda handler: handler.wfile.write(response))
    with pytest.raises(FileNotFoundError, match="malformed HTTP response"):
        fetch_files("ds", [remote(bad)], data_home=tmp_path)
    assert listing(tmp_path) == ["ds"]
    good = loopback(Sender([CONTENT]))
    (path,) = fetch_files("ds", [remote(bad, good)], data_home=tmp_path)
    assert Path(path).read_bytes() == CONTENT


@pytest.mark.parametrize(
    "length", [None, len(CONTENT)], ids=["no-length", "content-length"]
)
def test_body_of_the_known_size_is_accepted(tmp_path, loopback, length):
    headers = [("Content-Length", str(length))] if length else []
    url = loopback(Sender([CONTENT[:5000], CONTENT[5000:]], headers=headers))
    (path,) = fetch_files("ds", [remote(url)], data_home=tmp_path)
    assert Path(path).read_bytes() == CONTENT
    assert listing(tmp_path) == ["ds", "ds/file.bin"]


def test_body_of_unknown_size_is_read_to_its_end(tmp_path, loopback):
    content = bytes(range(256)) * (3 << 12)  # 3 MiB, more than one read
    url = loopback(Sender([content]))
    unsized = remote(url, sha256=sha256(content), size=None)
    (path,) = fetch_files("ds", [unsized], data_home=tmp_path)
    assert Path(path).read_bytes() == content


# --- importing -----------------------------------------------------------------


def run_python(code):
    env = {**os.environ, "PYTHONPATH": str(Path(_base.__file__).parents[2])}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )


def test_datasets_import_quietly_without_keras():
    # Loaded on its own, so that the check covers this subpackage and not what
    # the top-level skvision package imports (tests/test_import.py checks that
    # `import skvision, skvision.datasets` prints nothing).
    folder = Path(_base.__file__).parent
    code = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "skvision_datasets_alone", {str(folder / "__init__.py")!r},
    submodule_search_locations=[{str(folder)!r}])
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
assert all(callable(getattr(module, name)) for name in module.__all__)
heavy = {{"keras", "tensorflow", "PIL"}}
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
assert not loaded, loaded
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")


def test_missing_pillow_is_explained(monkeypatch):
    from skvision.datasets._archive import import_pillow

    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="fetch_omniglot needs Pillow"):
        import_pillow("fetch_omniglot")
