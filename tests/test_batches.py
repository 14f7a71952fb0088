"""Data fed to Keras batch by batch (skvision/_batches.py): image file paths as X."""

import os
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, cross_validate, train_test_split
from sklearn.pipeline import make_pipeline

from skvision import ConvAutoencoder, ConvNetClassifier, DenseNetClassifier
from skvision._batches import ImagePaths, decoder, path_batches, row_batches
from skvision._keras import keras
from skvision.datasets import load_image_folder

pytest.importorskip("PIL", reason="the tests write their images with Pillow")
from PIL import Image  # noqa: E402

SHAPE = (12, 12, 3)

# Files are decoded and predicted batch_size at a time, arrays in one batch:
# TensorFlow may run other kernels and summation orders for each batch size
# (other CPUs, oneDNN on or off), so their float32 outputs agree to rounding,
# not to the bit. A logit sums ~10^3 float32 products (eps 1.2e-7): differing
# orders move it by up to ~1e-5 (2e-5 seen on an AVX2 CPU), and a softmax
# probability by that much relatively. A wrong pixel or scale moves them by
# 1e-3 or more.
SAME_PROBABILITIES = dict(rtol=1e-4, atol=1e-6)
# Features and codes are not normalized: near-zero ones differ by ~1e-6 of
# their neighbours' magnitude (~1), not of their own.
SAME_FEATURES = dict(rtol=1e-4, atol=1e-5)


def write_images(root, n_per_class=12, seed=0):
    """Three classes of PNG and JPEG files of mixed sizes, RGB and grayscale.

    Each class has its own mean brightness, so a small net can learn them.
    """
    rng = np.random.default_rng(seed)
    for label, level in enumerate((40, 128, 215)):
        folder = root / f"class_{label}"
        folder.mkdir(parents=True)
        for k in range(n_per_class):
            size = tuple(rng.integers(9, 20, 2))
            pixels = np.clip(rng.normal(level, 25, (*size, 3)), 0, 255)
            image = Image.fromarray(pixels.astype(np.uint8))
            if k % 3 == 0:
                image = image.convert("L")
            image.save(folder / f"{k}.{'jpg' if k % 2 else 'png'}")
    return root


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    root = write_images(tmp_path_factory.mktemp("images"))
    return load_image_folder(root, image_size=SHAPE[:2], load_images=True)


def small_net(**params):
    defaults = dict(
        conv_blocks=((4,),),
        dense_layer_sizes=(),
        image_shape=SHAPE,
        batch_size=8,
        max_iter=3,
        learning_rate="constant",
        learning_rate_init=0.01,
        random_state=0,
    )
    return ConvNetClassifier(**{**defaults, **params})


def test_paths_and_decoded_arrays_give_the_same_predictions(images):
    paths, y = images.filenames, images.target
    on_paths = small_net().fit(paths, y)
    np.testing.assert_allclose(
        on_paths.predict_proba(paths),
        on_paths.predict_proba(images.images),
        **SAME_PROBABILITIES,
    )
    on_arrays = small_net().fit(images.images, y)
    np.testing.assert_allclose(
        on_arrays.predict_proba(images.images),
        on_arrays.predict_proba(paths),
        **SAME_PROBABILITIES,
    )
    np.testing.assert_allclose(
        on_paths.extract_features(paths),
        on_paths.extract_features(images.images),
        **SAME_FEATURES,
    )
    assert on_paths.n_features_in_ == np.prod(SHAPE)
    assert on_paths.input_shape_ == SHAPE
    assert on_paths.pixel_scale_ == pytest.approx(1 / 255)


def test_paths_train_a_network_that_learns(images):
    paths, y = images.filenames, images.target
    net = small_net(
        batch_normalization=False,
        max_iter=15,
        early_stopping=True,
        validation_fraction=0.25,
    )
    assert net.fit(paths, y).score(paths, y) > 0.9
    assert "val_loss" in net.history_  # the hold-out was decoded too


def test_a_seeded_fit_on_paths_is_reproducible(images):
    paths, y = images.filenames, images.target
    first = small_net(early_stopping=True).fit(paths, y).predict_proba(paths)
    again = small_net(early_stopping=True).fit(paths, y).predict_proba(paths)
    np.testing.assert_array_equal(first, again)


def test_dense_nets_path_objects_weights_and_partial_fit(images):
    paths = [Path(p) for p in images.filenames]  # os.PathLike
    y = images.target
    net = DenseNetClassifier(
        hidden_layer_sizes=(8,), image_shape=SHAPE, max_iter=2, random_state=0
    )
    weights = np.where(y == 0, 0.0, 1.0)  # zero weights drop those files
    net.fit(paths, y, sample_weight=weights, validation_data=(paths, y))
    net.partial_fit(paths, y)
    assert net.n_iter_ == 3 and net.predict(paths).shape == (len(paths),)


def test_scikit_learn_tools_take_path_arrays(images):
    paths, y = images.filenames, images.target
    scores = cross_validate(small_net(max_iter=1), paths, y, cv=2)
    assert scores["test_score"].shape == (2,)
    search = GridSearchCV(small_net(max_iter=1), {"width": [0.5, 1.0]}, cv=2)
    assert search.fit(paths, y).best_params_["width"] in (0.5, 1.0)
    train, test, y_train, y_test = train_test_split(paths, y, random_state=0)
    pipeline = make_pipeline(small_net(max_iter=1)).fit(train, y_train)
    assert pipeline.predict(test).shape == y_test.shape


def test_files_are_decoded_a_few_batches_ahead_never_all_at_once(images):
    tf = pytest.importorskip("tensorflow")
    decoded = []
    decode = decoder(SHAPE)

    def counting(path):
        tf.py_function(lambda: decoded.append(1) or 0, [], tf.int64)
        return decode(path)

    many = np.concatenate([images.filenames] * 40)  # 1,440 files, 180 batches
    paths = ImagePaths(many, SHAPE)
    batches = iter(path_batches(paths, batch_size=8, shuffle=True, decode=counting))
    for _ in range(3):
        assert next(batches)[0].shape == (8, np.prod(SHAPE))
    # The pipeline fills its buffers in the background: count once it stops.
    settled, deadline = -1, time.monotonic() + 10
    while len(decoded) != settled and time.monotonic() < deadline:
        settled = len(decoded)
        time.sleep(0.5)
    # 3 batches taken, 2 prefetched, and the parallel decoding's calls in
    # flight, one per core. Decoding them all at once, or a buffer of them
    # all, reads 1,440.
    assert len(decoded) <= len(many) // 8


def test_bad_paths_get_clear_errors(images, tmp_path):
    paths, y = images.filenames, images.target
    with pytest.raises(ValueError, match="set ConvNetClassifier's image_shape"):
        small_net(image_shape=None).fit(paths, y)
    with pytest.raises(ValueError, match="1 paths that are not files.*missing.png"):
        small_net().fit([*paths[:-1], str(tmp_path / "missing.png")], y)
    with pytest.raises(ValueError, match="1 or 3 channels"):
        small_net(image_shape=(12, 12, 2)).fit(paths, y)
    flat = DenseNetClassifier(hidden_layer_sizes=(4,), max_iter=1).fit(
        images.images.reshape(len(y), -1) / 255, y
    )
    with pytest.raises(ValueError, match="fitted on flat samples of 432 features"):
        flat.predict(paths)


def test_a_saved_network_fitted_on_paths_reads_decoded_images(images, tmp_path):
    net = small_net(max_iter=1).fit(images.filenames, images.target)
    net.model_.save(tmp_path / "net.keras")
    loaded = keras.saving.load_model(tmp_path / "net.keras")
    flat = images.images.reshape(len(images.images), -1)  # uint8, as decoded
    np.testing.assert_allclose(  # batches of 32 arrays vs 8 files
        loaded.predict(flat, verbose=0),
        net.predict_proba(images.filenames),
        **SAME_PROBABILITIES,
    )


@pytest.fixture(scope="module")
def omniglot_folder(tmp_path_factory):
    """The characters of one Omniglot small1 alphabet, extracted to a folder."""
    home = os.environ.get("SKVISION_DATA")
    if not home:
        pytest.skip("SKVISION_DATA is not set; point it at the real datasets")
    archive = Path(home) / "omniglot" / "images_background_small1.zip"
    if not archive.is_file():
        pytest.skip(f"{archive.name} not in {archive.parent}")
    root = tmp_path_factory.mktemp("omniglot")
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            parts = info.filename.split("/")  # small1/alphabet/character/x.png
            if len(parts) == 4 and parts[1] == "Korean" and parts[3].endswith(".png"):
                target = root.joinpath(*parts[2:])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zipped.read(info))
    return root


def test_omniglot_files_and_their_decoded_arrays_predict_alike(omniglot_folder):
    data = load_image_folder(
        omniglot_folder, image_size=(28, 28), color_mode="grayscale", load_images=True
    )
    assert data.images.shape[1:] == (28, 28, 1) and len(data.target_names) > 10
    net = small_net(image_shape=(28, 28, 1), max_iter=2)
    net.fit(data.filenames, data.target)
    np.testing.assert_allclose(
        net.predict_proba(data.filenames),
        net.predict_proba(data.images),
        **SAME_PROBABILITIES,
    )


def test_a_conv_autoencoder_reads_files_like_their_decoded_arrays(images):
    paths, decoded = images.filenames, images.images
    autoencoder = ConvAutoencoder(
        latent_dim=4, filters=(4,), image_shape=SHAPE, max_iter=2, random_state=0
    )
    autoencoder.fit(paths, sample_weight=np.ones(len(paths)))
    np.testing.assert_allclose(
        autoencoder.transform(paths), autoencoder.transform(decoded), **SAME_FEATURES
    )
    np.testing.assert_allclose(  # per-sample mean squared errors, all > 0
        autoencoder.score_samples(paths), autoencoder.score_samples(decoded), rtol=1e-4
    )
    assert autoencoder.inverse_transform(autoencoder.transform(paths)).shape == (
        len(paths),
        *SHAPE,
    )
    # Trained on the files' pixels, scaled as for uint8 arrays: the loss fell.
    assert autoencoder.history_["loss"][-1] < autoencoder.history_["loss"][0]


def test_pipelines_are_not_autotuned(images):
    # Deleting an autotuned iterator waits for its tuning thread to wake up:
    # Keras' fit returned seconds after its last epoch.
    X = np.zeros((10, 4), np.float32)
    pipelines = [
        row_batches((X, None, None), np.arange(10), 4, seed=0),
        path_batches(ImagePaths(images.filenames, SHAPE), batch_size=8),
    ]
    for dataset in pipelines:
        assert dataset.options().autotune.enabled is False
