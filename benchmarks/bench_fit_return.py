"""How long ``model.fit`` takes to return after its last epoch, with and
without tf.data's autotuning.

Run ``python benchmarks/bench_fit_return.py`` with Fashion-MNIST under
``SKVISION_DATA``. The ``make demo`` CNN (``benchmarks/bench_peers.py``),
built by ``ConvNetClassifier``, is trained one epoch per ``fit`` call on
skvision's pipeline (``skvision._batches.row_batches``, untuned since issue
36) and on the same pipeline with autotuning switched back on, in turn. A
callback notes when Keras ends training (``on_train_end``); the wait is the
time from there until ``fit`` returns, spent deleting the dataset's iterator,
which waits for the autotuning thread to wake. ``--quick`` trains on 3,000
images (a smoke run).
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from skvision._batches import epochs, row_batches  # noqa: E402
from skvision.datasets import fetch_fashion_mnist  # noqa: E402

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)
from bench_peers import BATCH, skvision_model  # noqa: E402

DESCRIPTION = """\
Seconds from the end of ``model.fit``'s last epoch (Keras' ``on_train_end``)
to ``fit`` returning, for one-epoch fits of the ``make demo`` CNN on
Fashion-MNIST fed by skvision's pipeline, untuned (skvision's default) and
with tf.data's autotuning on; the two are timed in turn. The wait is the
deletion of the dataset's iterator, which waits for the autotuning thread to
wake from a sleep that grows as training goes on."""


class TrainEnd(keras.callbacks.Callback):
    def on_train_end(self, logs=None):
        self.time = time.perf_counter()


def dataset(X, y, seed, autotuned):
    batches = row_batches((X, y, None), np.arange(len(X)), BATCH, seed)
    if autotuned:
        options = tf.data.Options()
        options.autotune.enabled = True
        batches = batches.with_options(options)
    return epochs(batches, len(X), BATCH)


def one_fit(model, X, y, seed, autotuned):
    """``(epoch seconds, seconds from training's end to fit's return)``."""
    data, steps = dataset(X, y, seed, autotuned)
    end = TrainEnd()
    start = time.perf_counter()
    model.fit(
        data,
        steps_per_epoch=steps,
        epochs=1,
        callbacks=[end],
        shuffle=False,  # the dataset shuffles itself
        verbose=0,
    )
    returned = time.perf_counter()
    return end.time - start, returned - end.time


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3,000 images")
    parser.add_argument("--fits", type=int, default=6, help="fits per variant")
    add_arguments(parser)
    args = parser.parse_args()
    X, y = fetch_fashion_mnist(subset="train", return_X_y=True)
    if args.quick:
        X, y = X[:3000], y[:3000]
    model = skvision_model(1).fit(X[:BATCH], y[:BATCH]).model_  # flat uint8 rows

    variants = {"untuned (skvision)": False, "autotuned (tf.data's default)": True}
    times = {name: [] for name in variants}
    for seed in range(args.fits):
        for name, autotuned in variants.items():
            times[name].append(one_fit(model, X, y, seed, autotuned))
            epoch_s, wait_s = times[name][-1]
            print(f"{name}: epoch {epoch_s:.2f} s, then {wait_s:.2f} s to return")

    rows = []
    for name, measured in times.items():
        epoch_s, wait_s = zip(*measured, strict=True)
        waits = ", ".join(f"{w:.2f}" for w in wait_s)
        rows.append(
            [
                name,
                statistics.median(epoch_s),
                statistics.mean(wait_s),
                max(wait_s),
                waits,
            ]
        )
    save_run(
        "fit_return",
        "demo-cnn",
        title="Fit's return: tf.data's autotuning",
        description=DESCRIPTION,
        run_title=f"The ``make demo`` CNN, {len(X):,} Fashion-MNIST images, "
        f"{args.fits} one-epoch fits per variant",
        tables=[
            table(
                "Seconds per one-epoch fit, and from its end to fit's return",
                [
                    "pipeline",
                    "epoch s (median)",
                    "wait s (mean)",
                    "wait s (max)",
                    "each fit's wait (s)",
                ],
                rows,
                formats=[None, ".2f", ".2f", ".2f", None],
            )
        ],
        args=args,
    )


if __name__ == "__main__":
    main()
