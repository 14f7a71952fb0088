"""DenseNetClassifier vs the identical raw Keras model vs sklearn's MLPClassifier.

Run ``python benchmarks/bench_dense.py`` (``make benchmark``) with MNIST under
``SKVISION_DATA``. It prints a Markdown table: test accuracy, fit seconds,
predict seconds for 10,000 images, median milliseconds to predict one image,
and the per-epoch fit-time ratio skvision / raw Keras (same epochs, same data),
and saves them with the machine in ``benchmarks/results/dense.json``.
``--quick`` trains on 10,000 images for a smoke run.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from skvision import DenseNetClassifier  # noqa: E402
from skvision.datasets import fetch_mnist  # noqa: E402

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
The default ``DenseNetClassifier()`` (512-256, batch normalization, dropout,
early stopping), the identical network written directly in Keras with the same
callbacks, and scikit-learn's ``MLPClassifier``, on MNIST in one process."""


def raw_keras_model(n_classes=10):
    """The network of DenseNetClassifier(), written directly in Keras."""
    inputs = keras.Input((784,))
    x = inputs
    for units in (512, 256):
        x = keras.layers.Dense(units, use_bias=False, kernel_initializer="he_normal")(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation("relu")(x)
        x = keras.layers.Dropout(0.3)(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def raw_keras_fit(X, y, epochs, early_stopping):
    keras.utils.set_random_seed(0)
    model = raw_keras_model()
    callbacks = []
    if early_stopping:
        callbacks = [
            keras.callbacks.ReduceLROnPlateau(factor=0.2, patience=3, min_lr=1e-6),
            keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True),
        ]
    history = model.fit(
        X / np.float32(255),
        y,
        batch_size=128,
        epochs=epochs,
        validation_split=0.1 if early_stopping else 0.0,
        callbacks=callbacks,
        verbose=0,
    )
    return model, len(history.history["loss"])


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def median_ms(function, x, repeats=200):
    function(x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(x)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def epoch_time_ratio(X, y, epochs=3, repeats=2):
    """Per-epoch seconds of skvision over raw Keras, same epochs, best of repeats."""
    ours, raw = [], []
    fixed = dict(max_iter=epochs, early_stopping=False, learning_rate="constant")
    for _ in range(repeats):
        ours.append(timed(DenseNetClassifier(random_state=0, **fixed).fit, X, y)[1])
        raw.append(timed(raw_keras_fit, X, y, epochs, early_stopping=False)[1])
    return min(ours) / epochs, min(raw) / epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10,000 training images")
    add_arguments(parser)
    args = parser.parse_args()
    X, y = fetch_mnist(subset="train", return_X_y=True)
    X_test, y_test = fetch_mnist(subset="test", return_X_y=True)
    if args.quick:
        X, y = X[:10_000], y[:10_000]
    rows = []

    clf, fit_s = timed(DenseNetClassifier(random_state=0).fit, X, y)
    _, predict_s = timed(clf.predict, X_test)
    rows.append(
        (
            "skvision DenseNetClassifier()",
            clf.score(X_test, y_test),
            fit_s,
            clf.n_iter_,
            predict_s,
            median_ms(clf.predict, X_test[:1]),
        )
    )

    (model, epochs), fit_s = timed(raw_keras_fit, X, y, 100, early_stopping=True)
    X_test_float = X_test / np.float32(255)
    proba, predict_s = timed(model.predict, X_test_float, verbose=0)
    accuracy = float(np.mean(proba.argmax(axis=1) == y_test))
    one = X_test_float[:1]
    rows.append(
        (
            "raw Keras, same net and callbacks",
            accuracy,
            fit_s,
            epochs,
            predict_s,
            median_ms(lambda x: model.predict(x, verbose=0), one, repeats=50),
        )
    )

    mlp = MLPClassifier((256, 128), early_stopping=True, random_state=0)
    mlp, fit_s = timed(mlp.fit, X / 255.0, y)
    _, predict_s = timed(mlp.predict, X_test / 255.0)
    rows.append(
        (
            "sklearn MLPClassifier((256, 128))",
            mlp.score(X_test / 255.0, y_test),
            fit_s,
            mlp.n_iter_,
            predict_s,
            median_ms(mlp.predict, X_test[:1] / 255.0),
        )
    )

    ours, raw = epoch_time_ratio(X, y)
    print(f"\nMNIST, {len(X):,} training / {len(X_test):,} test images\n")
    print("| model | test accuracy | fit s | epochs | predict 10k s | predict 1 ms |")
    print("|---|---|---|---|---|---|")
    for name, accuracy, fit_s, epochs, predict_s, one_ms in rows:
        print(
            f"| {name} | {accuracy:.4f} | {fit_s:.1f} | {epochs} | {predict_s:.3f} "
            f"| {one_ms:.2f} |"
        )
    print(
        f"\nseconds per epoch (3 epochs, best of 2): skvision {ours:.2f}, "
        f"raw Keras {raw:.2f}, ratio {ours / raw:.3f}"
    )
    columns = ["model", "test accuracy", "fit s", "epochs", "predict 10k s"]
    save_run(
        "dense",
        "mnist",
        title="Dense networks",
        description=DESCRIPTION,
        run_title=f"MNIST, {len(X):,} training / {len(X_test):,} test images",
        tables=[
            table(
                "Accuracy and speed",
                [*columns, "predict 1 ms"],
                rows,
                formats=[None, ".4f", ".1f", "d", ".3f", ".2f"],
            ),
            table(
                "Seconds per epoch, same data and 3 epochs, best of 2, no hold-out",
                ["skvision", "raw Keras", "ratio"],
                [[ours, raw, ours / raw]],
                formats=[".2f", ".2f", ".2f"],
                notes="Target: a ratio of at most 1.05.",
            ),
        ],
        args=args,
    )


if __name__ == "__main__":
    main()
