"""fetch_omniglot on tiny zips in the official layout, and unsafe ones."""

import io
import zipfile

import numpy as np
import pytest

from skvision.datasets import _omniglot, fetch_omniglot

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
