"""Training and prediction speed on a GPU, in float32 and mixed precision.

Run on a machine with an NVIDIA GPU, with Fashion-MNIST under
``SKVISION_DATA`` (issue 36, item 4)::

    SKVISION_DATA=/path/to/data python benchmarks/bench_gpu.py

It trains three workloads, each with the estimators' ``dtype`` "float32",
"mixed_float16" and "mixed_bfloat16":

1. the ``make demo`` CNN (``bench_peers.py``'s ``ConvNetClassifier``, 422,314
   parameters) on the 60,000 Fashion-MNIST training images;
2. ``ConvNetClassifier.reference()`` (331,274 parameters) on the same images;
3. ``BackboneClassifier("MobileNetV3Small", weights=None)``, trained whole
   (``fine_tune_from=0``) on 224x224 RGB JPEG files written here into a
   temporary folder (4 classes, a coloured shape each, seeded) and passed as
   an array of file paths, decoded batch by batch.

Each fits ``--epochs`` epochs (default 4) with batch 128, a constant learning
rate and no validation split; a Keras callback times every epoch, and the
seconds per epoch are the median of epochs 2 to n (the first traces graphs).
Reported: seconds per epoch, training images per second, the GPU's mean
utilisation over epochs 2 to n (``nvidia-smi`` sampled every 0.2 s by a
background thread; "not recorded" without ``nvidia-smi``), the speed-up over
float32, and prediction throughput (10,000 test images, or all the files;
median of 3 after a warm-up). The run's id is a slug of the card's name.

``--quick`` is a smoke run of a minute or two on a CPU: 1,024 images, 64
files, 2 epochs, and without a GPU only "float32" and "mixed_bfloat16"
(float16 is emulated on CPUs, very slowly). Without a GPU the script refuses
to run without ``--quick``: CPU numbers are not this benchmark's results.
"""

import argparse
import gc
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from skvision import BackboneClassifier, ConvNetClassifier  # noqa: E402
from skvision.datasets import fetch_fashion_mnist  # noqa: E402

# isort: split
from _results import NOT_RECORDED, _gpus, add_arguments, save_run, table  # noqa: E402
from bench_peers import BATCH, seconds, skvision_model  # noqa: E402  (benchmarks/)

DTYPES = ("float32", "mixed_float16", "mixed_bfloat16")
WORKLOADS = ("demo", "reference", "mobilenet")
WORKLOAD_NAMES = {
    "demo": "demo CNN (``make demo``)",
    "reference": "``ConvNetClassifier.reference()``",
    "mobilenet": "``BackboneClassifier`` MobileNetV3Small, 224x224 JPEG files",
}
IMAGE_SHAPE = (224, 224, 3)
POLL_MS = 200

DESCRIPTION = """\
Training and prediction speed on a GPU (issue 36): the ``make demo`` CNN
(422,314 parameters) and ``ConvNetClassifier.reference()`` (331,274) on the
60,000 Fashion-MNIST training images, and ``BackboneClassifier`` with
MobileNetV3Small (``weights=None``, trained whole) on 224x224 JPEG files read
from their paths, each in float32 and with the estimators' mixed precision
(``dtype="mixed_float16"`` and ``"mixed_bfloat16"``). Batch 128, constant
learning rate, no validation split; seconds per epoch are the median of
epochs 2 to n, GPU utilisation the mean of ``nvidia-smi``'s samples (every
0.2 s) over those epochs."""


class EpochTimer(keras.callbacks.Callback):
    """Start and end (``time.perf_counter()``) of each training epoch."""

    def on_train_begin(self, logs=None):
        self.begins, self.ends = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.begins.append(time.perf_counter())

    def on_epoch_end(self, epoch, logs=None):
        self.ends.append(time.perf_counter())


class Utilisation:
    """The GPU's utilisation (%), sampled by ``nvidia-smi`` in a thread.

    One ``nvidia-smi --loop-ms`` process prints a sample every 0.2 s; the
    thread stamps each line with ``time.perf_counter()``. Without
    ``nvidia-smi`` nothing is sampled and every mean is "not recorded".
    """

    def __init__(self, gpu):
        self.samples = []
        self._process = self._thread = None
        if gpu is None or shutil.which("nvidia-smi") is None:
            return
        self._process = subprocess.Popen(
            [
                "nvidia-smi",
                "--query-gpu=utilization.gpu",
                "--format=csv,noheader,nounits",
                f"--id={gpu}",
                f"--loop-ms={POLL_MS}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        for line in self._process.stdout:
            try:
                self.samples.append((time.perf_counter(), float(line)))
            except ValueError:  # "[N/A]" or a message
                continue

    def mean(self, start, end):
        values = [value for when, value in self.samples if start <= when <= end]
        return statistics.mean(values) if values else NOT_RECORDED

    def stop(self):
        if self._process is not None:
            self._process.terminate()
            self._process.wait()
            self._thread.join(timeout=5)


def visible_gpu():
    """The index (or UUID) ``nvidia-smi`` gives the GPU that Keras uses."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        first = visible.split(",")[0].strip()
        return first or None  # "" hides every GPU
    return "0"


def nvidia_smi(gpu, fields):
    """``nvidia-smi``'s values of ``fields`` for ``gpu``, or None."""
    if gpu is None or shutil.which("nvidia-smi") is None:
        return None
    try:
        output = subprocess.run(
            [
                "nvidia-smi",
                f"--query-gpu={fields}",
                "--format=csv,noheader",
                f"--id={gpu}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return [value.strip() for value in output.split(",")] if output else None


def card_name(gpu):
    """The GPU's name from ``nvidia-smi``, else TensorFlow's; None without one."""
    values = nvidia_smi(gpu, "name")
    if values:
        return values[0]
    names = _gpus()
    return names[0] if names else None


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def write_jpegs(folder, n, seed=0):
    """``n`` 224x224 RGB JPEGs of 4 classes: a coloured shape on a noisy field.

    Class k is a shape of its own (ellipse, square, triangle, cross) in a
    colour of its own, placed and sized at random. Returns the paths (a 1-D
    array of str) and labels.
    """
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    colours = np.array([(220, 40, 40), (40, 180, 60), (50, 80, 220), (230, 200, 30)])
    height, width = IMAGE_SHAPE[:2]
    paths, labels = [], []
    for k in range(n):
        label = k % len(colours)
        field = rng.integers(40, 216, 3) + rng.normal(0, 12, (height, width, 3))
        image = Image.fromarray(np.clip(field, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(image)
        x, y = (int(v) for v in rng.integers(60, (width - 60, height - 60)))
        r = int(rng.integers(25, 56))
        colour = tuple(
            int(c) for c in np.clip(colours[label] + rng.integers(-30, 31, 3), 0, 255)
        )
        box = (x - r, y - r, x + r, y + r)
        if label == 0:
            draw.ellipse(box, fill=colour)
        elif label == 1:
            draw.rectangle(box, fill=colour)
        elif label == 2:
            draw.polygon([(x, y - r), (x - r, y + r), (x + r, y + r)], fill=colour)
        else:
            draw.rectangle((x - r, y - r // 4, x + r, y + r // 4), fill=colour)
            draw.rectangle((x - r // 4, y - r, x + r // 4, y + r), fill=colour)
        path = Path(folder) / f"class_{label}" / f"{k}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, quality=90)
        paths.append(str(path))
        labels.append(label)
    return np.array(paths), np.array(labels)


def demo_cnn(batch_size, **params):
    """bench_peers.py's demo CNN (batch 128, constant rate, no validation)."""
    assert batch_size == BATCH
    return skvision_model(params.pop("max_iter")).set_params(**params)


def reference_cnn(batch_size, **params):
    return ConvNetClassifier.reference(
        batch_size=batch_size,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
        **params,
    )


def mobilenet(batch_size, **params):
    """MobileNetV3Small with random weights, all of it trained from epoch 0."""
    return BackboneClassifier(
        "MobileNetV3Small",
        weights=None,
        image_shape=IMAGE_SHAPE,
        fine_tune_from=0,
        batch_size=batch_size,
        early_stopping=False,
        learning_rate="constant",
        random_state=0,
        **params,
    )


MODELS = {"demo": demo_cnn, "reference": reference_cnn, "mobilenet": mobilenet}


def measure(workload, dtype, data, epochs, batch_size, utilisation):
    """Seconds per epoch, images/s, GPU %, predict images/s of one fit."""
    X, y, X_predict = data
    timer = EpochTimer()
    clf = MODELS[workload](batch_size, max_iter=epochs, dtype=dtype, callbacks=[timer])
    fit_s = seconds(clf.fit, X, y)
    epoch_s = [end - begin for begin, end in zip(timer.begins, timer.ends, strict=True)]
    timed = slice(1, None) if len(epoch_s) > 1 else slice(None)
    per_epoch = statistics.median(epoch_s[timed])
    gpu = utilisation.mean(timer.begins[timed][0], timer.ends[-1])
    clf.predict(X_predict[:batch_size])  # warm-up: graph tracing
    predict_s = statistics.median(seconds(clf.predict, X_predict) for _ in range(3))
    print(
        f"{workload} {dtype}: fit {fit_s:.1f} s, epochs "
        + ", ".join(f"{s:.2f}" for s in epoch_s)
        + f" s, GPU {gpu if isinstance(gpu, str) else f'{gpu:.0f} %'}"
    )
    del clf
    gc.collect()
    return per_epoch, len(X) / per_epoch, gpu, len(X_predict) / predict_s


def load_fashion(n_train, n_test):
    X, y = fetch_fashion_mnist(subset="train", return_X_y=True)
    X_test, _ = fetch_fashion_mnist(subset="test", return_X_y=True)
    X, y, X_test = X[:n_train], y[:n_train], X_test[:n_test]
    return X.reshape(-1, 28, 28), y, X_test.reshape(-1, 28, 28)


def print_table(columns, rows, formats):
    print("\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in rows:
        cells = [
            str(value)
            if spec is None or isinstance(value, str)
            else format(value, spec)
            for value, spec in zip(row, formats, strict=True)
        ]
        print("| " + " | ".join(cells) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="a CPU smoke run: 1,024 images, 64 files"
    )
    parser.add_argument("--epochs", type=int, default=None, help="default 4, quick 2")
    parser.add_argument(
        "--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS)
    )
    parser.add_argument(
        "--dtypes",
        nargs="+",
        choices=DTYPES,
        default=None,
        help="default all three (on a CPU: float32 and mixed_bfloat16)",
    )
    parser.add_argument(
        "--files", type=int, default=None, help="JPEG files (default 4,096, quick 64)"
    )
    parser.add_argument("--id", default=None, help="run id (default: the card's name)")
    add_arguments(parser)
    args = parser.parse_args()

    gpu = visible_gpu()
    card = card_name(gpu)
    if card is None and not args.quick:
        parser.error("no GPU found: run with --quick for a CPU smoke run")
    epochs = args.epochs or (2 if args.quick else 4)
    if epochs < 2:
        parser.error("--epochs must be at least 2 (the first one traces graphs)")
    n_files = args.files or (64 if args.quick else 4096)
    n_train, n_test = (1024, 1024) if args.quick else (60_000, 10_000)
    dtypes = args.dtypes
    if dtypes is None:
        dtypes = list(DTYPES) if card else ["float32", "mixed_bfloat16"]
        if card is None:
            print("no GPU: skipping mixed_float16, emulated very slowly on CPUs")
    run_id = args.id or (slug(card) if card else "cpu-smoke")
    print(f"card: {card or 'none (CPU)'}; keras backend {keras.config.backend()}")

    rows, failures = [], []
    utilisation = Utilisation(gpu if card else None)
    try:
        with tempfile.TemporaryDirectory(prefix="bench_gpu_") as folder:
            data, batches = {}, {}
            if {"demo", "reference"} & set(args.workloads):
                fashion = load_fashion(n_train, n_test)
                data["demo"] = data["reference"] = fashion
            if "mobilenet" in args.workloads:
                start = time.perf_counter()
                paths, labels = write_jpegs(folder, n_files)
                print(
                    f"{n_files:,} JPEGs written in {time.perf_counter() - start:.1f} s"
                )
                data["mobilenet"] = (paths, labels, paths)
            for workload in args.workloads:
                # 64 files in batches of 128 would be one step per epoch.
                batch = 32 if args.quick and workload == "mobilenet" else BATCH
                batches[workload] = batch
                float32_s = None
                for dtype in dtypes:
                    try:
                        measured = measure(
                            workload, dtype, data[workload], epochs, batch, utilisation
                        )
                    except Exception as error:  # one failure keeps the others
                        traceback.print_exc()
                        failures.append(f"{workload} {dtype}: {error!r}"[:300])
                        measured = (NOT_RECORDED,) * 4
                    if dtype == "float32" and not isinstance(measured[0], str):
                        float32_s = measured[0]
                    speedup = (
                        float32_s / measured[0]
                        if float32_s and not isinstance(measured[0], str)
                        else NOT_RECORDED
                    )
                    rows.append(
                        [
                            WORKLOAD_NAMES[workload],
                            dtype,
                            len(data[workload][0]),
                            batch,
                            *measured[:3],
                            speedup,
                            measured[3],
                        ]
                    )
    finally:
        utilisation.stop()

    columns = [
        "workload",
        "dtype",
        "train images",
        "batch",
        "s per epoch",
        "train img/s",
        "GPU util %",
        "speed-up vs float32",
        "predict img/s",
    ]
    formats = [None, None, ",d", "d", ".3f", ",.0f", ".0f", ".2f", ",.0f"]
    print_table(columns, rows, formats)
    details = nvidia_smi(gpu, "name,memory.total,driver_version") if card else None
    card_text = ", ".join(details) if details else card or "no GPU (CPU)"
    notes = [f"Card: {card_text}."]
    if failures:
        notes.append("Failed: " + "; ".join(failures) + ".")
        print("\n" + notes[-1], file=sys.stderr)
    save_run(
        "gpu",
        run_id,
        title="GPU: the demo CNN, the reference CNN and MobileNetV3Small, "
        "float32 and mixed precision",
        description=DESCRIPTION,
        run_title=f"{card or 'CPU smoke run'}, {epochs} epochs ({run_id})",
        tables=[
            table(
                f"{epochs} epochs; seconds per epoch and GPU utilisation over "
                f"epochs 2-{epochs}",
                columns,
                rows,
                formats=formats,
                notes="Train images per second are the training images over the "
                "median epoch; MobileNetV3Small's are decoded from their JPEG "
                "files every epoch. Predict: "
                f"{n_test:,} Fashion-MNIST test images, or all the "
                "files, median of 3 after a warm-up. GPU utilisation: the mean of "
                "``nvidia-smi --query-gpu=utilization.gpu`` sampled every 0.2 s.",
            )
        ],
        args=args,
        notes=" ".join(notes),
    )


if __name__ == "__main__":
    main()
