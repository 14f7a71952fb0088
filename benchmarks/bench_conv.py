"""ConvNetClassifier accuracy and speed, and its overhead over raw Keras.

Run ``python benchmarks/bench_conv.py`` with MNIST (or Fashion-MNIST) under
``SKVISION_DATA``. It prints two Markdown tables:

1. the chosen model trained on the training set: parameters, epochs, test
   accuracy, fit minutes and predict throughput (images per second);
2. seconds per epoch of the AlexNet-style reference net (331,274 parameters)
   in skvision and of the identical model written directly in Keras, fitted
   alike (same data, batch size, optimizer, no validation), and their ratio.
   Epoch times come from a callback; the fastest epoch after the first (which
   includes graph tracing) is reported, as timing noise only adds time. On a
   shared machine the ratio still varies from run to run; compare a few.

Both are saved with the machine in ``benchmarks/results/conv.json``, one run
per dataset and model.

``--model``: ``small`` is :meth:`ConvNetClassifier.mnist` (the >= 99.4 %
recipe, 11 epochs with augmentation), ``reference`` the AlexNet-style net
trained as in its study (6 epochs, constant learning rate, no hold-out),
``fashion-best`` the small CNN with flips only for 20 epochs (the
Fashion-MNIST recipe, 93.24 %). ``--quick`` trains on 3,000 images for 2
epochs (3 for the epoch times) and tests on 1,000: a smoke run of a minute or
two on a laptop CPU, not a result.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from skvision import ConvNetClassifier  # noqa: E402
from skvision.datasets import fetch_fashion_mnist, fetch_mnist  # noqa: E402

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
``ConvNetClassifier`` presets trained on all training images and tested on
the test images, and the seconds per epoch of the AlexNet-style reference net
in skvision and written directly in Keras (the fastest epoch after the first,
same data, batch size and optimizer, no validation)."""

LOADERS = {"mnist": fetch_mnist, "fashion": fetch_fashion_mnist}
# The reference net is trained as in its study: 6 epochs of Adam at 1e-3 on
# all training images. "fashion-best" is the MNIST recipe with the
# augmentation suited to clothes, whose images are centred and scaled alike
# (flips only: shifts, rotation and zoom cost accuracy), and 20 epochs.
REFERENCE_TRAINING = dict(max_iter=6, early_stopping=False, learning_rate="constant")
FASHION_BEST = dict(
    rotation_range=0.0,
    zoom_range=0.0,
    translation_range=0.0,
    horizontal_flip=True,
    max_iter=20,
    learning_rate={10: 3e-4, 15: 1e-4, 18: 3e-5},
)
MODELS = {
    "small": lambda **params: ConvNetClassifier.mnist(**params),
    "reference": lambda **params: ConvNetClassifier.reference(
        **{**REFERENCE_TRAINING, **params}
    ),
    "fashion-best": lambda **params: ConvNetClassifier.mnist(
        **{**FASHION_BEST, **params}
    ),
}
MODEL_NAMES = {
    "small": "``ConvNetClassifier.mnist()``",
    "reference": "``ConvNetClassifier.reference()``, Adam 1e-3, 6 epochs",
    "fashion-best": "``ConvNetClassifier.mnist()`` + flips, no rotation, zoom or "
    "shifts, 20 epochs (learning rate stepped at 10, 15, 18)",
}
DATASET_NAMES = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}
# The study's targets for each dataset and model.
TARGETS = {
    ("mnist", "small"): "at least 99.4 % in at most 15 minutes",
    ("fashion", "reference"): "at least 90.5 % (its study reported 90.56 % after "
    "6 epochs)",
    ("fashion", "fashion-best"): "at least 93 %",
}


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of each training epoch."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def raw_reference_model(n_classes=10):
    """ConvNetClassifier.reference() on 28x28 images, written directly in Keras."""
    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Reshape((28, 28, 1)),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(128, 3, padding="valid", activation="relu"),
            keras.layers.Conv2D(128, 3, padding="valid", activation="relu"),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(n_classes, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def epoch_seconds(X, y, epochs):
    """Fastest epoch after the first, in seconds, in skvision and raw Keras."""
    ours, raw = EpochTimer(), EpochTimer()
    ConvNetClassifier.reference(
        max_iter=epochs,
        early_stopping=False,
        learning_rate="constant",
        callbacks=[ours],
        random_state=0,
    ).fit(X, y)
    keras.utils.set_random_seed(0)
    model = raw_reference_model()
    assert model.count_params() == 331_274, model.count_params()
    pixels = X.reshape(len(X), -1) / np.float32(255)
    model.fit(pixels, y, batch_size=128, epochs=epochs, callbacks=[raw], verbose=0)
    return min(ours.seconds[1:]), min(raw.seconds[1:])


def images_per_second(predict, X, repeats=3):
    predict(X[:256])  # warm-up: graph tracing
    best = min(_seconds(predict, X) for _ in range(repeats))
    return len(X) / best


def _seconds(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3,000 images, 2 epochs")
    parser.add_argument("--dataset", choices=sorted(LOADERS), default="mnist")
    parser.add_argument("--model", choices=sorted(MODELS), default="small")
    parser.add_argument(
        "--ratio-epochs",
        type=int,
        default=None,
        help="epochs of each reference net timed (default 4, quick 3; 0 skips)",
    )
    add_arguments(parser)
    args = parser.parse_args()
    load = LOADERS[args.dataset]
    X, y = load(subset="train", return_X_y=True)
    X_test, y_test = load(subset="test", return_X_y=True)
    X, X_test = X.reshape(-1, 28, 28), X_test.reshape(-1, 28, 28)
    params, ratio_epochs = dict(random_state=0), 4
    if args.quick:
        X, y, X_test, y_test = X[:3000], y[:3000], X_test[:1000], y_test[:1000]
        params.update(max_iter=2, early_stopping=False)
        ratio_epochs = 3

    if args.ratio_epochs is not None:
        ratio_epochs = args.ratio_epochs

    clf = MODELS[args.model](**params)
    fit_s = _seconds(clf.fit, X, y)
    accuracy = clf.score(X_test, y_test)
    throughput = images_per_second(clf.predict, X_test)

    print(f"\n{args.dataset}, {len(X):,} training / {len(X_test):,} test images\n")
    print("| model | parameters | epochs | test accuracy | fit min | predict img/s |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {args.model} | {clf.model_.count_params():,} | {clf.n_iter_} "
        f"| {accuracy:.4f} | {fit_s / 60:.2f} | {throughput:,.0f} |"
    )
    target = TARGETS.get((args.dataset, args.model))
    tables = [
        table(
            f"{len(X):,} training / {len(X_test):,} test images",
            [
                "model",
                "parameters",
                "epochs",
                "test accuracy",
                "fit min",
                "predict img/s",
            ],
            [
                [
                    MODEL_NAMES[args.model],
                    clf.model_.count_params(),
                    clf.n_iter_,
                    accuracy,
                    fit_s / 60,
                    throughput,
                ]
            ],
            formats=[None, ",", "d", ".4f", ".2f", ",.0f"],
            notes=f"Target: {target}." if target else None,
        )
    ]
    if ratio_epochs >= 2:
        ours, raw = epoch_seconds(X, y, ratio_epochs)
        print(
            f"\n| reference net, fastest epoch s (of {ratio_epochs - 1} after the "
            "first) | skvision | raw Keras | ratio |"
        )
        print("|---|---|---|---|")
        print(
            f"| {len(X):,} images, batch 128 | {ours:.2f} | {raw:.2f} "
            f"| {ours / raw:.3f} |"
        )
        tables.append(
            table(
                "Seconds per epoch of the reference net, batch 128",
                ["images", "epochs timed", "skvision", "raw Keras", "ratio"],
                [[len(X), ratio_epochs - 1, ours, raw, ours / raw]],
                formats=[",", "d", ".2f", ".2f", ".3f"],
                notes="The fastest epoch after the first; target: a ratio of at "
                "most 1.05.",
            )
        )
    save_run(
        "conv",
        f"{args.dataset}-{args.model}",
        title="Convolutional networks",
        description=DESCRIPTION,
        run_title=f"``--model {args.model}`` on {DATASET_NAMES[args.dataset]}",
        tables=tables,
        args=args,
    )


if __name__ == "__main__":
    main()
