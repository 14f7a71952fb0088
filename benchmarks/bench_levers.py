"""Speed levers of Keras and TensorFlow, one at a time, on three networks.

Run ``python benchmarks/bench_levers.py`` with MNIST and Fashion-MNIST under
``SKVISION_DATA``. The networks are skvision's own: ``DenseNetClassifier()``'s
on MNIST (``benchmarks/bench_dense.py``), the ``make demo`` CNN
(``benchmarks/bench_peers.py``) and ``ConvNetClassifier.reference()``'s
(``benchmarks/bench_conv.py``) on Fashion-MNIST, each built by its estimator
and fed, like ``fit`` feeds it, by ``skvision._batches.row_batches`` (uint8
rows gathered by a ``tf.numpy_function``, batch 128). Each lever changes one
thing against that baseline:

* ``jit_compile=True`` (XLA; Keras' ``"auto"`` leaves it off on CPUs);
* ``steps_per_execution=8`` (Keras runs 8 steps per call into TensorFlow);
* batch normalization as TensorFlow's fused kernel (``FusedBatchNormV3``,
  which oneDNN implements; skvision's convolutions use it since issue 36)
  against Keras 3's ``moments`` and ``batch_normalization`` ops (this row
  compares the two, whatever the default);
* the pipeline's gather and prefetch: the gather on ``tf.data.AUTOTUNE``
  parallel calls and prefetch, or ``tf.gather`` inside TensorFlow rather than
  NumPy; every pipeline untuned, as skvision's (``bench_fit_return.py``:
  an autotuned iterator's deletion adds a wait to each ``fit``);
* channels-first convolutions (the CNNs);
* in a fresh process each, since TensorFlow reads them when it starts:
  ``TF_ENABLE_ONEDNN_OPTS=0`` and ``=1`` (and ``=1`` with oneDNN held to
  AVX2, ``ONEDNN_MAX_CPU_ISA=AVX2``, as on a CPU without AVX-512), one
  inter-op thread, and one intra-op and one inter-op thread.

A measurement is one ``model.fit`` of a fixed number of steps after a warm-up
fit that traces; the variants are timed in turn, round after round, and the
median of the rounds is reported, with the load average at start and end.
``--quick`` runs fewer steps and rounds (a smoke run).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

DESCRIPTION = """\
Milliseconds per training step (batch 128) of the dense net, the ``make demo``
CNN and the reference CNN, fed by skvision's pipeline, with one lever changed
at a time against the defaults; variants are timed in turn and the median of
the rounds is shown. Environment variables are set in a fresh process each."""

NETS = ("dense", "demo CNN", "reference CNN")
BATCH = 128
ENV_LEVERS = {
    "TF_ENABLE_ONEDNN_OPTS=0": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    "TF_ENABLE_ONEDNN_OPTS=1": {"TF_ENABLE_ONEDNN_OPTS": "1"},
    # oneDNN as on the AVX2-only CPU of issue 36, where TensorFlow leaves it off.
    "TF_ENABLE_ONEDNN_OPTS=1, ONEDNN_MAX_CPU_ISA=AVX2": {
        "TF_ENABLE_ONEDNN_OPTS": "1",
        "ONEDNN_MAX_CPU_ISA": "AVX2",
    },
    "1 inter-op thread": {"TF_NUM_INTEROP_THREADS": "1"},
    "1 intra-op, 1 inter-op thread": {
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
    },
}


def load_nets():
    """``{name: (compiled model, X uint8, y)}``, built by skvision's estimators."""
    from skvision import ConvNetClassifier, DenseNetClassifier
    from skvision.datasets import fetch_fashion_mnist, fetch_mnist

    fixed = dict(
        max_iter=1, early_stopping=False, learning_rate="constant", random_state=0
    )
    mnist = fetch_mnist(subset="train", return_X_y=True)
    fashion = fetch_fashion_mnist(subset="train", return_X_y=True)
    estimators = {
        "dense": (DenseNetClassifier(**fixed), mnist),
        "demo CNN": (
            ConvNetClassifier(
                conv_blocks=((32,), (64,)), dense_layer_sizes=(128,), **fixed
            ),
            fashion,
        ),
        "reference CNN": (ConvNetClassifier.reference(**fixed), fashion),
    }
    nets = {}
    for name, (estimator, (X, y)) in estimators.items():
        estimator.fit(X[: 2 * BATCH], y[: 2 * BATCH])
        nets[name] = (estimator.model_, X, y)
    return nets


def compiled(model, **options):
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        **options,
    )
    return model


def copy_of(model):
    import keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def rebuilt(model, replace):
    """A chain model rebuilt layer by layer; ``replace(layer)`` returns the
    layers to put in its place (a list)."""
    import keras

    x = inputs = keras.Input(model.input_shape[1:], dtype=model.inputs[0].dtype)
    for layer in model.layers[1:]:
        for new in replace(layer):
            x = new(x)
    return keras.Model(inputs, x)


def with_batch_norm(model, fused):
    """``model`` with the convolutions' batch norms fused (skvision's layer,
    its default since issue 36) or Keras' own; dense layers' stay Keras'."""
    import keras

    from skvision._networks.layers import BatchNormalization

    def replace(layer):
        config = layer.get_config()
        if isinstance(layer, keras.layers.BatchNormalization):
            four_d = len(layer.input.shape) == 4
            kind = (
                BatchNormalization
                if fused and four_d
                else keras.layers.BatchNormalization
            )
            return [kind.from_config(config)]
        return [layer.__class__.from_config(config)]

    return rebuilt(model, replace)


def channels_first(model):
    import keras

    def replace(layer):
        config = layer.get_config()
        if isinstance(layer, keras.layers.Conv2D | keras.layers.MaxPooling2D):
            config["data_format"] = "channels_first"
        four_d = len(layer.input.shape) == 4
        if isinstance(layer, keras.layers.BatchNormalization) and four_d:
            config["axis"] = 1
        new = [layer.__class__.from_config(config)]
        if layer.name == "image":  # (h, w, c) -> (c, h, w)
            new.append(keras.layers.Permute((3, 1, 2)))
        return new

    return rebuilt(model, replace)


def pipeline(X, y, kind="skvision"):
    """The training data, repeated: skvision's, or a variant of its gather."""
    import numpy as np
    import tensorflow as tf

    from skvision import _batches

    rows = np.arange(len(X))
    if kind == "skvision":
        dataset = _batches.row_batches((X, y, None), rows, BATCH, 0)
    elif kind == "parallel":  # the same NumPy gather, on parallel calls

        def gather(batch):
            batch = np.sort(batch)
            return X[batch], y[batch]

        def gather_op(batch):
            images, labels = tf.numpy_function(
                gather, [batch], [X.dtype, y.dtype], stateful=False
            )
            return (
                tf.ensure_shape(images, (None, X.shape[1])),
                tf.ensure_shape(labels, (None,)),
            )

        batches = tf.data.Dataset.from_tensor_slices(rows)
        batches = batches.shuffle(len(rows), seed=0, reshuffle_each_iteration=True)
        dataset = _batches.untuned(
            batches.batch(BATCH)
            .map(gather_op, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
            .prefetch(tf.data.AUTOTUNE)
        )
    elif kind == "tf.gather":
        X_t, y_t = tf.constant(X), tf.constant(y)
        batches = tf.data.Dataset.from_tensor_slices(rows)
        batches = batches.shuffle(len(rows), seed=0, reshuffle_each_iteration=True)
        dataset = _batches.prefetched(
            batches.batch(BATCH).map(
                lambda b: (tf.gather(X_t, tf.sort(b)), tf.gather(y_t, tf.sort(b)))
            )
        )
    return _batches.epochs(dataset, len(X), BATCH)[0]


def variants(nets, in_process=True):
    """``[(lever, net, fit function)]``: the baseline and each lever, per net."""
    result = []
    for name, (model, X, y) in nets.items():
        data = pipeline(X, y)

        def add(lever, variant, dataset=data, name=name):
            result.append((lever, name, variant, dataset))

        add("baseline", compiled(copy_of(model)))
        if not in_process:
            continue
        add("jit_compile=True", compiled(copy_of(model), jit_compile=True))
        add("steps_per_execution=8", compiled(copy_of(model), steps_per_execution=8))
        add("Keras batch norm", compiled(with_batch_norm(model, fused=False)))
        add("fused batch norm", compiled(with_batch_norm(model, fused=True)))
        add(
            "gather: parallel calls, prefetch AUTOTUNE",
            compiled(copy_of(model)),
            pipeline(X, y, "parallel"),
        )
        add(
            "gather: tf.gather in the graph",
            compiled(copy_of(model)),
            pipeline(X, y, "tf.gather"),
        )
        if name != "dense":
            add("channels first", compiled(channels_first(model)))
    return result


def measure(steps, rounds, in_process=True):
    """``{(lever, net): [ms per step of each round]}`` in this process."""
    nets = load_nets()
    runs = variants(nets, in_process)
    per_net_steps = {"dense": steps * 4, "demo CNN": steps, "reference CNN": steps}
    for lever, net, model, data in list(runs):
        try:
            model.fit(data, steps_per_epoch=8, epochs=1, verbose=0)  # traces
        except Exception as error:  # a lever this TensorFlow cannot run
            print(f"{lever} on {net}: {type(error).__name__}: {error}", file=sys.stderr)
            runs.remove((lever, net, model, data))
    times = {(lever, net): [] for lever, net, _, _ in runs}
    for _ in range(rounds):
        for lever, net, model, data in runs:
            n = per_net_steps[net]
            start = time.perf_counter()
            model.fit(data, steps_per_epoch=n, epochs=1, verbose=0)
            times[(lever, net)].append(1e3 * (time.perf_counter() - start) / n)
    return times


def worker(args):
    times = measure(args.steps, args.rounds, in_process=False)
    print(json.dumps([[lever, net, ms] for (lever, net), ms in times.items()]))


def env_lever_times(steps, rounds, repeats):
    """Each environment lever and the default, in fresh processes taken in turn."""
    times = {}
    settings = {"default": {}, **ENV_LEVERS}
    for _ in range(repeats):
        for lever, env in settings.items():
            command = [
                sys.executable,
                __file__,
                "--worker",
                "--steps",
                str(steps),
                "--rounds",
                str(rounds),
            ]
            out = subprocess.run(
                command,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for _, net, ms in json.loads(out.strip().splitlines()[-1]):
                times.setdefault((lever, net), []).extend(ms)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer steps and rounds")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--only",
        choices=["in-process", "environment"],
        default=None,
        help="measure only these levers",
    )
    from _results import add_arguments, load_text, save_run, table  # benchmarks/

    add_arguments(parser)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    steps, rounds = (8, 2) if args.quick else (20, 5)
    load_start = os.getloadavg()
    times = {}
    if args.only != "environment":
        times.update(measure(steps, rounds))
    if args.only != "in-process":
        times.update(
            env_lever_times(steps, 1 if args.quick else 2, 1 if args.quick else 2)
        )
    load_end = os.getloadavg()
    ms = {key: statistics.median(values) for key, values in times.items()}
    rows = []
    for baseline in ("baseline", "default"):
        levers = sorted(
            {
                lever
                for lever, _ in ms
                if lever not in ("baseline", "default", "Keras batch norm")
            }
        )
        for lever in levers:
            if (baseline == "default") != (lever in ENV_LEVERS):
                continue
            for net in NETS:
                reference = (
                    "Keras batch norm" if lever == "fused batch norm" else baseline
                )
                if (lever, net) in ms and (reference, net) in ms:
                    base, value = ms[(reference, net)], ms[(lever, net)]
                    rows.append([lever, net, base, value, value / base])
    print(
        "\n| lever | network | baseline ms/step | lever ms/step | ratio |"
        "\n|---|---|---|---|---|"
    )
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]:.2f} | {row[3]:.2f} | {row[4]:.3f} |")
    load = load_text(load_start, load_end)
    print(load)
    import keras  # noqa: F401  (recorded with the machine)

    save_run(
        "levers",
        "three-nets",
        title="Speed levers, one at a time",
        description=DESCRIPTION,
        run_title="Dense net (MNIST), demo CNN and reference CNN (Fashion-MNIST), "
        "batch 128",
        tables=[
            table(
                "Milliseconds per training step; ratio < 1 is faster",
                ["lever", "network", "baseline ms/step", "lever ms/step", "ratio"],
                rows,
                formats=[None, None, ".2f", ".2f", ".3f"],
                notes="Environment levers are compared with the default measured "
                "in fresh processes taken in turn with theirs; the others with "
                "the baseline in the same process.",
            )
        ],
        args=args,
        notes=load,
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
