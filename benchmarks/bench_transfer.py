"""Transfer from MNIST to Fashion-MNIST with few labels, against training from scratch.

Run ``python benchmarks/bench_transfer.py`` with MNIST and Fashion-MNIST under
``SKVISION_DATA``. The backbone is three conv-BN-ReLU-pool blocks (32, 64, 128
filters), flattened, trained with a softmax on all MNIST digits; a
``BackboneClassifier`` reuses it up to the softmax. Then, for 100 and 10
labelled Fashion-MNIST images per class (drawn per seed), the same network
(the backbone's blocks, a dense layer of 256 with dropout 0.4, a softmax) is
trained:

- from scratch (``ConvNetClassifier``);
- on the MNIST backbone, frozen (only the head trains);
- on the MNIST backbone, fine-tuned from the first epoch at the same learning
  rate (the backbone is the initialization);
- on the MNIST backbone, head only for half the epochs, then every layer at a
  tenth of the learning rate (Keras' transfer-learning recipe);
- on the backbone's first two blocks (generic strokes and edges), frozen, with
  a third convolution block trained from scratch in place of MNIST's
  (a ``keras.Model`` built by a function, which ``BackboneClassifier`` takes
  like any backbone); and the same with the two blocks fine-tuned too.

Every model gets the same epochs, batch size and learning rate, no hold-out
and no early stopping; each is tested on the full Fashion-MNIST test set
(10,000 images). It prints a Markdown table of mean ± standard deviation of
the test accuracy over the seeds, and saves it with the machine in
``benchmarks/results/transfer.json``. ``--quick`` trains the backbone on 5,000
digits, uses 1 seed and tests on 2,000 images: a smoke run, not a result.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402

from skvision import BackboneClassifier, ConvNetClassifier  # noqa: E402
from skvision.datasets import fetch_fashion_mnist, fetch_mnist  # noqa: E402

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
A backbone (three conv-BN-ReLU-pool blocks of 32, 64 and 128 filters,
flattened) trained on MNIST digits, then reused on Fashion-MNIST with few
labels. Every model is the same network (those blocks, a dense layer of 256
with dropout 0.4, a softmax), trained 30 epochs at batch 32 and a constant
learning rate of 1e-3, no hold-out, and tested on all 10,000 Fashion-MNIST
test images; mean ± standard deviation over draws of the labelled images."""

BLOCKS = dict(conv_blocks=((32,), (64,), (128,)), batch_normalization=True)
HEAD = dict(dense_layer_sizes=(256,), dropout=0.4)
TRAINING = dict(
    batch_size=32, early_stopping=False, learning_rate="constant", verbose=0
)


def few_per_class(y, n_per_class, seed):
    """Indices of ``n_per_class`` samples of each class, drawn with ``seed``."""
    rng = np.random.RandomState(seed)
    rows = [
        rng.choice(np.flatnonzero(y == label), n_per_class, replace=False)
        for label in np.unique(y)
    ]
    return np.concatenate(rows)


def lower_blocks(net, n_blocks, filters=128):
    """A backbone builder: ``net``'s first ``n_blocks`` convolution blocks (a
    copy, with their weights), then a fresh convolution block of ``filters``."""

    def build(image_shape):
        copy = keras.models.clone_model(net.model_)
        copy.set_weights(net.model_.get_weights())
        inputs = keras.Input(image_shape)
        x = inputs
        for layer in copy.layers:
            if layer.name.startswith("block") and int(layer.name[5]) <= n_blocks:
                x = layer(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        return keras.Model(inputs, keras.layers.MaxPooling2D()(x))

    return build


def models(backbone, epochs, seed):
    def on_backbone(**fine_tuning):
        return BackboneClassifier(
            FrozenEstimator(backbone),
            **HEAD,
            **fine_tuning,
            **TRAINING,
            max_iter=epochs,
            random_state=seed,
        )

    def on_lower_blocks(**fine_tuning):
        return BackboneClassifier(
            lower_blocks(backbone, 2),
            pooling="flatten",
            image_shape=(28, 28, 1),
            **HEAD,
            **fine_tuning,
            **TRAINING,
            max_iter=epochs,
            random_state=seed,
        )

    return {
        "from scratch": ConvNetClassifier(
            **BLOCKS, **HEAD, **TRAINING, max_iter=epochs, random_state=seed
        ),
        "MNIST backbone, frozen": on_backbone(),
        "MNIST backbone, fine-tuned from epoch 0": on_backbone(
            fine_tune_from=0, fine_tune_learning_rate=1e-3
        ),
        "MNIST backbone, head first, then fine-tuned at 1e-4": on_backbone(
            fine_tune_from=epochs // 2
        ),
        # fine_tune_layers=2: the fresh block's convolution and pooling train.
        "first 2 MNIST blocks, frozen, + a fresh conv block": on_lower_blocks(
            fine_tune_from=0, fine_tune_layers=2, fine_tune_learning_rate=1e-3
        ),
        "first 2 MNIST blocks, fine-tuned, + a fresh conv block": on_lower_blocks(
            fine_tune_from=0, fine_tune_learning_rate=1e-3
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--backbone-epochs", type=int, default=3)
    add_arguments(parser)
    args = parser.parse_args()
    n_digits, n_test, seeds = 60_000, 10_000, range(args.seeds)
    if args.quick:
        n_digits, n_test, seeds = 5_000, 2_000, range(1)
    digits = fetch_mnist(subset="train")
    fashion_train = fetch_fashion_mnist(subset="train")
    fashion_test = fetch_fashion_mnist(subset="test")
    X_test, y_test = fashion_test.images[:n_test], fashion_test.target[:n_test]

    start = time.perf_counter()
    backbone = ConvNetClassifier(
        **BLOCKS,
        dense_layer_sizes=(),
        dropout=0.4,
        **{**TRAINING, "batch_size": 128},
        max_iter=args.backbone_epochs,
        random_state=0,
    ).fit(digits.images[:n_digits], digits.target[:n_digits])
    digits_test = fetch_mnist(subset="test")
    backbone_accuracy = backbone.score(digits_test.images, digits_test.target)
    backbone_s = time.perf_counter() - start
    print(f"MNIST backbone: {backbone_s:.0f} s, {backbone_accuracy:.4f}")

    scores = {}
    for n_per_class in (100, 10):
        for seed in seeds:
            rows = few_per_class(fashion_train.target, n_per_class, seed)
            X, y = fashion_train.images[rows], fashion_train.target[rows]
            for name, model in models(backbone, args.epochs, seed).items():
                accuracy = model.fit(X, y).score(X_test, y_test)
                scores.setdefault((n_per_class, name), []).append(accuracy)
                print(f"{n_per_class}/class seed {seed} {name}: {accuracy:.4f}")

    rows = [
        [
            f"{10 * n_per_class:,} ({n_per_class}/class)",
            name,
            f"{100 * np.mean(values):.1f} ± {100 * np.std(values):.1f} %",
        ]
        for (n_per_class, name), values in scores.items()
    ]
    print("\n| labelled images | model | test accuracy |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {' | '.join(row)} |")
    save_run(
        "transfer",
        f"mnist-to-fashion {len(seeds)} seeds {args.epochs} epochs",
        title="Transfer learning",
        description=DESCRIPTION,
        run_title=f"MNIST to Fashion-MNIST, {len(seeds)} draws, {args.epochs} epochs",
        tables=[
            table(
                f"Test accuracy on {n_test:,} Fashion-MNIST test images, mean ± "
                f"standard deviation over {len(seeds)} draws",
                ["labelled images", "model", "test accuracy"],
                rows,
            )
        ],
        notes=f"The backbone: {args.backbone_epochs} epochs on {n_digits:,} MNIST "
        f"digits, {100 * backbone_accuracy:.2f} % on the digit test set "
        f"({backbone_s:.0f} s).",
        args=args,
    )


if __name__ == "__main__":
    main()
