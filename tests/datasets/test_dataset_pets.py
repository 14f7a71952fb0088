"""fetch_oxford_pets on tiny archives in the official layout."""

import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from skvision.datasets import _archive, _pets, fetch_oxford_pets

pytest.importorskip("PIL", reason="Pillow decodes the pets' photos")
from PIL import Image  # noqa: E402

# name, class id, species (1 cat, 2 dog), colour, (width, height), format, mode
PHOTOS = {
    "trainval": [
        ("Abyssinian_1", 1, 1, (200, 30, 30), (40, 30), "JPEG", "RGB"),
        ("american_bulldog_10", 2, 2, (30, 200, 30), (20, 50), "JPEG", "RGB"),
        ("Bengal_3", 3, 1, (128, 128, 128), (33, 33), "JPEG", "L"),
    ],
    "test": [
        ("Abyssinian_2", 1, 1, (30, 30, 200), (64, 48), "PNG", "RGBA"),
        ("american_bulldog_2", 2, 2, (250, 250, 250), (30, 30), "JPEG", "CMYK"),
    ],
}


def photo(colour, size, fmt, mode):
    image = Image.new("RGB", size, colour)
    if mode == "L":
        image = image.convert("L")
    elif mode == "RGBA":
        image = image.convert("RGBA")
    elif mode == "CMYK":
        image = image.convert("CMYK")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=95)
    return buffer.getvalue()


def tar_gz(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def annotation_lines(rows):
    # The official lists: Image CLASS-ID SPECIES BREED-ID (breed id per species).
    return "".join(f"{name} {cid} {sp} {cid}\n" for name, cid, sp, *_ in rows)


@pytest.fixture
def pets_home(tmp_path, declare):
    def make(photos=PHOTOS, lists=None, drop=(), broken=()):
        folder = tmp_path / "oxford-iiit-pet"
        folder.mkdir(exist_ok=True)
        images = {
            f"images/{name}.jpg": photo(*rest[2:])
            for rows in photos.values()
            for name, *rest in rows
            if name not in drop
        }
        for name in broken:
            images[f"images/{name}.jpg"] = b"\xff\xd8\xff\xe0 truncated JPEG"
        images["images/Unlisted_1.jpg"] = photo((0, 0, 0), (8, 8), "JPEG", "RGB")
        images["images/Abyssinian_1.mat"] = b"not an image"
        if lists is None:
            lists = {f"{k}.txt": annotation_lines(v) for k, v in photos.items()}
        annotations = {
            "annotations/list.txt": "#Image CLASS-ID SPECIES BREED ID\n",
            **{f"annotations/{k}": v for k, v in lists.items()},
            "annotations/xmls/Abyssinian_1.xml": "<annotation/>",
        }
        annotations = {k: v.encode() for k, v in annotations.items()}
        for attr, filename, members in (
            ("PETS_IMAGES", "images.tar.gz", images),
            ("PETS_ANNOTATIONS", "annotations.tar.gz", annotations),
        ):
            content = tar_gz(members)
            declare(_pets, attr, content)
            (folder / filename).write_bytes(content)

    return make


@pytest.mark.parametrize("subset", ["trainval", "test", "all"])
def test_fetch_oxford_pets(tmp_path, pets_home, subset):
    pets_home()
    parts = ["trainval", "test"] if subset == "all" else [subset]
    rows = [row for part in parts for row in PHOTOS[part]]
    pets = fetch_oxford_pets(subset=subset, image_size=(16, 24), data_home=tmp_path)
    n = len(rows)
    assert pets.images.shape == (n, 16, 24, 3) and pets.images.dtype == np.uint8
    assert pets.data.shape == (n, 16 * 24 * 3)
    np.testing.assert_array_equal(pets.data, pets.images.reshape(n, -1))
    assert list(pets.target_names) == ["Abyssinian", "American Bulldog", "Bengal"]
    np.testing.assert_array_equal(pets.target, [cid - 1 for _, cid, *_ in rows])
    assert pets.target.dtype == np.int64
    assert list(pets.species) == [{1: "cat", 2: "dog"}[sp] for _, _, sp, *_ in rows]
    assert list(pets.filenames) == [f"{name}.jpg" for name, *_ in rows]
    for image, (*_, colour, _, _, mode) in zip(pets.images, rows, strict=True):
        # Solid colours survive decoding and resizing, up to JPEG/CMYK rounding.
        expected = np.mean(colour) if mode == "L" else colour
        assert np.abs(image.astype(int) - expected).max() <= 8
    assert "Parkhi" in pets.DESCR


def test_image_size_and_return_X_y(tmp_path, pets_home):
    pets_home()
    X, y = fetch_oxford_pets(
        subset="test", image_size=10, data_home=tmp_path, return_X_y=True
    )
    assert X.shape == (2, 10 * 10 * 3)
    np.testing.assert_array_equal(y, [0, 1])


@pytest.mark.parametrize("image_size", [(0, 10), (10,), "big", (10.5, 10), -3])
def test_bad_image_size(tmp_path, image_size):
    with pytest.raises(ValueError, match="image_size must be"):
        fetch_oxford_pets(image_size=image_size, data_home=tmp_path)


def test_listed_photo_missing_from_archive(tmp_path, pets_home):
    pets_home(drop=("Bengal_3",))
    with pytest.raises(ValueError, match="1 listed photo.* not found, e.g. Bengal_3"):
        fetch_oxford_pets(data_home=tmp_path)


@pytest.mark.parametrize(
    "trainval, match",
    [
        ("Abyssinian_1 1 1\n", "line 1 is not"),
        ("Abyssinian_1 one 1 1\n", "line 1 is not"),
        ("Abyssinian_1 1 3 1\n", "line 1 is not"),
        ("Abyssinian_1 1 1 1\nBengal_3 1 1 1\n", "class 1 is both"),
        ("Abyssinian_1 1 1 1\nBengal_3 5 1 5\n", r"class ids are not 1\.\.3"),
    ],
)
def test_malformed_annotations(tmp_path, pets_home, trainval, match):
    lists = {"trainval.txt": trainval, "test.txt": annotation_lines(PHOTOS["test"])}
    pets_home(lists=lists)
    with pytest.raises(ValueError, match=match):
        fetch_oxford_pets(data_home=tmp_path)


def test_undecodable_photo(tmp_path, pets_home):
    pets_home(broken=("Bengal_3",))
    with pytest.raises(ValueError, match="cannot decode images/Bengal_3.jpg"):
        fetch_oxford_pets(data_home=tmp_path)


def test_offline_and_absent(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        fetch_oxford_pets(data_home=tmp_path)
    message = str(info.value)
    assert "images.tar.gz" in message and "annotations.tar.gz" in message
    assert str(tmp_path / "oxford-iiit-pet") in message
    assert "https://thor.robots.ox.ac.uk/~vgg/data/pets/data/images.tar.gz" in message


# --- return_paths: the listed photos extracted once, as files ----------------


def extracted_images(home):
    return home / "oxford-iiit-pet" / "extracted" / "images"


def stat_of(path):
    """What changes if ``path`` is written again."""
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


@pytest.mark.parametrize("subset", ["trainval", "test", "all"])
def test_return_paths_are_the_decoded_photos(tmp_path, pets_home, subset):
    pets_home()
    decoded = fetch_oxford_pets(subset=subset, image_size=(16, 24), data_home=tmp_path)
    files = fetch_oxford_pets(subset=subset, data_home=tmp_path, return_paths=True)
    assert set(files) == {"filenames", "target", "target_names", "species", "DESCR"}
    folder = extracted_images(tmp_path)
    assert [Path(p).name for p in files.filenames] == list(decoded.filenames)
    assert all(
        Path(p).parent == folder and Path(p).is_absolute() for p in files.filenames
    )
    for name in ("target", "target_names", "species"):
        np.testing.assert_array_equal(files[name], decoded[name])
    for path, image in zip(files.filenames, decoded.images, strict=True):
        raw = Path(path).read_bytes()
        np.testing.assert_array_equal(
            _pets._decode(raw, pil=Image, size=(16, 24)), image
        )
    # Both splits' listed photos, whatever the subset; nothing else.
    listed = {f"{name}.jpg" for rows in PHOTOS.values() for name, *_ in rows}
    assert {p.name for p in folder.iterdir()} == listed | {_archive.MARKER}


def test_return_paths_extracts_once(tmp_path, pets_home):
    pets_home()
    first = fetch_oxford_pets(subset="all", data_home=tmp_path, return_paths=True)
    marker = extracted_images(tmp_path) / _archive.MARKER
    before = stat_of(marker), stat_of(Path(first.filenames[0]))
    X, y = fetch_oxford_pets(
        subset="test", data_home=tmp_path, return_paths=True, return_X_y=True
    )
    assert (stat_of(marker), stat_of(Path(first.filenames[0]))) == before
    np.testing.assert_array_equal(X, first.filenames[-2:])
    np.testing.assert_array_equal(y, [0, 1])


def test_interrupted_extraction_is_redone(tmp_path, pets_home):
    pets_home()
    extracted = tmp_path / "oxford-iiit-pet" / "extracted"
    for leftover in (".images.abc123.part", "images"):  # neither has the marker
        (extracted / leftover).mkdir(parents=True)
        (extracted / leftover / "Bengal_3.jpg").write_bytes(b"half a JPEG")
    files = fetch_oxford_pets(subset="all", data_home=tmp_path, return_paths=True)
    assert (extracted_images(tmp_path) / _archive.MARKER).is_file()
    for path in files.filenames:
        with Image.open(path) as image:
            image.load()


def test_return_paths_with_a_photo_missing(tmp_path, pets_home):
    pets_home(drop=("Bengal_3",))
    with pytest.raises(ValueError, match="1 listed photo.* not found, e.g. Bengal_3"):
        fetch_oxford_pets(subset="test", data_home=tmp_path, return_paths=True)
    # Bengal_3 is in trainval: the extraction serves every subset, so it fails.
    assert list((tmp_path / "oxford-iiit-pet" / "extracted").iterdir()) == []


def test_return_paths_of_a_read_only_folder_go_to_the_user_folder(
    tmp_path, pets_home, monkeypatch
):
    pets_home()
    offline = tmp_path / "oxford-iiit-pet"
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    offline.chmod(0o555)  # root may still write there: skvision must not
    try:
        files = fetch_oxford_pets(data_home=tmp_path, return_paths=True)
    finally:
        offline.chmod(0o755)
    assert sorted(p.name for p in offline.iterdir()) == [
        "annotations.tar.gz",
        "images.tar.gz",
    ]
    folder = extracted_images(tmp_path / "me" / "skvision_data")
    assert [Path(p).parent for p in files.filenames] == [folder] * 3
    assert all(Path(p).is_file() for p in files.filenames)
