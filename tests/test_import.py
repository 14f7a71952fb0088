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


def _run(code):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )


def test_import_prints_nothing():
    # Importing an estimator loads Keras and TensorFlow: their start-up logs
    # (CUDA probes, oneDNN notices) must stay quiet too.
    result = _run("import skvision.datasets; from skvision import DenseNetClassifier")
    assert result.stdout == "" and result.stderr == ""


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
