import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from skvision import ConvNetClassifier, ConvNetRegressor


@pytest.fixture(scope="module")
def ink():
    """Digit images and how much ink each holds (standardized): a number read
    from the pixels."""
    X, _ = load_digits(return_X_y=True)
    images = (X * 16).clip(0, 255).astype(np.uint8).reshape(-1, 8, 8)
    ink = images.mean(axis=(1, 2))
    return images, (ink - ink.mean()) / ink.std()


TRAINING = dict(
    conv_blocks=((8,),),
    dense_layer_sizes=(16,),
    batch_size=32,
    max_iter=15,
    early_stopping=False,
    learning_rate="constant",
    learning_rate_init=0.01,
    random_state=0,
)


def test_learns_a_number_from_uint8_images(ink):
    images, target = ink
    reg = ConvNetRegressor(**TRAINING).fit(images[:1200], target[:1200])
    assert reg.image_shape_ == (8, 8, 1)
    assert reg.score(images[1200:], target[1200:]) > 0.7


def test_presets_are_the_classifiers(ink):
    for preset in ("reference", "mnist", "pets"):
        reg = getattr(ConvNetRegressor, preset)()
        clf = getattr(ConvNetClassifier, preset)()
        assert isinstance(reg, ConvNetRegressor)
        # The classifier's own parameters (class weights, averaging
        # probabilities over augmented copies) are all a regressor lacks.
        only_classifiers = {"class_weight", "test_time_augmentation"}
        assert reg.get_params() == {
            k: v for k, v in clf.get_params().items() if k not in only_classifiers
        }


def test_file_paths_as_X(tmp_path, ink):
    images, target = ink
    paths = []
    for i, image in enumerate(images[:100]):
        paths.append(str(tmp_path / f"{i}.png"))
        Image.fromarray(image).save(paths[-1])
    training = {**TRAINING, "max_iter": 2}
    reg = ConvNetRegressor(image_shape=(8, 8), **training).fit(paths, target[:100])
    # Decoded files and arrays hold the same pixels, read by two input
    # pipelines (tf.data and NumPy): equal up to float32 rounding.
    np.testing.assert_allclose(
        reg.predict(paths[:10]), reg.predict(images[:10]), rtol=1e-5, atol=1e-6
    )
