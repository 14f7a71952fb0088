"""The shared machinery: data folder, verification, downloads, error messages."""

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skvision.datasets import _base, get_data_home
from skvision.datasets._base import RemoteFile, fetch_files

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
    fake_web.serve(URL, b"tampered" + CONTENT)
    fake_web.serve(MIRROR, b"also wrong")
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
