"""Importing skvision is silent and patches nothing global."""

import os
import subprocess
import sys

SNAPSHOT = """
import keras, sklearn.base
def snapshot():
    return {
        name: getattr(owner, name, None)
        for owner in (keras.Model, keras.layers.Layer, keras.optimizers.Optimizer,
                      keras.losses.Loss, keras.metrics.Metric,
                      sklearn.base.BaseEstimator)
        for name in ("__reduce__", "__reduce_ex__", "__deepcopy__", "__getstate__",
                     "__setstate__", "fit", "predict", "__sklearn_tags__")
    }
"""


def _run(code, **env_vars):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    # oneDNN is on by default only on some CPUs; forcing it makes TensorFlow
    # print its "oneDNN custom operations are on" notice on every machine.
    env.update(TF_ENABLE_ONEDNN_OPTS="1", **env_vars)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )


FIRST_FITS = """
import numpy as np
import skvision.datasets
from skvision import ConvAutoencoder, ConvNetClassifier, DenseNetClassifier
X, y = np.random.default_rng(0).random((40, 4)), np.arange(40) % 2
DenseNetClassifier(max_iter=1).fit(X, y).predict(X)
ConvNetClassifier(image_shape=(2, 2, 1), conv_blocks=((2,),), pool_size=None,
                  max_iter=1).fit(X, y).predict_proba(X)
ConvAutoencoder(image_shape=(2, 2, 1), filters=(2,), max_iter=1).fit(X).transform(X)
"""


def test_import_and_first_fits_print_nothing():
    # Importing an estimator loads Keras and TensorFlow: their start-up logs
    # (CUDA probes, oneDNN notices, printed at the first Keras use) must stay
    # quiet through the first fits and predictions too.
    result = _run(FIRST_FITS)
    assert result.stdout == "" and result.stderr == ""


def test_a_log_level_the_user_chose_is_kept():
    result = _run("from skvision import DenseNetClassifier", TF_CPP_MIN_LOG_LEVEL="0")
    assert "oneDNN custom operations are on" in result.stderr


def test_import_adds_no_monkeypatch():
    # scikeras patches keras.Model.__reduce__ on its own import; skvision must
    # add nothing to that (its pickling is its own __getstate__).
    code = (
        SNAPSHOT
        + """
import scikeras
before = snapshot()
import skvision
after = snapshot()
changed = [name for name in before if before[name] != after[name]]
assert not changed, changed
"""
    )
    _run(code)
