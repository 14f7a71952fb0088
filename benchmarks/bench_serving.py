"""Prediction latency of a fitted estimator and of its exports, in one process.

Run ``python benchmarks/bench_serving.py`` with MNIST under ``SKVISION_DATA``.
It fits the default ``DenseNetClassifier()`` and a small ``ConvNetClassifier``
on MNIST's uint8 images, exports each as a SavedModel, a TFLite model and (when
tf2onnx and onnxruntime are installed) an ONNX model, and times one image and
1,000 images through ``predict_proba`` and through each runtime: the median
of repeated calls, after a warm-up call. It prints a Markdown table and saves
it with the machine in ``benchmarks/results/serving.json``. ``--quick`` trains
on 10,000 images for one epoch (latency does not depend on training).
"""

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from skvision import ConvNetClassifier, DenseNetClassifier  # noqa: E402
from skvision.datasets import fetch_mnist  # noqa: E402

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
One image and 1,000 images (MNIST test images, uint8) through the estimator's
``predict_proba`` and through its exports, each run by its own runtime in the
same process: TensorFlow's SavedModel loader (the serving signature), the
TFLite interpreter (as many threads as cores) and ONNX Runtime (its defaults).
Milliseconds are medians of repeated calls after a warm-up; "max abs diff" is
the largest difference from ``predict_proba`` on the 1,000 images. The dense
estimator predicts through skvision's NumPy path; the conv net through Keras'
``predict_on_batch``."""

REPEATS = {1: 300, 1000: 30}


def median_ms(function, x, repeats):
    function(x)  # warm-up: tracing, allocation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(x)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def saved_model_runner(path):
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    return lambda x: serve(images=tf.constant(x))["probabilities"].numpy()


def tflite_runner(path):
    with warnings.catch_warnings():  # tf.lite.Interpreter moves to LiteRT
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(
            model_path=str(path), num_threads=os.cpu_count()
        )
    (input_detail,) = interpreter.get_input_details()
    (output_detail,) = interpreter.get_output_details()
    shape = [None]

    def run(x):
        if shape[0] != x.shape:  # resized once per batch size
            interpreter.resize_tensor_input(input_detail["index"], x.shape)
            interpreter.allocate_tensors()
            shape[0] = x.shape
        interpreter.set_tensor(input_detail["index"], x)
        interpreter.invoke()
        return interpreter.get_tensor(output_detail["index"])

    return run


def onnx_runner(path):
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path))
    return lambda x: session.run(None, {"images": x})[0]


def runtimes(estimator, folder):
    """``(name, predict function)`` of the estimator and of each export."""
    found = [("estimator predict_proba", estimator.predict_proba)]
    found.append(("SavedModel", saved_model_runner(estimator.export(folder / "sm"))))
    path = estimator.export(folder / "model.tflite", format="tflite")
    found.append(("TFLite", tflite_runner(path)))
    try:
        path = estimator.export(folder / "model.onnx", format="onnx")
    except ImportError as error:
        print(f"ONNX skipped: {error}")
    else:
        found.append(("ONNX Runtime", onnx_runner(path)))
    return found


def measure(name, estimator, X_test, folder):
    rows = []
    expected = estimator.predict_proba(X_test[:1000])
    for runtime, predict in runtimes(estimator, folder):
        one = median_ms(predict, X_test[:1], REPEATS[1])
        thousand = median_ms(predict, X_test[:1000], REPEATS[1000])
        diff = float(np.max(np.abs(predict(X_test[:1000]) - expected)))
        rows.append((name, runtime, one, thousand, diff))
        print(f"| {name} | {runtime} | {one:.3f} | {thousand:.2f} | {diff:.1e} |")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="10,000 training images, one epoch"
    )
    add_arguments(parser)
    args = parser.parse_args()
    X, y = fetch_mnist(subset="train", return_X_y=True)
    X_test, _ = fetch_mnist(subset="test", return_X_y=True)
    X_test = X_test.reshape(-1, 28, 28)
    epochs = 1 if args.quick else 5
    if args.quick:
        X, y = X[:10_000], y[:10_000]
    training = dict(max_iter=epochs, early_stopping=False, random_state=0)
    models = {
        "dense 512-256 (784 inputs)": (DenseNetClassifier(**training), X),
        "conv 2 blocks (28x28)": (
            ConvNetClassifier(
                conv_blocks=((16,), (32,)), dense_layer_sizes=(64,), **training
            ),
            X.reshape(-1, 28, 28),
        ),
    }
    print("| model | runtime | 1 image ms | 1,000 images ms | max abs diff |")
    print("|---|---|---|---|---|")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for i, (name, (estimator, images)) in enumerate(models.items()):
            estimator.fit(images, y)
            inputs = X_test.reshape(len(X_test), *images.shape[1:])
            rows += measure(name, estimator, inputs, Path(folder) / str(i))
    save_run(
        "serving",
        "mnist",
        title="Serving latency",
        description=DESCRIPTION,
        run_title=(
            f"MNIST, fitted on {len(X):,} images for {epochs} epoch(s); uint8 images in"
        ),
        tables=[
            table(
                "Prediction latency by runtime",
                ["model", "runtime", "1 image ms", "1,000 images ms", "max abs diff"],
                rows,
                formats=[None, None, ".3f", ".2f", ".1e"],
                notes="Target: the dense estimator's one image under 1 ms.",
            )
        ],
        args=args,
        packages=("onnxruntime", "tf2onnx"),
    )


if __name__ == "__main__":
    main()
