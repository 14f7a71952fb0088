"""One training step of the ``make demo`` CNN, broken down piece by piece.

Run ``python benchmarks/bench_profile.py`` with Fashion-MNIST under
``SKVISION_DATA``. The network is ``ConvNetClassifier``'s for the demo
(``benchmarks/bench_peers.py``), batch 128. Each piece of a step is timed in
isolation as a ``tf.function`` on tensors already in memory: the forward and
backward pass of each convolution, of the batch normalizations, ReLUs, max
pools, the dense layers with the softmax and the loss, Adam's update of the
422,314 weights, the uint8 scaling, and the input pipeline
(``skvision._batches.row_batches``: shuffled rows, a ``tf.numpy_function``
gather of 128 uint8 rows, prefetch) drained inside TensorFlow. Whole steps are
then timed through ``keras.Model.fit``: on skvision's pipeline as
``ConvNetClassifier`` feeds it, on one batch held in memory (no pipeline), and
both with ``steps_per_execution`` 1 and 8; a near-empty model (one dense layer
of 10 units) on the same batch gives the cost Keras and TensorFlow add to
every step whatever the network. The pieces are timed in turn, round after
round (each round times every piece once), and each figure is the median of
its rounds; ``os.getloadavg()`` is recorded at start and end. ``--quick``
runs fewer rounds.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from skvision import ConvNetClassifier, _batches  # noqa: E402
from skvision.datasets import fetch_fashion_mnist  # noqa: E402

# isort: split
from _flops import TRAINING_PASSES, arithmetic_floor, forward_flops  # noqa: E402
from _results import add_arguments, load_text, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
One training step (batch 128) of the ``make demo`` CNN on Fashion-MNIST,
piece by piece: each piece timed alone as a compiled TensorFlow function on
tensors in memory (forward and backward), then whole steps through
``keras.Model.fit``, with and without skvision's input pipeline, with
``steps_per_execution`` 1 and 8, and a near-empty model for the per-step
overhead of Keras and TensorFlow."""

BATCH = 128
STEPS = 40  # steps per timed fit


def demo_classifier():
    return ConvNetClassifier(
        conv_blocks=((32,), (64,)),
        dense_layer_sizes=(128,),
        dropout=0.4,
        learning_rate="constant",
        early_stopping=False,
        max_iter=1,
        random_state=0,
    )


def fwd_bwd(function, *inputs, variables=()):
    """A compiled function: ``function(*inputs)``'s forward and backward pass."""

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            out = function(*inputs)
            loss = tf.reduce_sum(out)
        return tape.gradient(loss, [*inputs, *variables])

    return step


def pieces(model, x_uint8, y):
    """``{name: callable}``: each piece of the step, compiled, on batch tensors."""
    by_name = {layer.name: layer for layer in model.layers}
    names = [layer.name for layer in model.layers]
    # The activations each layer reads, from one forward pass in training mode.
    inputs = {}
    x = tf.constant(x_uint8)
    for layer in model.layers[1:]:
        inputs[layer.name] = x
        x = layer(x, training=True)

    def layer_piece(name):
        layer = by_name[name]
        return fwd_bwd(
            lambda t: layer(t, training=True),
            tf.identity(inputs[name]),
            variables=layer.trainable_variables,
        )

    def group(kind):
        return [layer_piece(n) for n in names if kind(by_name[n])]

    def run_all(functions):
        return lambda: [f() for f in functions]

    conv = [n for n in names if isinstance(by_name[n], keras.layers.Conv2D)]
    head = model.get_layer("probabilities")
    labels = tf.constant(y)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    dense0 = by_name["dense_0"]

    def head_loss(features):  # dense 3136 -> 128, output 128 -> 10, softmax, loss
        hidden = dense0(features)
        return loss_fn(labels, head(hidden))

    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(model.trainable_variables)
    gradients = [tf.ones_like(v) * 1e-6 for v in model.trainable_variables]

    @tf.function
    def adam():
        optimizer.apply(gradients, model.trainable_variables)

    scale = by_name["scale_pixels"]
    raw = tf.constant(x_uint8)

    @tf.function
    def scaling():
        return tf.reshape(scale(raw), (-1, 28, 28, 1))

    return {
        "convolution 1 (1 -> 32, 28x28)": layer_piece(conv[0]),
        "convolution 2 (32 -> 64, 14x14)": layer_piece(conv[1]),
        "batch normalization x3 (training)": run_all(
            group(lambda layer: isinstance(layer, keras.layers.BatchNormalization))
        ),
        "ReLU x3": run_all(
            group(lambda layer: isinstance(layer, keras.layers.Activation))
        ),
        "max pooling x2": run_all(
            group(lambda layer: isinstance(layer, keras.layers.MaxPooling2D))
        ),
        "dropout": run_all(
            group(lambda layer: isinstance(layer, keras.layers.Dropout))
        ),
        "dense 3136 -> 128, 128 -> 10, softmax, loss": fwd_bwd(
            head_loss,
            tf.identity(inputs["dense_0"]),
            variables=[*dense0.trainable_variables, *head.trainable_variables],
        ),
        "Adam update (422,314 weights)": adam,
        "uint8 -> float scaling, reshape": scaling,
    }


def pipeline_piece(X, y, batches=STEPS):
    """Drain ``batches`` batches of skvision's training pipeline in TensorFlow."""
    dataset = _batches.row_batches((X, y, None), np.arange(len(X)), BATCH, 0)
    dataset, _ = _batches.epochs(dataset, len(X), BATCH)
    dataset = dataset.take(batches)
    return lambda: dataset.reduce(np.int64(0), lambda n, _: n + 1)


def fit_piece(model, data, steps=STEPS):
    """``model.fit`` for ``steps`` steps on ``data`` (a repeated dataset)."""

    def fit():
        model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)

    return fit


def compiled_copy(model, steps_per_execution):
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    copy.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return copy


def seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 rounds, not 7")
    add_arguments(parser)
    args = parser.parse_args()
    rounds = 3 if args.quick else 7
    load_start = os.getloadavg()
    X, y = fetch_fashion_mnist(subset="train", return_X_y=True)
    clf = demo_classifier().fit(X[: BATCH * 2], y[: BATCH * 2])
    model = clf.model_
    x_batch, y_batch = X[:BATCH], y[:BATCH]

    parts = pieces(model, x_batch, y_batch)
    parts["input pipeline: shuffle, numpy_function gather, prefetch"] = pipeline_piece(
        X, y
    )
    per_step = {name: STEPS if "pipeline" in name else 1 for name in parts}

    one_batch = tf.data.Dataset.from_tensors((x_batch, y_batch)).repeat()
    pipeline, _ = _batches.epochs(
        _batches.row_batches((X, y, None), np.arange(len(X)), BATCH, 0), len(X), BATCH
    )
    tiny = keras.Sequential(
        [keras.Input((784,)), keras.layers.Dense(10, activation="softmax")]
    )
    whole = {
        "step on skvision's pipeline, steps_per_execution=1": fit_piece(
            compiled_copy(model, 1), pipeline
        ),
        "step on skvision's pipeline, steps_per_execution=8": fit_piece(
            compiled_copy(model, 8), pipeline
        ),
        "step on one batch in memory, steps_per_execution=1": fit_piece(
            compiled_copy(model, 1), one_batch
        ),
        "step on one batch in memory, steps_per_execution=8": fit_piece(
            compiled_copy(model, 8), one_batch
        ),
        "near-empty model (dense 784 -> 10), steps_per_execution=1": fit_piece(
            compiled_copy(tiny, 1),
            one_batch.map(lambda a, b: (tf.cast(a, "float32"), b)),
        ),
        "near-empty model (dense 784 -> 10), steps_per_execution=8": fit_piece(
            compiled_copy(tiny, 8),
            one_batch.map(lambda a, b: (tf.cast(a, "float32"), b)),
        ),
    }
    per_step.update({name: STEPS for name in whole})
    everything = {**parts, **whole}
    for function in everything.values():  # traces, and warms the caches
        function()
    times = {name: [] for name in everything}
    for r in range(rounds):
        for name, function in everything.items():
            repeats = 1 if name in whole or "pipeline" in name else 10
            elapsed = sum(seconds(function) for _ in range(repeats)) / repeats
            times[name].append(1e3 * elapsed / per_step[name])
        print(f"round {r + 1} of {rounds}")
    load_end = os.getloadavg()
    ms = {name: statistics.median(values) for name, values in times.items()}

    step_ms = ms["step on skvision's pipeline, steps_per_execution=1"]
    products, elementwise = forward_flops(model)
    rate, floor_text = arithmetic_floor()
    floor_ms = 1e3 * TRAINING_PASSES * (products + elementwise) * BATCH / rate
    rows = [[name, ms[name], ms[name] / step_ms] for name in parts]
    total = sum(ms[name] for name in parts)
    rows.append(["**sum of the pieces**", total, total / step_ms])
    rows += [[name, ms[name], ms[name] / step_ms] for name in whole]
    rows.append(["arithmetic floor of a step", floor_ms, floor_ms / step_ms])
    print("\n| piece | ms per step | share of a skvision step |\n|---|---|---|")
    for name, value, share in rows:
        print(f"| {name} | {value:.2f} | {share:.2f} |")
    load = load_text(load_start, load_end)
    print(load)
    save_run(
        "profile",
        "demo-cnn",
        title="Profile of a training step",
        description=DESCRIPTION,
        run_title="The ``make demo`` CNN, batch 128, Fashion-MNIST",
        tables=[
            table(
                f"Milliseconds per step, median of {rounds} rounds",
                ["piece", "ms per step", "share of a skvision step"],
                rows,
                formats=[None, ".2f", ".2f"],
                notes="Pieces are timed alone, forward and backward, so they sum "
                "to more or less than a step: Keras' step runs some of them "
                "in parallel and adds the metrics and the loss's bookkeeping. "
                f"The floor: {floor_text}.",
            )
        ],
        args=args,
        notes=load,
    )


if __name__ == "__main__":
    main()
