"""A user's Keras model in KerasClassifier vs the same net in DenseNetClassifier.

Run ``python benchmarks/bench_keras_model.py`` with MNIST under
``SKVISION_DATA``. The network of ``DenseNetClassifier()`` (512-256, batch
normalization, ReLU, dropout 0.3, softmax), written as a user would in plain
Keras, is trained by ``KerasClassifier`` and compared with
``DenseNetClassifier()`` in the same process: seconds per epoch (same data and
epochs, no hold-out, best of the repeats, the two alternating), predict 10,000
images, median milliseconds to predict one image, test accuracy. It saves them
in ``benchmarks/results/keras_model.json``. ``--quick`` uses 10,000 images.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from skvision import DenseNetClassifier, KerasClassifier  # noqa: E402
from skvision.datasets import fetch_mnist  # noqa: E402

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
The network of ``DenseNetClassifier()`` written by a user in plain Keras
(an uncompiled builder) and trained by ``KerasClassifier``, against
``DenseNetClassifier()`` itself, in one process. Target: the same speed per
epoch (a ratio within 1.05) and one-image predictions under 1 ms."""

EPOCHS = 3
TRAINING = dict(
    max_iter=EPOCHS, early_stopping=False, learning_rate="constant", random_state=0
)


def dense_net(input_shape, n_outputs, hidden_layer_sizes=(512, 256), dropout=0.3):
    """DenseNetClassifier()'s network, as a user writes it."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for units in hidden_layer_sizes:
        x = keras.layers.Dense(units, use_bias=False, kernel_initializer="he_normal")(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation("relu")(x)
        x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(n_outputs, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def median_ms(function, x, repeats=300):
    function(x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(x)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10,000 training images")
    parser.add_argument("--repeats", type=int, default=3)
    add_arguments(parser)
    args = parser.parse_args()
    X, y = fetch_mnist(subset="train", return_X_y=True)
    X_test, y_test = fetch_mnist(subset="test", return_X_y=True)
    if args.quick:
        X, y = X[:10_000], y[:10_000]
    makers = {
        "DenseNetClassifier()": lambda: DenseNetClassifier(**TRAINING),
        "KerasClassifier(dense_net)": lambda: KerasClassifier(dense_net, **TRAINING),
    }
    fit_seconds = {name: [] for name in makers}
    fitted = {}
    for _ in range(args.repeats):  # alternating, so both see the same machine
        for name, make in makers.items():
            fitted[name], seconds = timed(make().fit, X, y)
            fit_seconds[name].append(seconds / EPOCHS)
    rows = []
    for name, clf in fitted.items():
        _, predict_s = timed(clf.predict, X_test)
        rows.append(
            [
                name,
                min(fit_seconds[name]),
                predict_s,
                median_ms(clf.predict, X_test[:1]),
                clf.score(X_test, y_test),
            ]
        )
    ratio = rows[1][1] / rows[0][1]
    print(f"\nMNIST, {len(X):,} training images, {EPOCHS} epochs\n")
    print("| estimator | s / epoch | predict 10k s | predict 1 ms | test accuracy |")
    print("|---|---|---|---|---|")
    for name, epoch_s, predict_s, one_ms, accuracy in rows:
        print(
            f"| {name} | {epoch_s:.2f} | {predict_s:.3f} | {one_ms:.3f} "
            f"| {accuracy:.4f} |"
        )
    print(f"\nper-epoch ratio KerasClassifier / DenseNetClassifier: {ratio:.3f}")
    save_run(
        "keras_model",
        "mnist",
        title="Your own Keras model",
        description=DESCRIPTION,
        run_title=f"MNIST, {len(X):,} training images, {EPOCHS} epochs",
        tables=[
            table(
                f"Speed, best of {args.repeats} fits each (alternating)",
                [
                    "estimator",
                    "s / epoch",
                    "predict 10k s",
                    "predict 1 ms",
                    "test accuracy",
                ],
                rows,
                formats=[None, ".2f", ".3f", ".3f", ".4f"],
            ),
            table(
                "Per-epoch ratio",
                ["KerasClassifier / DenseNetClassifier"],
                [[ratio]],
                formats=[".3f"],
                notes="Target: at most 1.05.",
            ),
        ],
        args=args,
    )


if __name__ == "__main__":
    main()
