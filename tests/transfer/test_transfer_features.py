"""BackboneFeatures: pipelines, output containers, file paths, offline weights."""

import functools
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skvision import BackboneFeatures, ConvNetClassifier
from skvision._testing import tiny_backbone

tiny32 = functools.partial(tiny_backbone, dtype="float32")


@pytest.fixture(scope="module")
def digits_uint8():
    X, y = load_digits(return_X_y=True)
    return (X.reshape(-1, 8, 8) * 255 / 16).astype(np.uint8), y


def test_features_of_a_trained_net_feed_a_linear_model(digits_uint8):
    X, y = digits_uint8
    net = ConvNetClassifier(
        conv_blocks=((16,),), dense_layer_sizes=(32,), max_iter=8, random_state=0
    ).fit(X[:900], y[:900])
    model = make_pipeline(
        BackboneFeatures(FrozenEstimator(net)), LogisticRegression(max_iter=1000)
    )
    model.fit(X[900:1300], y[900:1300])
    assert model.score(X[1300:], y[1300:]) > 0.8
    features = model[0].transform(X[:3])
    # Two Keras models of the same layers (BackboneFeatures builds its own)
    # may run other kernels: float32 features (~1) differ by ~1e-6.
    np.testing.assert_allclose(
        features, net.extract_features(X[:3]), rtol=1e-4, atol=1e-5
    )


def test_feature_names_and_pandas_output(digits_uint8):
    pd = pytest.importorskip("pandas")
    X, _ = digits_uint8
    features = BackboneFeatures(tiny32, pooling="avg").set_output(transform="pandas")
    frame = features.fit_transform(X[:10])
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [f"backbonefeatures{i}" for i in range(8)]


def test_image_files_give_the_features_of_their_arrays(digits_uint8, tmp_path):
    import PIL.Image

    X, _ = digits_uint8
    paths = []
    for i, image in enumerate(X[:12]):
        paths.append(tmp_path / f"{i}.png")
        PIL.Image.fromarray(image).save(paths[-1])
    from_files = BackboneFeatures(tiny32, image_shape=(8, 8, 1), random_state=0)
    from_arrays = BackboneFeatures(tiny32, random_state=0)
    # Files go through in batches, arrays in one: other kernels and summation
    # orders may run for each batch size, float32 features (~1) differ by
    # ~1e-6. A wrong pixel or scale would move them by far more.
    np.testing.assert_allclose(
        from_files.fit(paths).transform(paths),
        from_arrays.fit(X[:12]).transform(X[:12]),
        rtol=1e-4,
        atol=1e-5,
    )


def test_without_network_imagenet_weights_fail_fast_naming_the_file(tmp_path):
    # A proxy on a closed loopback port makes the download fail for real, at
    # once, whatever network the machine has.
    env = {
        **os.environ,
        "KERAS_HOME": str(tmp_path),
        "https_proxy": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    code = (
        "import numpy as np\n"
        "from skvision import BackboneFeatures\n"
        "try:\n"
        "    BackboneFeatures('MobileNetV3Small').fit(np.zeros((2, 32, 32, 3)))\n"
        "except OSError as error:\n"
        "    print('ERROR', error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout
    assert "ERROR The ImageNet weights of MobileNetV3Small" in out, result.stderr
    assert "weights_mobilenet_v3_small" in out
    assert os.path.join(str(tmp_path), "models") in out
    assert not list((tmp_path / "models").glob("*.h5"))  # no partial file left
