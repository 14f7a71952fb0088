"""load_image_folder on folders written here with Pillow, and on Omniglot's PNGs."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from skvision.datasets import load_image_folder

pytest.importorskip("PIL", reason="the tests write their images with Pillow")
from PIL import Image  # noqa: E402

RNG = np.random.default_rng(0)


def save(path, pixels, mode=None, **options):
    """Write ``pixels`` (uint8 array) to ``path`` (folders created), with Pillow."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(pixels)
    (image.convert(mode) if mode else image).save(path, **options)
    return path


def noise(height, width, channels=3):
    shape = (height, width) if channels == 1 else (height, width, channels)
    return RNG.integers(0, 256, shape, dtype=np.uint8)


@pytest.fixture
def folder(tmp_path):
    """Two classes of images in every format and size, and files to ignore."""
    root = tmp_path / "images"
    save(root / "cat" / "b.png", noise(5, 7))
    save(root / "cat" / "a.JPG", noise(9, 4))
    save(root / "cat" / "indoor" / "c.bmp", noise(6, 6))
    save(root / "dog" / "d.gif", noise(8, 3), mode="P")
    save(root / "dog" / "e.png", noise(4, 4, channels=4))
    save(root / "dog" / "f.png", noise(7, 5, channels=1))
    (root / "dog" / "notes.txt").write_text("not an image")
    (root / "dog" / ".DS_Store").write_bytes(b"junk")
    (root / "dog" / "._e.png").write_bytes(b"a macOS resource fork")
    save(root / ".hidden" / "x.png", noise(3, 3))
    save(root / "stray.png", noise(3, 3))
    return root


EXPECTED = ["cat/a.JPG", "cat/b.png", "cat/indoor/c.bmp", "dog/d.gif", "dog/e.png"]
EXPECTED.append("dog/f.png")


def relative(data, root):
    return [Path(f).relative_to(root).as_posix() for f in data.filenames]


def test_lists_the_images_of_each_class_folder(folder):
    data = load_image_folder(folder)
    assert data.target_names == ["cat", "dog"]
    assert relative(data, folder) == EXPECTED
    assert all(os.path.isabs(f) for f in data.filenames)
    assert data.filenames.dtype.kind == "U" and data.filenames.shape == (6,)
    np.testing.assert_array_equal(data.target, [0, 0, 0, 1, 1, 1])
    assert data.target.dtype == np.int64
    assert "images" not in data
    assert str(folder) in data.DESCR and "6 images in 2 classes" in data.DESCR


def test_relative_path_and_extensions(folder, monkeypatch):
    monkeypatch.chdir(folder.parent)
    data = load_image_folder("images", extensions=("PNG", ".jpg"))
    assert relative(data, folder) == [
        "cat/a.JPG",
        "cat/b.png",
        "dog/e.png",
        "dog/f.png",
    ]


def test_class_names_set_the_order_and_the_classes(folder):
    save(folder / "bird" / "g.png", noise(3, 3))
    data = load_image_folder(folder, class_names=["dog", "cat"])
    assert data.target_names == ["dog", "cat"]
    assert relative(data, folder) == EXPECTED[3:] + EXPECTED[:3]
    np.testing.assert_array_equal(data.target, [0, 0, 0, 1, 1, 1])
    with pytest.raises(ValueError, match=r"\['cow', 'fox'\] are not sub-folders"):
        load_image_folder(folder, class_names=["cat", "cow", "fox"])


def test_an_empty_class_folder_is_kept_with_a_warning(folder):
    (folder / "ant" / "empty").mkdir(parents=True)
    (folder / "ant" / "readme.txt").write_text("no images here")
    with pytest.warns(UserWarning, match="without image files .*: ant"):
        data = load_image_folder(folder)
    assert data.target_names == ["ant", "cat", "dog"]
    np.testing.assert_array_equal(data.target, [1, 1, 1, 2, 2, 2])


def constant_images(root, values):
    """One constant 4x5 image per value, in 3 classes; the value names the file."""
    for value in values:
        save(
            root / f"c{value % 3}" / f"{value:03d}.png",
            np.full((4, 5), value, np.uint8),
        )


def test_shuffle_is_reproducible_and_keeps_the_arrays_aligned(tmp_path):
    constant_images(tmp_path, range(30))
    options = dict(shuffle=True, image_size=(4, 5), load_images=True)
    data = load_image_folder(tmp_path, random_state=0, **options)
    again = load_image_folder(tmp_path, random_state=0, **options)
    other = load_image_folder(tmp_path, random_state=1, **options)
    np.testing.assert_array_equal(data.filenames, again.filenames)
    np.testing.assert_array_equal(data.images, again.images)
    assert list(data.filenames) != list(other.filenames)
    assert list(data.filenames) != sorted(data.filenames, key=os.path.dirname)
    values = [int(Path(f).stem) for f in data.filenames]
    np.testing.assert_array_equal(data.images[:, 0, 0, 0], values)
    np.testing.assert_array_equal(data.target, np.array(values) % 3)
    assert all(
        Path(f).parent.name == f"c{v % 3}"
        for f, v in zip(data.filenames, values, strict=True)
    )


def formats(root):
    """Files of one size (6x7) in every format and mode, with Pillow's own
    decoding of each."""
    rgb = noise(6, 7)
    files = [
        save(root / "png" / "rgb.png", rgb),
        save(root / "png" / "gray.png", rgb, mode="L"),
        save(root / "png" / "rgba.png", noise(6, 7, channels=4)),
        save(root / "png" / "palette.png", rgb, mode="P"),
        save(root / "png" / "gray_alpha.png", rgb, mode="LA"),
        save(root / "png" / "bilevel.png", rgb, mode="1"),
        save(root / "bmp" / "rgb.bmp", rgb),
        save(root / "bmp" / "gray.bmp", rgb, mode="L"),
        save(root / "gif" / "rgb.gif", rgb, mode="P"),
        save(root / "jpeg" / "rgb.jpg", rgb),
        save(root / "jpeg" / "gray.jpeg", rgb, mode="L"),
        save(root / "jpeg" / "444.jpg", rgb, quality=95, subsampling=0),
    ]
    return {f.relative_to(root).as_posix(): Image.open(f) for f in files}


@pytest.mark.parametrize("color_mode, mode", [("rgb", "RGB"), ("grayscale", "L")])
def test_decoded_pixels_equal_pillows(tmp_path, color_mode, mode):
    pillow = formats(tmp_path)
    data = load_image_folder(
        tmp_path, image_size=(6, 7), color_mode=color_mode, load_images=True
    )
    assert data.images.dtype == np.uint8
    assert data.images.shape == (len(pillow), 6, 7, 3 if mode == "RGB" else 1)
    assert sorted(relative(data, tmp_path)) == sorted(pillow)
    for name, image in zip(relative(data, tmp_path), data.images, strict=True):
        expected = np.asarray(pillow[name].convert(mode)).reshape(image.shape)
        np.testing.assert_array_equal(image, expected, err_msg=name)


def test_16_bit_png_is_scaled_to_8_bits(tmp_path):
    # Pillow's convert("L") of a 16-bit image clips it to 255 instead.
    gray = noise(6, 7, channels=1)
    save(tmp_path / "a" / "gray16.png", gray.astype(np.uint16) * 257)
    data = load_image_folder(
        tmp_path, image_size=(6, 7), color_mode="grayscale", load_images=True
    )
    np.testing.assert_array_equal(data.images[0, ..., 0], gray)


@pytest.mark.parametrize("color_mode, channels", [("rgb", 3), ("grayscale", 1)])
def test_images_of_mixed_sizes_are_resized(folder, color_mode, channels):
    data = load_image_folder(
        folder, image_size=(8, 6), color_mode=color_mode, load_images=True
    )
    assert data.images.shape == (6, 8, 6, channels) and data.images.dtype == np.uint8
    assert "8x6 pixels, " + color_mode in data.DESCR


def test_crop_to_aspect_ratio_keeps_the_centre(tmp_path):
    pixels = np.zeros((4, 12), np.uint8)
    pixels[:, 4:8] = 200  # a centred square between black bands
    save(tmp_path / "a" / "wide.png", pixels)
    options = dict(image_size=(2, 2), color_mode="grayscale", load_images=True)
    cropped = load_image_folder(tmp_path, crop_to_aspect_ratio=True, **options)
    stretched = load_image_folder(tmp_path, **options)
    np.testing.assert_array_equal(cropped.images, np.full((1, 2, 2, 1), 200))
    assert stretched.images.min() == 0


@pytest.mark.parametrize("crop_to_aspect_ratio", [False, True])
def test_resizing_matches_keras_image_dataset_from_directory(
    folder, crop_to_aspect_ratio
):
    from skvision._keras import keras

    (folder / "dog" / "._e.png").unlink()  # Keras would try to decode it
    options = dict(image_size=(5, 9), crop_to_aspect_ratio=crop_to_aspect_ratio)
    data = load_image_folder(folder, load_images=True, **options)
    dataset = keras.utils.image_dataset_from_directory(
        folder, shuffle=False, batch_size=None, verbose=False, **options
    )
    by_file = {
        path: np.round(image.numpy())
        for path, (image, _) in zip(dataset.file_paths, dataset, strict=True)
    }
    for filename, image in zip(data.filenames, data.images, strict=True):
        # Keras decodes JPEG with libjpeg's fast IDCT, skvision the accurate one.
        atol = 4 if filename.endswith(".JPG") else 0
        np.testing.assert_allclose(image, by_file[filename], atol=atol, rtol=0)


def corrupt_files(root):
    constant_images(root, range(6))
    (root / "c0" / "noise.png").write_bytes(RNG.bytes(300))
    whole = (root / "c1" / "001.png").read_bytes()
    (root / "c1" / "truncated.png").write_bytes(whole[: len(whole) // 2])
    jpeg = save(root / "c2" / "whole.jpg", noise(32, 32)).read_bytes()
    (root / "c2" / "truncated.jpg").write_bytes(jpeg[:-2])  # no end-of-image marker
    return ["c0/noise.png", "c1/truncated.png", "c2/truncated.jpg"]


def test_a_corrupt_file_raises_naming_it(tmp_path):
    corrupt_files(tmp_path)
    listed = load_image_folder(tmp_path)  # nothing is decoded
    assert len(listed.filenames) == 10
    with pytest.raises(ValueError, match=r"noise\.png: Unknown image file format"):
        load_image_folder(tmp_path, image_size=(4, 5), load_images=True)


def test_corrupt_files_are_skipped_with_one_warning(tmp_path):
    corrupt = corrupt_files(tmp_path)
    with pytest.warns(UserWarning, match="Skipped 3 image files") as record:
        data = load_image_folder(
            tmp_path, image_size=(4, 5), load_images=True, on_error="warn"
        )
    assert len(record) == 1
    message = str(record[0].message)
    assert all(name in message for name in corrupt)
    assert "Invalid PNG" in message and "Invalid JPEG data" in message
    assert not set(relative(data, tmp_path)) & set(corrupt)
    assert len(data.filenames) == len(data.target) == len(data.images) == 7
    stems = [Path(f).stem for f in data.filenames]
    assert stems == ["000", "003", "001", "004", "002", "005", "whole"]
    np.testing.assert_array_equal(data.target, [0, 0, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(data.images[:6, 0, 0, 0], [0, 3, 1, 4, 2, 5])
    assert "7 images in 3 classes" in data.DESCR


@pytest.mark.parametrize(
    "make, options, error, match",
    [
        (lambda root: root / "missing", {}, ValueError, "does not exist"),
        (
            lambda root: save(root / "x.png", noise(2, 2)),
            {},
            ValueError,
            "not a folder",
        ),
        (lambda root: root, {}, ValueError, "has no class sub-folders"),
        (lambda root: 3, {}, TypeError, "path must be a str"),
        (
            lambda root: (root / "a").mkdir() or (root / "a" / "x.txt").touch() or root,
            {},
            ValueError,
            r"no image files with extensions \.jpg, \.jpeg, \.png, \.bmp, \.gif",
        ),
    ],
)
def test_bad_folders(tmp_path, make, options, error, match):
    save(tmp_path / "stray.png", noise(2, 2))
    with pytest.raises(error, match=match):
        load_image_folder(make(tmp_path), **options)


@pytest.mark.parametrize(
    "options, error, match",
    [
        ({"color_mode": "rgba"}, ValueError, "color_mode must be one of 'grayscale'"),
        ({"on_error": "ignore"}, ValueError, "on_error must be one of 'raise', 'warn'"),
        ({"load_images": True}, ValueError, "load_images=True needs an image_size"),
        ({"image_size": 32}, ValueError, "image_size must be a pair"),
        ({"image_size": (32, 0)}, ValueError, "pair of positive ints"),
        ({"image_size": (32.0, 32)}, ValueError, "pair of positive ints"),
        ({"class_names": "cat"}, TypeError, "class_names must be a list of str"),
        ({"class_names": ["cat", "cat"]}, ValueError, "distinct names"),
        ({"class_names": []}, ValueError, "distinct names"),
        ({"class_names": 3}, TypeError, "class_names must be a list of str"),
        ({"extensions": [".png", 3]}, TypeError, "extensions must be"),
        ({"extensions": 3}, TypeError, "extensions must be"),
    ],
)
def test_bad_parameters(folder, options, error, match):
    with pytest.raises(error, match=match):
        load_image_folder(folder, **options)


def test_importing_the_loader_does_not_import_tensorflow():
    code = "import sys, skvision.datasets; assert 'tensorflow' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_real_omniglot_alphabets(tmp_path):
    home = os.environ.get("SKVISION_DATA")
    if not home:
        pytest.skip("SKVISION_DATA is not set; point it at the real datasets")
    archive = Path(home) / "omniglot" / "images_background_small1.zip"
    if not archive.is_file():
        pytest.skip(f"{archive.name} not in {archive.parent}")
    from skvision.datasets import fetch_omniglot

    alphabets = ["Balinese", "Korean"]
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts = info.filename.split("/")
            if len(parts) == 4 and parts[1] in alphabets and parts[3].endswith(".png"):
                target = tmp_path.joinpath(*parts[1:])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
    data = load_image_folder(
        tmp_path, image_size=(105, 105), color_mode="grayscale", load_images=True
    )
    assert data.target_names == alphabets
    characters = {Path(f).parent for f in data.filenames}
    assert len(data.filenames) == 20 * len(characters)
    for label, alphabet in enumerate(alphabets):
        in_alphabet = {c for c in characters if c.parent.name == alphabet}
        assert np.sum(data.target == label) == 20 * len(in_alphabet)

    omniglot = fetch_omniglot(subset="background_small1", download_if_missing=False)
    chosen = np.isin(omniglot.alphabet, alphabets)
    assert chosen.sum() == len(data.filenames)
    np.testing.assert_array_equal(data.images[..., 0], omniglot.images[chosen])
