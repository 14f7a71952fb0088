"""The ``make demo`` network in skvision, raw Keras and skorch (PyTorch, CPU).

Run ``make bench-peers`` (it installs the peers into ``.venv-peers``, never
into the test venv, from ``benchmarks/requirements-peers.txt``) with
Fashion-MNIST under ``SKVISION_DATA``. The network of ``examples/demo.py``
(conv 32 -> BN -> ReLU -> 2x2 max pool, conv 64 -> BN -> ReLU -> pool, dense
128 -> BN -> ReLU -> dropout 0.4, softmax; 422,314 parameters counted alike in
both frameworks, batch-norm statistics included) is trained on the 60,000
training images, batch 128, Adam at 1e-3, no validation split, as
``ConvNetClassifier``, as the same layers in Keras (``model.fit`` on float
arrays) and as skorch's ``NeuralNetClassifier``.

The three train one epoch at a time, in turn (skvision, Keras, skorch,
repeated): load from other processes then weighs on all three alike. Each
epoch is timed whole (``partial_fit``, ``fit(epochs=1)``); the seconds per
epoch are the median of epochs 2 to n (the first traces graphs). Then: test
accuracy after those epochs, predict 10,000 images (median of 3) and one
image (median of 200 calls). The FLOPs per sample are computed from the Keras
model's layers (``benchmarks/_flops.py``) and give the arithmetic floor of an
epoch on this machine; ``os.getloadavg()`` is recorded at start and end.
``--quick`` trains on 3,000 images and tests on 1,000 (a smoke run).
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from skvision import ConvNetClassifier  # noqa: E402
from skvision.datasets import fetch_fashion_mnist  # noqa: E402

# isort: split
from _flops import TRAINING_PASSES, arithmetic_floor, forward_flops  # noqa: E402
from _results import add_arguments, load_text, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
The ``make demo`` network (two conv-BN-ReLU-pool blocks of 32 and 64 filters,
dense 128 with batch normalization and dropout 0.4, softmax; 422,314
parameters) on the 60,000 Fashion-MNIST training images, batch 128, Adam, no
validation split: skvision's ``ConvNetClassifier``, the same layers in raw
Keras, and skorch's ``NeuralNetClassifier`` on PyTorch's CPU build, trained an
epoch at a time in turn in one process (``make bench-peers``, a venv of its
own). The floor is the epoch's training FLOPs (three forward passes, computed
from the layers) at the machine's peak float32 rate: cores x clock x FMA
width, or the rate NumPy's float32 matrix product reaches where that is
higher (``benchmarks/_flops.py``)."""

PARAMETERS = 422_314
BATCH = 128


def skvision_model(epochs):
    """examples/demo.py's ConvNetClassifier, with a constant learning rate."""
    return ConvNetClassifier(
        conv_blocks=((32,), (64,)),
        dense_layer_sizes=(128,),
        dropout=0.4,
        batch_size=BATCH,
        learning_rate="constant",
        early_stopping=False,
        max_iter=epochs,
        random_state=0,
    )


def keras_model():
    """The same network written directly in Keras, on 28x28x1 float images."""
    layers = keras.layers

    def block(x, filters):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        return layers.MaxPooling2D(2)(x)

    inputs = keras.Input((28, 28, 1))
    x = block(block(inputs, 32), 64)
    x = layers.Flatten()(x)
    x = layers.Dense(128, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Dropout(0.4)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def skorch_model():
    """The same network in PyTorch, as a skorch NeuralNetClassifier.

    Batch normalization as Keras': eps 1e-3 and moving averages that keep
    0.99 of the old statistics (PyTorch's momentum is the new data's share).
    """
    import torch
    from skorch import NeuralNetClassifier
    from torch import nn

    def block(c_in, c_out):
        return [
            nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
            nn.BatchNorm2d(c_out, eps=1e-3, momentum=0.01),
            nn.ReLU(),
            nn.MaxPool2d(2),
        ]

    module = nn.Sequential(
        *block(1, 32),
        *block(32, 64),
        nn.Flatten(),
        nn.Linear(7 * 7 * 64, 128, bias=False),
        nn.BatchNorm1d(128, eps=1e-3, momentum=0.01),
        nn.ReLU(),
        nn.Dropout(0.4),
        nn.Linear(128, 10),  # logits; predict_proba applies the softmax
    )
    torch.manual_seed(0)
    return NeuralNetClassifier(
        module,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=BATCH,
        max_epochs=1,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )


def torch_parameters(module):
    """Parameters and batch-norm running statistics, as Keras counts them."""
    count = sum(p.numel() for p in module.parameters())
    return count + sum(
        b.numel() for name, b in module.named_buffers() if "running_" in name
    )


def seconds(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def median_ms(function, x, repeats=200):
    function(x)
    return 1e3 * statistics.median(seconds(function, x) for _ in range(repeats))


class Peer:
    """One framework's network: an epoch, predictions, its images."""

    def __init__(self, name, epoch, predict, train, test):
        self.name, self.epoch, self.predict = name, epoch, predict
        self.train, self.test = train, test  # (X, y) in the framework's format
        self.epoch_seconds = []


def peers(names, X, y, X_test, epochs):
    """The peers, each with its own copy of the images in its own format."""
    classes = np.unique(y)
    result = []
    if "skvision" in names:
        clf = skvision_model(epochs)
        assert clf.get_params()["batch_size"] == BATCH
        result.append(
            Peer(
                "skvision ``ConvNetClassifier``",
                lambda X, y: clf.partial_fit(X, y, classes=classes),
                clf.predict,
                (X, y),
                X_test,
            )
        )
        result[-1].estimator = clf
    if "keras" in names:
        keras.utils.set_random_seed(0)
        model = keras_model()
        assert model.count_params() == PARAMETERS, model.count_params()

        def keras_predict(images):
            return model.predict_on_batch(images).argmax(axis=1)

        def keras_epoch(images, labels):
            model.fit(images, labels, batch_size=BATCH, epochs=1, verbose=0)

        pixels = (X / np.float32(255)).reshape(-1, 28, 28, 1)
        test_pixels = (X_test / np.float32(255)).reshape(-1, 28, 28, 1)
        result.append(
            Peer("raw Keras", keras_epoch, keras_predict, (pixels, y), test_pixels)
        )
        result[-1].estimator = model
    if "skorch" in names:
        net = skorch_model()
        pixels = (X / np.float32(255)).reshape(-1, 1, 28, 28)
        test_pixels = (X_test / np.float32(255)).reshape(-1, 1, 28, 28)
        net.initialize()
        count = torch_parameters(net.module_)
        assert count == PARAMETERS, count
        result.append(
            Peer(
                "skorch ``NeuralNetClassifier``",
                lambda X, y: net.partial_fit(X, y, classes=classes),
                net.predict,
                (pixels, y.astype(np.int64)),
                test_pixels,
            )
        )
        result[-1].estimator = net
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3,000 images")
    parser.add_argument("--epochs", type=int, default=4, help="epochs (default 4)")
    parser.add_argument(
        "--peers",
        nargs="+",
        choices=["skvision", "keras", "skorch"],
        default=["skvision", "keras", "skorch"],
        help="which to run (skorch needs `make bench-peers`'s venv)",
    )
    parser.add_argument(
        "--id", default="fashion-mnist", help="the run's id in the results file"
    )
    add_arguments(parser)
    args = parser.parse_args()
    load_start = os.getloadavg()
    X, y = fetch_fashion_mnist(subset="train", return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    if args.quick:
        X, y, X_test, y_test = X[:3000], y[:3000], X_test[:1000], y_test[:1000]
    X, X_test = X.reshape(-1, 28, 28), X_test.reshape(-1, 28, 28)

    products, elementwise = forward_flops(keras_model())
    training_flop = TRAINING_PASSES * (products + elementwise) * len(X)
    rate, floor_text = arithmetic_floor()
    floor_s = training_flop / rate
    print(
        f"forward {products / 1e6:.2f} MFLOP of products + {elementwise / 1e6:.2f} "
        f"elementwise per sample; an epoch {training_flop / 1e12:.2f} TFLOP; "
        f"{floor_text}: floor {floor_s:.2f} s per epoch"
    )

    nets = peers(args.peers, X, y, X_test, args.epochs)
    for epoch in range(args.epochs):
        for net in nets:
            net.epoch_seconds.append(seconds(net.epoch, *net.train))
            print(f"epoch {epoch + 1} {net.name}: {net.epoch_seconds[-1]:.2f} s")

    rows = []
    for net in nets:
        accuracy = float(np.mean(net.predict(net.test) == y_test))
        predict_s = statistics.median(seconds(net.predict, net.test) for _ in range(3))
        one_ms = median_ms(net.predict, net.test[:1])
        epoch_s = statistics.median(net.epoch_seconds[1:] or net.epoch_seconds)
        rows.append([net.name, epoch_s, epoch_s / floor_s, accuracy, predict_s, one_ms])
    load_end = os.getloadavg()
    if "skorch" in args.peers:
        skorch_row = rows[-1]
        for row in rows:
            row += [row[1] / skorch_row[1], row[5] / skorch_row[5]]
    else:
        for row in rows:
            row += ["not recorded", "not recorded"]

    columns = [
        "network",
        "s per epoch",
        "x floor",
        "test accuracy",
        "predict 10k s",
        "predict 1 ms",
        "epoch / skorch",
        "predict 1 / skorch",
    ]
    print("\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in rows:
        print(
            "| "
            + " | ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row)
            + " |"
        )
    load = load_text(load_start, load_end)
    print(load)
    flops_text = (
        f"Forward pass {products / 1e6:.2f} MFLOP of convolutions and dense "
        f"products plus {elementwise / 1e6:.2f} MFLOP elementwise (batch norm, "
        f"ReLU, pooling, softmax) per image, from the layers; training "
        f"{TRAINING_PASSES} x that, {training_flop / 1e12:.2f} TFLOP per epoch of "
        f"{len(X):,} images. Floor: {floor_text}, so {floor_s:.2f} s per epoch."
    )
    save_run(
        "peers",
        args.id,
        title="Peers: skvision, raw Keras and skorch on the same CNN",
        description=DESCRIPTION,
        run_title=f"Fashion-MNIST, {len(X):,} training / {len(X_test):,} test "
        f"images, {args.epochs} epochs ({args.id})",
        tables=[
            table(
                f"{args.epochs} epochs, taken in turn; seconds per epoch are the "
                f"median of epochs 2-{args.epochs}",
                columns,
                rows,
                formats=[None, ".2f", ".2f", ".4f", ".3f", ".2f", ".2f", ".2f"],
                notes="Predict 1 is the median of 200 calls on one image: "
                "``predict`` for skvision and skorch, ``predict_on_batch`` for "
                "Keras (its ``predict`` costs tens of ms per call). Targets "
                "(issue 36): an epoch at most 0.8x skorch's and 2.5x the floor; "
                "predict 1 at most skorch's.",
            )
        ],
        args=args,
        packages=("torch", "skorch"),
        notes=f"{flops_text} {load}",
    )


if __name__ == "__main__":
    main()
