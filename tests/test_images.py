"""decode_image and read_images, the one place skvision decodes image files."""

import os
import re
import shutil
import struct
import sys
import zlib

import numpy as np
import pytest

from skvision._images import decode_image, header_size, read_images

pytest.importorskip("PIL", reason="the tests write their images with Pillow")
from PIL import Image  # noqa: E402

RNG = np.random.default_rng(0)


@pytest.fixture
def files(tmp_path):
    """One image in each format and size, colour, palette, alpha and grey."""
    images = {
        "a.jpg": (RNG.integers(0, 256, (9, 4, 3), dtype=np.uint8), None),
        "b.png": (RNG.integers(0, 256, (5, 7, 4), dtype=np.uint8), None),
        "c.bmp": (RNG.integers(0, 256, (6, 6, 3), dtype=np.uint8), None),
        "d.gif": (RNG.integers(0, 256, (8, 3, 3), dtype=np.uint8), "P"),
        "e.png": (RNG.integers(0, 256, (7, 5), dtype=np.uint8), None),
    }
    for name, (pixels, mode) in images.items():
        image = Image.fromarray(pixels)
        (image.convert(mode) if mode else image).save(tmp_path / name)
    return [str(tmp_path / name) for name in images]


def test_decode_image_runs_in_a_tf_data_pipeline(files):
    import tensorflow as tf

    options = dict(image_size=(8, 6), channels=1, crop_to_aspect_ratio=True)
    dataset = tf.data.Dataset.from_tensor_slices(files).map(
        lambda path: decode_image(path, **options), num_parallel_calls=2
    )
    assert dataset.element_spec.shape == (8, 6, 1)
    for filename, image in zip(files, dataset, strict=True):
        eager = decode_image(filename, **options)
        np.testing.assert_array_equal(image.numpy(), eager.numpy())


def test_read_images_reports_the_files_it_cannot_decode(files, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    filenames = [files[0], str(broken), files[1]]
    images, errors = read_images(filenames, image_size=(4, 4))
    assert images.shape == (3, 4, 4, 3) and list(errors) == [1]
    assert "[[" not in errors[1] and "{{" not in errors[1]  # no graph details
    assert not images[1].any()
    for k in (0, 2):
        expected = decode_image(filenames[k], image_size=(4, 4)).numpy()
        np.testing.assert_array_equal(images[k], expected)
    _, errors = read_images(filenames[1:], image_size=(4, 4), stop_on_error=True)
    assert list(errors) == [0]


def test_header_size_reads_every_format(files, tmp_path):
    with_exif = tmp_path / "exif.jpg"  # an APP1 segment before the frame
    exif = Image.Exif()
    exif[0x010F] = "camera" * 1000
    Image.fromarray(np.zeros((5, 3, 3), np.uint8)).save(with_exif, exif=exif)
    for path in [*files, str(with_exif)]:
        assert header_size(path) == Image.open(path).size[::-1], path
    (tmp_path / "text.png").write_text("no image")
    assert header_size(tmp_path / "text.png") is None


# -- files that cannot be decoded are named, wherever they are decoded ----------
SHAPE = (8, 8, 3)


def _save_pngs(folder, n_per_class=6):
    paths, target = [], []
    for label, level in enumerate((50, 200)):
        for k in range(n_per_class):
            path = folder / f"{label}_{k}.png"
            pixels = np.clip(RNG.normal(level, 20, (10, 10, 3)), 0, 255)
            Image.fromarray(pixels.astype(np.uint8)).save(path)
            paths.append(str(path))
            target.append(label)
    return paths, np.array(target)


def _bad_files(folder, good):
    """Files named .png that do not decode, as photo folders hold them."""
    truncated, text, emptied = (folder / f"{n}.png" for n in ("cut", "html", "empty"))
    whole = open(good, "rb").read()
    truncated.write_bytes(whole[: len(whole) // 2])  # a download cut short
    text.write_text("<html><body>404 Not Found</body></html>")  # a page saved
    emptied.write_bytes(b"")  # a file being replaced
    return [str(truncated), str(text), str(emptied)]


@pytest.fixture(scope="module")
def good_files(tmp_path_factory):
    return _save_pngs(tmp_path_factory.mktemp("good"))


@pytest.fixture
def with_bad_files(good_files, tmp_path):
    """The good files with the bad ones at indices 2, 5 and 9, and the
    message that names the three."""
    paths, y = good_files
    bad = _bad_files(tmp_path, paths[0])
    X = [*paths[:2], bad[0], *paths[2:4], bad[1], *paths[4:7], bad[2], *paths[7:]]
    message = "Cannot decode 3 image files of X: " + "; ".join(
        _named(path, index)
        for path, index, reason in zip(
            bad,
            (2, 5, 9),
            ("Invalid PNG data.*", "Unknown image file format.*", "Input is empty"),
            strict=True,
        )
    )
    return X, np.insert(y, [2, 4, 7], 0), message


def _named(bad, index, name="X", reason=".+?"):
    """How an error names file ``bad``, ``name[index]``, and why it failed."""
    return rf"{name}\[{index}\] {re.escape(repr(str(bad)))} \({reason}\)"


def _net(**params):
    from skvision import ConvNetClassifier

    settings = dict(image_shape=SHAPE, max_iter=1, batch_size=16, random_state=0)
    return ConvNetClassifier(
        conv_blocks=((4,),), dense_layer_sizes=(), **{**settings, **params}
    )


@pytest.fixture(scope="module")
def fitted(good_files):
    from skvision import BackboneFeatures, ConvAutoencoder
    from skvision._testing import tiny_backbone

    paths, y = good_files
    return {
        "classifier": _net().fit(paths, y),
        "autoencoder": ConvAutoencoder(
            latent_dim=2, filters=(4,), image_shape=SHAPE, max_iter=1, batch_size=16
        ).fit(paths),
        "features": BackboneFeatures(
            tiny_backbone, image_shape=SHAPE, batch_size=16, dtype="float64"
        ).fit(paths),
    }


INFERENCE = {
    "predict": lambda fitted, X, y: fitted["classifier"].predict(X),
    "predict_proba": lambda fitted, X, y: fitted["classifier"].predict_proba(X),
    "score": lambda fitted, X, y: fitted["classifier"].score(X, y),
    "autoencoder transform": lambda fitted, X, y: fitted["autoencoder"].transform(X),
    "autoencoder score": lambda fitted, X, y: fitted["autoencoder"].score(X),
    "BackboneFeatures transform": lambda fitted, X, y: fitted["features"].transform(X),
}


@pytest.mark.parametrize("method", INFERENCE)
def test_inference_names_the_files_it_cannot_decode(fitted, with_bad_files, method):
    X, y, message = with_bad_files
    with pytest.raises(ValueError, match=message):
        INFERENCE[method](fitted, X, y)


@pytest.mark.parametrize(
    "entry", ["fit", "partial_fit", "hold-out", "autoencoder fit", "cross_validate"]
)
def test_training_names_the_files_it_cannot_decode(with_bad_files, entry):
    from sklearn.model_selection import cross_validate

    from skvision import ConvAutoencoder

    X, y, message = with_bad_files
    if entry == "cross_validate":  # indices in the fold's training set
        with pytest.raises(ValueError, match=r"Cannot decode .*html\.png"):
            cross_validate(_net(), X, y, cv=2, error_score="raise")
        return
    with pytest.raises(ValueError, match=message):
        if entry == "fit":
            _net().fit(X, y)
        elif entry == "partial_fit":
            _net().partial_fit(X, y, classes=[0, 1])
        elif entry == "hold-out":
            _net(early_stopping=True, validation_fraction=0.5).fit(X, y)
        else:
            ConvAutoencoder(latent_dim=2, filters=(4,), image_shape=SHAPE).fit(X)


def test_validation_data_names_its_bad_file(good_files, with_bad_files):
    X_val, y_val, _ = with_bad_files
    with pytest.raises(ValueError, match="of X_val: " + _named(X_val[2], 2, "X_val")):
        _net().fit(*good_files, validation_data=(X_val, y_val))


def test_a_file_emptied_after_fit_is_named_by_predict(good_files, tmp_path):
    paths = []
    for k, path in enumerate(good_files[0]):
        paths.append(str(tmp_path / f"{k}.png"))
        shutil.copy(path, paths[-1])
    net = _net(batch_size=4).fit(paths, good_files[1])
    open(paths[7], "wb").close()  # replaced while a long search runs
    message = "Cannot decode " + _named(paths[7], 7, reason="Input is empty")
    with pytest.raises(ValueError, match=message):
        net.predict(paths)  # in the second batch of 4
    with pytest.raises(ValueError, match=_named(paths[7], 1)):
        net.score(paths[6:], good_files[1][6:])


@pytest.mark.skipif(sys.platform != "linux", reason="names are bytes on Linux only")
def test_names_that_are_not_utf8_are_listed_trained_on_and_predicted(tmp_path):
    from skvision.datasets import load_image_folder

    root = os.fsencode(tmp_path)
    for label in (b"caf\xe9", b"th\xe9"):  # Latin-1, as old cameras wrote them
        os.mkdir(os.path.join(root, label))
        for k in range(4):
            pixels = RNG.integers(0, 256, (9, 9, 3), dtype=np.uint8)
            with open(os.path.join(root, label, b"\xe9t\xe9%d.png" % k), "wb") as file:
                Image.fromarray(pixels).save(file, format="PNG")
    listed = load_image_folder(tmp_path)
    assert len(listed.filenames) == 8
    decoded = load_image_folder(tmp_path, image_size=SHAPE[:2], load_images=True)
    net = _net().fit(listed.filenames, listed.target)
    np.testing.assert_array_equal(
        net.predict_proba(listed.filenames), net.predict_proba(decoded.images)
    )
    as_bytes = [os.fsencode(name) for name in listed.filenames]
    np.testing.assert_array_equal(net.predict(as_bytes), net.predict(decoded.images))
    open(as_bytes[3], "wb").close()
    with pytest.raises(ValueError, match=_named(listed.filenames[3], 3)):
        net.predict(listed.filenames)


def write_png(path, height, width):
    """An RGB PNG of ``height x width`` pixels that takes a few KiB on disk."""
    row = np.tile(np.arange(width, dtype=np.uint8)[:, None], (1, 3)).tobytes()
    compressor = zlib.compressobj(9)
    data = compressor.compress(b"\x00" + row)
    data += compressor.compress((b"\x02" + bytes(len(row))) * (height - 1))
    data += compressor.flush()

    def chunk(kind, content):
        crc = zlib.crc32(kind + content)
        return struct.pack(">I", len(content)) + kind + content + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    path.write_bytes(signature + chunks)
    return str(path)


def _peak_rss_above_now(work):
    """Bytes of resident memory ``work()`` added at its peak (Linux)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # the peak (VmHWM) is reset to the current size

    def status(field):
        with open("/proc/self/status") as lines:
            line = next(line for line in lines if line.startswith(field))
            return int(line.split()[1]) * 1024

    before = status("VmRSS:")
    work()
    return status("VmHWM:") - before


@pytest.mark.skipif(
    not os.path.exists("/proc/self/clear_refs"), reason="measures Linux's VmHWM"
)
@pytest.mark.parametrize("channels", [3, 1])
def test_decoding_memory_is_the_decoded_pixels_whatever_the_color_mode(
    tmp_path, channels
):
    side = 4000
    path = write_png(tmp_path / "scan.png", side, side)  # 46 MiB of RGB pixels
    decoded = side * side * 3
    small = write_png(tmp_path / "small.png", 30, 40)
    read_images([small], image_size=(8, 8), channels=channels)  # TensorFlow ready
    errors = []
    extra = _peak_rss_above_now(
        lambda: errors.append(
            read_images([path], image_size=(8, 8), channels=channels)[1]
        )
    )
    assert errors == [{}]
    # Converting the full image through int32 before resizing cost 8x this.
    assert extra < 1.5 * decoded


def _bomb(kind, tmp_path):
    """A file whose header announces 20000 x 15000 pixels (858 MiB of RGB)."""
    width, height = 20000, 15000
    if kind == "png":
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        ihdr = struct.pack(">I", 13) + b"IHDR" + header
        content = b"\x89PNG\r\n\x1a\n" + ihdr + struct.pack(">I", zlib.crc32(ihdr[4:]))
    elif kind == "bmp":  # a negative height: rows stored top-down
        content = b"BM" + bytes(16) + struct.pack("<ii", width, -height) + bytes(28)
    elif kind == "gif":  # 65535 x 65535, GIF's largest
        width = height = 65535
        content = b"GIF89a" + struct.pack("<HH", width, height) + bytes(8)
    else:  # a real JPEG whose start-of-frame says 15000 x 20000
        small = tmp_path / "small.jpg"
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(small)
        content = bytearray(small.read_bytes())
        frame = content.index(b"\xff\xc0")
        content[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    path = tmp_path / f"bomb.{kind}"
    path.write_bytes(bytes(content))
    return str(path), f"{width}x{height}"


@pytest.mark.parametrize("kind", ["png", "jpeg", "gif", "bmp"])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    tmp_path, good_files, kind
):
    path, size = _bomb(kind, tmp_path)
    reason = (
        f"{size} pixels, more than skvision decodes: MAX_IMAGE_PIXELS=178_956_970, "
        "a guard against decompression bombs, as Pillow's"
    )
    _, errors = read_images([path], image_size=(8, 8))
    assert errors == {0: reason}
    X, y = [*good_files[0], path], [*good_files[1], 0]
    with pytest.raises(ValueError, match=_named(path, 12, reason=re.escape(reason))):
        _net().fit(X, y)  # when the paths are checked, before any training
