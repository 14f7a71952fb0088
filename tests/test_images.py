"""decode_image and read_images, the one place skvision decodes image files."""

import numpy as np
import pytest

from skvision._images import decode_image, read_images

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
