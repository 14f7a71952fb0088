"""fetch_omniglot on tiny zips in the official layout, and unsafe ones; its
``return_paths`` also on the real small1 zip when ``SKVISION_DATA`` holds it."""

import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from skvision.datasets import _archive, _omniglot, fetch_omniglot

pytest.importorskip("PIL", reason="Pillow decodes Omniglot's PNGs")
from PIL import Image  # noqa: E402

TOP = "images_background_small1"
# alphabet, character folder, drawings
LAYOUT = [
    ("Alpha", "character01", 2),
    ("Alpha", "character02", 2),
    ("Beta_(b)", "character01", 3),
]


def png(seed, size=(105, 105)):
    """A 1-bit PNG like Omniglot's: True (white) background, a few dark pixels."""
    pixels = np.ones(size[::-1], dtype=bool)
    pixels[seed % 100, : seed % 50 + 1] = False
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert("1").save(buffer, format="PNG")
    return buffer.getvalue(), np.where(pixels, 255, 0).astype(np.uint8)


def omniglot_zip(extra=()):
    """Zip bytes and the expected images in loading order."""
    buffer, expected, seed = io.BytesIO(), [], 0
    with zipfile.ZipFile(buffer, "w") as zf:
        folders = {f"{TOP}/"} | {f"{TOP}/{a}/" for a, _, _ in LAYOUT}
        folders |= {f"{TOP}/{a}/{c}/" for a, c, _ in LAYOUT}
        for folder in sorted(folders):
            zf.writestr(folder, b"")
        # Written in reverse to check that loading sorts.
        for alphabet, character, count in reversed(LAYOUT):
            for k in range(count, 0, -1):
                seed += 1
                raw, pixels = png(seed)
                zf.writestr(f"{TOP}/{alphabet}/{character}/0001_{k:02d}.png", raw)
                expected.append(((alphabet, character, k), pixels))
        zf.writestr(f"__MACOSX/{TOP}/Alpha/character01/._0001_01.png", b"junk")
        zf.writestr(f"{TOP}/Alpha/.DS_Store", b"junk")
        for name, content in extra:
            zf.writestr(name, content)
    expected.sort(key=lambda item: item[0])
    return buffer.getvalue(), np.stack([pixels for _, pixels in expected])


@pytest.fixture
def omniglot_home(tmp_path, declare):
    def make(subset="background_small1", extra=()):
        content, images = omniglot_zip(extra)
        (tmp_path / "omniglot").mkdir(exist_ok=True)
        spec = declare(_omniglot.OMNIGLOT_FILES, subset, content)
        (tmp_path / "omniglot" / spec.filename).write_bytes(content)
        return images

    return make


def test_fetch_omniglot(tmp_path, omniglot_home):
    images = omniglot_home()
    omniglot = fetch_omniglot(subset="background_small1", data_home=tmp_path)
    n = len(images)
    assert omniglot.images.shape == (n, 105, 105)
    assert omniglot.images.dtype == np.uint8
    assert omniglot.data.shape == (n, 105 * 105)
    np.testing.assert_array_equal(omniglot.images, images)
    assert set(np.unique(omniglot.images)) == {0, 255}
    assert list(omniglot.target_names) == [
        "Alpha/character01",
        "Alpha/character02",
        "Beta_(b)/character01",
    ]
    np.testing.assert_array_equal(omniglot.target, [0, 0, 1, 1, 2, 2, 2])
    assert omniglot.target.dtype == np.int64
    assert list(omniglot.alphabet) == ["Alpha"] * 4 + ["Beta_(b)"] * 3
    np.testing.assert_array_equal(omniglot.character, [1, 1, 2, 2, 1, 1, 1])
    assert "Lake" in omniglot.DESCR


def test_as_rgb_and_return_X_y(tmp_path, omniglot_home):
    images = omniglot_home(subset="evaluation")
    X, y = fetch_omniglot(
        subset="evaluation", data_home=tmp_path, return_X_y=True, as_gray=False
    )
    assert X.shape == (len(images), 105 * 105 * 3)
    rgb = X.reshape(-1, 105, 105, 3)
    for channel in range(3):
        np.testing.assert_array_equal(rgb[..., channel], images)
    assert y.shape == (len(images),)


@pytest.mark.parametrize(
    "name",
    [
        "../evil.png",
        f"{TOP}/../../evil.png",
        f"{TOP}/Alpha/character01/../../../../evil.png",
        "/tmp/evil.png",
        "C:/evil.png",
        "..\\evil.png",
    ],
)
def test_escaping_entries_are_rejected(tmp_path, omniglot_home, name):
    omniglot_home(extra=[(name, png(0)[0])])
    with pytest.raises(ValueError, match="outside the archive"):
        fetch_omniglot(subset="background_small1", data_home=tmp_path)
    assert not (tmp_path / "evil.png").exists()


@pytest.mark.parametrize(
    "name, content, match",
    [
        (f"{TOP}/Alpha/character03/x.png", png(0, size=(105, 104))[0], "105x105"),
        (f"{TOP}/Alpha/character03/x.png", b"not a png", "not a 105x105 image"),
        (f"{TOP}/Alpha/glyph/x.png", png(0)[0], "not in a characterNN folder"),
    ],
)
def test_bad_images_are_rejected(tmp_path, omniglot_home, name, content, match):
    omniglot_home(extra=[(name, content)])
    with pytest.raises(ValueError, match=match):
        fetch_omniglot(subset="background_small1", data_home=tmp_path)


def test_missing_subset_names_the_available_ones(tmp_path, omniglot_home):
    omniglot_home()
    with pytest.raises(FileNotFoundError) as info:
        fetch_omniglot(subset="background", data_home=tmp_path)
    message = str(info.value)
    assert "images_background.zip" in message
    assert "https://github.com/brendenlake/omniglot/raw/master/python/" in message
    assert "available in" in message and "'background_small1'" in message


def test_bad_subset(tmp_path):
    with pytest.raises(ValueError, match="subset must be one of"):
        fetch_omniglot(subset="small1", data_home=tmp_path)


# --- return_paths: the PNGs extracted once, as files -------------------------


def marker_of(folder):
    return folder / _archive.MARKER


def stat_of(path):
    """What changes if ``path`` is written again."""
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


@pytest.fixture
def small1_home(tmp_path):
    """A tmp data folder whose ``omniglot/`` links the real small1 zip, so that
    extraction goes to tmp and never to the (read-only) real data folder."""
    real = os.environ.get("SKVISION_DATA")
    if not real:
        pytest.skip("SKVISION_DATA is not set; point it at the real datasets")
    zip_path = Path(real) / "omniglot" / f"{TOP}.zip"
    if not zip_path.is_file():
        pytest.skip(f"{zip_path.name} not in {zip_path.parent}")
    (tmp_path / "omniglot").mkdir()
    (tmp_path / "omniglot" / zip_path.name).symlink_to(zip_path)
    listing = sorted(os.listdir(zip_path.parent))
    yield tmp_path
    assert sorted(os.listdir(zip_path.parent)) == listing


def fetch_small1(home, **options):
    return fetch_omniglot(
        subset="background_small1",
        data_home=home,
        download_if_missing=False,
        **options,
    )


def test_return_paths_are_the_decoded_images(small1_home):
    decoded = fetch_small1(small1_home)
    files = fetch_small1(small1_home, return_paths=True)
    assert set(files) == {
        "filenames",
        "target",
        "target_names",
        "alphabet",
        "character",
        "DESCR",
    }
    folder = small1_home / "omniglot" / "extracted" / TOP
    assert files.filenames.shape == (len(decoded.images),) == (2720,)
    for name in ("target", "target_names", "alphabet", "character"):
        np.testing.assert_array_equal(files[name], decoded[name])
    for path, image in zip(files.filenames, decoded.images, strict=True):
        assert os.path.isabs(path) and Path(path).parent.parent.parent == folder
        with Image.open(path) as png_file:
            np.testing.assert_array_equal(np.asarray(png_file.convert("L")), image)
    X, y = fetch_small1(small1_home, return_paths=True, return_X_y=True)
    np.testing.assert_array_equal(X, files.filenames)
    np.testing.assert_array_equal(y, decoded.target)


def test_return_paths_extracts_once(small1_home):
    first = fetch_small1(small1_home, return_paths=True)
    marker = marker_of(small1_home / "omniglot" / "extracted" / TOP)
    before = stat_of(marker), stat_of(Path(first.filenames[0]))
    second = fetch_small1(small1_home, return_paths=True)
    assert (stat_of(marker), stat_of(Path(first.filenames[0]))) == before
    np.testing.assert_array_equal(second.filenames, first.filenames)


@pytest.mark.parametrize("leftover", [f".{TOP}.abc123.part", TOP])
def test_interrupted_extraction_is_redone(small1_home, leftover):
    # What a killed extraction leaves: a temporary folder, or (from a copy or a
    # filesystem without atomic renames) the folder itself, without the marker.
    extracted = small1_home / "omniglot" / "extracted"
    partial = extracted / leftover / "Balinese" / "character01"
    partial.mkdir(parents=True)
    (partial / "0108_01.png").write_bytes(b"half a PNG")
    files = fetch_small1(small1_home, return_paths=True)
    assert marker_of(extracted / TOP).is_file()
    assert all(os.path.isfile(path) for path in files.filenames)
    with Image.open(files.filenames[0]) as png_file:
        assert png_file.size == (105, 105)
    assert len(list((extracted / TOP).rglob("*.png"))) == 2720


def test_interrupt_during_extraction_leaves_nothing(
    tmp_path, omniglot_home, monkeypatch
):
    images = omniglot_home()
    reads = []

    def read_then_interrupt(self, member, *args):
        reads.append(member)
        if len(reads) == 3:
            raise KeyboardInterrupt
        return original_read(self, member, *args)

    original_read = zipfile.ZipFile.read
    monkeypatch.setattr(zipfile.ZipFile, "read", read_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        fetch_omniglot(
            subset="background_small1", data_home=tmp_path, return_paths=True
        )
    assert list((tmp_path / "omniglot" / "extracted").iterdir()) == []
    monkeypatch.setattr(zipfile.ZipFile, "read", original_read)
    files = fetch_omniglot(
        subset="background_small1", data_home=tmp_path, return_paths=True
    )
    assert len(files.filenames) == len(images)


def test_return_paths_of_a_read_only_folder_go_to_the_user_folder(
    tmp_path, omniglot_home, monkeypatch
):
    images = omniglot_home()
    offline = tmp_path / "omniglot"
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    offline.chmod(0o555)  # root may still write there: skvision must not
    try:
        files = fetch_omniglot(
            subset="background_small1", data_home=tmp_path, return_paths=True
        )
    finally:
        offline.chmod(0o755)
    assert [p.name for p in offline.iterdir()] == [f"{TOP}.zip"]
    folder = tmp_path / "me" / "skvision_data" / "omniglot" / "extracted" / TOP
    assert marker_of(folder).is_file()
    assert len(files.filenames) == len(images)
    assert all(path.startswith(f"{folder}{os.sep}") for path in files.filenames)
    for path, image in zip(files.filenames, images, strict=True):
        with Image.open(path) as png_file:
            np.testing.assert_array_equal(np.asarray(png_file.convert("L")), image)


def test_another_archive_is_extracted_again(tmp_path, omniglot_home):
    omniglot_home()
    first = fetch_omniglot(
        subset="background_small1", data_home=tmp_path, return_paths=True
    )
    extra = [(f"{TOP}/Gamma/character01/0002_01.png", png(7)[0])]
    omniglot_home(extra=extra)  # same name, other checksum
    second = fetch_omniglot(
        subset="background_small1", data_home=tmp_path, return_paths=True
    )
    assert len(second.filenames) == len(first.filenames) + 1
    assert all(os.path.isfile(path) for path in second.filenames)
    assert list(second.target_names)[-1] == "Gamma/character01"


def test_return_paths_needs_no_extraction_of_unsafe_zips(tmp_path, omniglot_home):
    omniglot_home(extra=[("../evil.png", png(0)[0])])
    with pytest.raises(ValueError, match="outside the archive"):
        fetch_omniglot(
            subset="background_small1", data_home=tmp_path, return_paths=True
        )
    assert not (tmp_path / "omniglot" / "extracted").exists()
    assert not (tmp_path / "evil.png").exists()
