"""Fitting a CNN on images: peak memory, and throughput from a folder of JPEGs.

Run ``python benchmarks/bench_images.py``. (a) Each memory measurement is a
fresh process that trains a one-block CNN for one epoch with batch size 256
on N 96x96x3 images (N = 5,000, 10,000 and 20,000 by default; 1 byte per
pixel, 27.6 kB per image):

- **skvision array**: ``ConvNetClassifier(conv_blocks=((16,),),
  pooling="avg", dense_layer_sizes=())`` fitted on a random uint8 array;
- **Keras array**: the same layers written in Keras (``Rescaling(1/255)``
  first, so Keras is fed the uint8 array as it is), ``model.fit``;
- **skvision paths**: the skvision net fitted on the paths of N JPEG files
  (written once into ``--folder``), decoded batch by batch.

(b) ``--throughput`` trains the same network from a folder of 96x96 JPEGs
in 10 class folders for 3 epochs, as skvision on the file paths and as
Keras' ``image_dataset_from_directory`` + ``model.fit``, and prints the
images per second of the last two epochs (the first includes tracing).

With ``--holdout`` both hold out 10 % for validation (skvision's stratified
``validation_fraction=0.1``; Keras' ``validation_split=0.1``). It prints the
peak resident memory (``ru_maxrss``) of each process as a Markdown table, the
ratio to Keras', and the growth per pixel between the smallest and largest N,
and saves them with the machine in ``benchmarks/results/images.json``, and a
plot next to it (``--plot``, default ``benchmarks/results/images.png``).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# isort: split
from _results import add_arguments, figure_path, save_run, table  # noqa: E402

DESCRIPTION = """\
Fitting a one-block CNN (batch 256) on 96x96x3 images. Peak resident memory
of one epoch on N random images, each in a fresh process: skvision on the
uint8 array, the same layers in raw Keras on the same array (a
``Rescaling(1/255)`` layer first), and skvision on the paths of N JPEG files.
Throughput: images per second from a folder of JPEGs in 10 class folders,
skvision on the file paths against Keras' ``image_dataset_from_directory``
and ``model.fit``."""

SIDE, CHANNELS, BATCH = 96, 3, 256
CORES = os.cpu_count() or 1
PIXELS = SIDE * SIDE * CHANNELS


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def random_images(n_images):
    import numpy as np

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n_images, SIDE, SIDE, CHANNELS), dtype=np.uint8)
    return images, rng.integers(0, 10, n_images)


def fit_skvision(images, target, holdout, callbacks=None, epochs=1):
    from skvision import ConvNetClassifier

    ConvNetClassifier(
        image_shape=(SIDE, SIDE, CHANNELS),
        conv_blocks=((16,),),
        batch_normalization=False,
        pooling="avg",
        dense_layer_sizes=(),
        dropout=0.0,
        batch_size=BATCH,
        max_iter=epochs,
        learning_rate="constant",
        callbacks=callbacks,
        early_stopping=holdout,
        validation_fraction=0.1,
        random_state=0,
    ).fit(images, target)


def keras_net():
    import skvision  # noqa: F401  (TensorFlow's start-up logs hidden alike)
    from skvision._keras import keras

    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((SIDE, SIDE, CHANNELS)),
            layers.Rescaling(1 / 255),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.GlobalAveragePooling2D(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit_keras(images, target, holdout):
    keras_net().fit(
        images,
        target,
        batch_size=BATCH,
        epochs=1,
        validation_split=0.1 if holdout else 0.0,
        verbose=0,
    )


FITS = {
    "skvision array": fit_skvision,
    "Keras array": fit_keras,
    "skvision paths": fit_skvision,
}


def write_jpegs(folder, n_images, n_classes=10):
    """N random 96x96 JPEGs in ``n_classes`` class folders (kept if there)."""
    from pathlib import Path

    from PIL import Image

    images, target = random_images(min(n_images, 1000))
    paths = []
    for k in range(n_images):
        path = Path(folder) / f"class_{k % n_classes}" / f"{k}.jpg"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(images[k % len(images)]).save(path, quality=90)
        paths.append(str(path))
    return paths


def child(mode, n_images, holdout, folder):
    if mode == "skvision paths":
        images = write_jpegs(folder, n_images)
        target = [int(p.split("class_")[1].split("/")[0]) for p in images]
    else:
        images, target = random_images(n_images)
    start = time.perf_counter()
    FITS[mode](images, target, holdout)
    seconds = time.perf_counter() - start
    print(json.dumps({"peak_mb": peak_rss_mb(), "fit_s": seconds}))


def measure(mode, n_images, holdout, folder):
    command = [sys.executable, __file__, "--child", mode, str(n_images)]
    command += ["--folder", folder]
    done = subprocess.run(
        [*command, *(["--holdout"] if holdout else [])],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def epoch_timer():
    from skvision._keras import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def throughput(folder, n_images, epochs=3):
    """Images per second of the last epochs: skvision paths, then Keras."""
    from skvision._keras import keras

    paths = write_jpegs(folder, n_images)
    target = [int(p.split("class_")[1].split("/")[0]) for p in paths]
    ours = epoch_timer()
    fit_skvision(paths, target, False, callbacks=[ours], epochs=epochs)
    dataset = keras.utils.image_dataset_from_directory(
        folder, image_size=(SIDE, SIDE), batch_size=BATCH, seed=0, verbose=False
    )
    theirs = epoch_timer()
    keras_net().fit(dataset, epochs=epochs, callbacks=[theirs], verbose=0)
    rates = {
        name: n_images * (epochs - 1) / sum(timer.seconds[1:])
        for name, timer in (("skvision paths", ours), ("Keras", theirs))
    }
    print(f"\n{n_images:,} JPEGs of 96x96, batch {BATCH}, {CORES} cores\n")
    print("| pipeline | images/s (epochs 2-3) |")
    print("|---|---|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:.0f} |")
    ratio = rates["skvision paths"] / rates["Keras"]
    print(f"\nratio skvision / Keras: {ratio:.3f}")
    return table(
        f"{n_images:,} JPEGs of 96x96 in 10 class folders, batch {BATCH}",
        ["pipeline", f"images/s (epochs 2-{epochs})"],
        [
            ["skvision on the file paths", rates["skvision paths"]],
            [
                "Keras' ``image_dataset_from_directory`` + ``model.fit``",
                rates["Keras"],
            ],
        ],
        formats=[None, ",.0f"],
        notes=f"Ratio skvision / Keras: {ratio:.2f}.",
    )


def plot(rows, sizes, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for mode in FITS:
        ax.plot(sizes, [rows[mode, n]["peak_mb"] for n in sizes], "o-", label=mode)
    data_mb = [n * PIXELS / 2**20 for n in sizes]
    ax.plot(sizes, data_mb, "k:", label="the uint8 images")
    ax.set(xlabel="images (96x96x3 uint8)", ylabel="peak RSS (MB)")
    ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    parser.add_argument("--holdout", action="store_true")
    parser.add_argument(
        "--plot", default=None, help="default: next to the results file"
    )
    parser.add_argument("--quick", action="store_true", help="1,000 and 2,000")
    parser.add_argument(
        "--folder", default="benchmarks/results/jpegs", help="where JPEGs are written"
    )
    parser.add_argument("--throughput", type=int, metavar="N_IMAGES")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    add_arguments(parser)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], int(args.child[1]), args.holdout, args.folder)
    if args.throughput:
        save_run(
            "images",
            f"throughput {args.throughput}",
            title="Your own images",
            description=DESCRIPTION,
            run_title=f"Throughput from a folder of {args.throughput:,} JPEGs",
            tables=[throughput(args.folder, args.throughput)],
            args=args,
        )
        return

    sizes = [1000, 2000] if args.quick else args.sizes
    rows = {}
    for n_images in sizes:
        for mode in FITS:
            rows[mode, n_images] = measure(mode, n_images, args.holdout, args.folder)
            print(mode, n_images, rows[mode, n_images], flush=True)

    held = "10 % held out for validation" if args.holdout else "no hold-out"
    print(f"\nOne epoch, batch {BATCH}, {held}; peak RSS in MB\n")
    print(
        "| images | data MB | skvision array | Keras array | skvision / Keras "
        "| skvision paths |"
    )
    print("|---|---|---|---|---|---|")
    for n in sizes:
        ours, keras_ = rows["skvision array", n], rows["Keras array", n]
        print(
            f"| {n:,} | {n * PIXELS / 2**20:.0f} | {ours['peak_mb']:.0f} "
            f"| {keras_['peak_mb']:.0f} | {ours['peak_mb'] / keras_['peak_mb']:.2f} "
            f"| {rows['skvision paths', n]['peak_mb']:.0f} |"
        )
    pixels = (sizes[-1] - sizes[0]) * PIXELS
    growth = []
    for mode in FITS if pixels else ():
        added = rows[mode, sizes[-1]]["peak_mb"] - rows[mode, sizes[0]]["peak_mb"]
        growth.append([mode, added * 2**20 / pixels])
        print(f"{mode}: {growth[-1][1]:.2f} bytes of peak RSS per pixel")
    plot_path = args.plot or figure_path("images", args.quick)
    plot(rows, sizes, plot_path)
    tables = [
        table(
            f"Peak RSS in MB, one epoch, batch {BATCH}, {held}",
            [
                "images",
                "data MB",
                "skvision array",
                "Keras array",
                "skvision / Keras",
                "skvision paths",
            ],
            [
                [
                    n,
                    n * PIXELS / 2**20,
                    rows["skvision array", n]["peak_mb"],
                    rows["Keras array", n]["peak_mb"],
                    rows["skvision array", n]["peak_mb"]
                    / rows["Keras array", n]["peak_mb"],
                    rows["skvision paths", n]["peak_mb"],
                ]
                for n in sizes
            ],
            formats=[",", ".0f", ".0f", ".0f", ".2f", ".0f"],
        ),
        table(
            "Fit seconds of that epoch",
            ["images", *FITS],
            [[n, *(rows[mode, n]["fit_s"] for mode in FITS)] for n in sizes],
            formats=[",", *[".1f"] * len(FITS)],
        ),
    ]
    if growth:
        tables.append(
            table(
                f"Growth of peak RSS from {sizes[0]:,} to {sizes[-1]:,} images",
                ["fit", "bytes per pixel"],
                growth,
                formats=[None, ".2f"],
            )
        )
    save_run(
        "images",
        f"memory {' '.join(map(str, sizes))}{' holdout' if args.holdout else ''}",
        title="Your own images",
        description=DESCRIPTION,
        run_title=f"Peak memory of one epoch, {held}",
        tables=tables,
        figure=plot_path,
        args=args,
    )


if __name__ == "__main__":
    main()
