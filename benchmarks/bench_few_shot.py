"""Few-shot recognition of new Omniglot alphabets: what metric learning gains.

Run ``python benchmarks/bench_few_shot.py`` with Omniglot under
``SKVISION_DATA``. Three alphabets of the small background set (88
characters, 20 drawings each) train; Balinese and Greek, never seen, are
tested on 20-way within-alphabet episodes (one and five drawings per
character; 400 episodes each, the same for every row), with a
1-nearest-neighbour classifier on each row's features, as in
``examples/plot_few_shot.py``.

``--part ablation`` (the default) changes one thing per row, each row on top
of the one before unless it says otherwise. ``--part speed`` times a training
step of :class:`~skvision.embedding.EmbeddingNet` (one episode) against a
:class:`~skvision.ConvNetClassifier` step on a batch of as many images through
the same convolutions, and the episode sampling alone. ``--quick`` trains a
tenth as long and draws 50 episodes: a smoke run, not a result.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from scipy import ndimage  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402

from skvision import BackboneFeatures, ConvNetClassifier, EmbeddingNet  # noqa: E402
from skvision.datasets import fetch_omniglot  # noqa: E402
from skvision.embedding._episodes import EpisodeSampler  # noqa: E402
from skvision.transfer import FewShotSplit  # noqa: E402

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)

TEST_ALPHABETS = ["Balinese", "Greek"]
AFFINE = dict(rotation_range=10.0, zoom_range=0.1, translation_range=0.1)
# The example's cross-entropy network (examples/plot_few_shot.py).
CROSS_ENTROPY = dict(
    resize_to=(32, 32),
    conv_blocks=((32,), (64,), (128,), (256,)),
    pooling="avg",
    dense_layer_sizes=(),
    dropout=0.2,
    batch_size=64,
    early_stopping=False,
    **AFFINE,
)


def load():
    omniglot = fetch_omniglot(subset="background_small1")
    test = np.isin(omniglot.alphabet, TEST_ALPHABETS)
    return 255 - omniglot.images, omniglot.target, omniglot.alphabet, test


def rotated_classes(images, y):
    """Each character turned by 0, 90, 180 and 270 degrees, as four characters."""
    turns = [np.rot90(images, k, axes=(1, 2)) for k in range(4)]
    labels = [np.char.add(y.astype(str), f"@{90 * k}") for k in range(4)]
    return np.concatenate(turns), np.concatenate(labels)


def stroke_widths(images, y):
    """Each drawing thinner and thicker too (grey erosion and dilation, 3x3)."""
    thin = ndimage.grey_erosion(images, size=(1, 3, 3))
    thick = ndimage.grey_dilation(images, size=(1, 3, 3))
    return np.concatenate([images, thin, thick]), np.tile(y, 3)


# The rows: (name, transforms of the training set, EmbeddingNet parameters).
# The first four build up the example's network, each on top of the row
# before; the rest change one thing of the fourth.
BASE = dict(resize_to=(28, 28), n_way=20, n_shot=1, n_query=5, max_iter=60)
WIDER = dict(
    resize_to=(32, 32),
    conv_blocks=((32,), (64,), (128,), (256,)),
    pooling="avg",
    embedding_dim=128,
)
TURNED = (rotated_classes,)
EXAMPLE = {**BASE, **AFFINE, **WIDER}
ROWS = [
    ("prototypical: 4x64 convs, 28x28, 64-d, 20-way 1-shot", (), BASE),
    ("+ affine augmentation", (), {**BASE, **AFFINE}),
    ("+ turned copies as new classes (x4)", TURNED, {**BASE, **AFFINE}),
    ("+ 32x32, convs 32-64-128-256, avg pooling, 128-d", TURNED, EXAMPLE),
    ("  with 60-way training episodes", TURNED, {**EXAMPLE, "n_way": 60}),
    ("  with 5-shot training episodes", TURNED, {**EXAMPLE, "n_shot": 5}),
    ("  with thinner and thicker strokes (x3)", (*TURNED, stroke_widths), EXAMPLE),
    ("  with 48x48 inputs", TURNED, {**EXAMPLE, "resize_to": (48, 48)}),
    ("  with episodes within one alphabet", TURNED + ("groups",), EXAMPLE),
    (
        "  with the triplet objective (semi-hard)",
        TURNED,
        {
            **EXAMPLE,
            "objective": "triplet",
        },
    ),
]


def error_rates(X, y, alphabet, n_episodes):
    errors = []
    for n_shot in (1, 5):
        episodes = FewShotSplit(20, n_shot, n_episodes=n_episodes, random_state=0)
        accuracy = cross_val_score(
            KNeighborsClassifier(n_neighbors=1), X, y, groups=alphabet, cv=episodes
        )
        errors.append(100 * (1 - accuracy.mean()))
    return errors


def ablation(args):
    images, y, alphabet, test = load()
    n_episodes = 50 if args.quick else 400
    epochs_scale = 0.1 if args.quick else 1.0
    rows = []

    def report(name, features, seconds):
        one, five = error_rates(features, y[test], alphabet[test], n_episodes)
        rows.append([name, one, five, seconds])
        print(f"{name:50} {one:5.1f} % {five:5.1f} % {seconds:6.0f} s", flush=True)

    report("raw pixels", images[test].reshape(test.sum(), -1) / 255, 0)
    start = time.perf_counter()
    net = ConvNetClassifier(
        **CROSS_ENTROPY, max_iter=max(1, round(40 * epochs_scale)), random_state=0
    ).fit(images[~test], y[~test])
    features = BackboneFeatures(FrozenEstimator(net)).fit_transform(images[test])
    report(
        "cross-entropy features (the example's CNN)",
        features,
        time.perf_counter() - start,
    )

    for name, transforms, params in ROWS:
        X, labels, groups = images[~test], y[~test], alphabet[~test]
        for transform in transforms:
            if transform == "groups":
                continue
            X, labels = transform(X, labels)
            groups = np.resize(groups, len(labels))  # copies keep their alphabet
        if "groups" not in transforms:
            groups = None
        # Copies of the training set (turned, stroke widths) train fewer
        # epochs: every row takes about as many steps.
        copies = len(labels) / (~test).sum()
        epochs = max(1, round(params["max_iter"] * epochs_scale / copies))
        start = time.perf_counter()
        net = EmbeddingNet(**{**params, "max_iter": epochs}, random_state=0)
        net.fit(X, labels, groups=groups)
        report(name, net.transform(images[test]), time.perf_counter() - start)
    return table(
        "20-way error on the new alphabets (1-nearest neighbour)",
        ["features", "one-shot error (%)", "five-shot error (%)", "training (s)"],
        rows,
        formats=[None, ".1f", ".1f", ".0f"],
    )


def speed(args):
    images, y, _, test = load()
    X, labels = images[~test], y[~test]
    n_steps, n_rounds = (5, 1) if args.quick else (40, 3)
    size = 20 * (1 + 5)  # 20-way, 1 support and 5 queries per class
    common = dict(
        resize_to=(28, 28),
        conv_blocks=((64,), (64,), (64,), (64,)),
        random_state=0,
        early_stopping=False,
        learning_rate="constant",
    )
    estimators = {
        "EmbeddingNet, one episode": EmbeddingNet(
            **common, n_way=20, n_shot=1, n_query=5
        ),
        "ConvNetClassifier, one batch": ConvNetClassifier(
            **common, dense_layer_sizes=(), dropout=0.0, batch_size=size
        ),
    }
    # An epoch of n_steps steps each, in turn, after one that traces the step.
    rows_for = np.resize(np.arange(len(labels)), n_steps * size)
    X_epoch, y_epoch = X[rows_for], labels[rows_for]
    estimators["ConvNetClassifier, one batch"].partial_fit(
        X_epoch, y_epoch, classes=np.unique(labels)
    )
    estimators["EmbeddingNet, one episode"].partial_fit(X_epoch, y_epoch)
    times = {name: [] for name in estimators}
    for _ in range(n_rounds):
        for name, estimator in estimators.items():
            start = time.perf_counter()
            estimator.partial_fit(X_epoch, y_epoch)
            times[name].append(1e3 * (time.perf_counter() - start) / n_steps)
    rows = [[name, size, float(np.median(t))] for name, t in times.items()]
    sampler = EpisodeSampler(labels, 20, 6)
    rng = np.random.default_rng(0)
    n_draws = 1000
    start = time.perf_counter()
    for _ in range(n_draws):
        sampler.episode(rng)
    milliseconds = 1e3 * (time.perf_counter() - start) / n_draws
    rows.append(["drawing an episode's rows alone", size, milliseconds])
    for row in rows:
        print(f"{row[0]:40} {row[1]:4} images {row[2]:8.2f} ms")
    return table(
        "One training step (28x28 Omniglot, four blocks of 64 3x3 convolutions)",
        ["step", "images", "milliseconds"],
        rows,
        formats=[None, "d", ".2f"],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["ablation", "speed"], default="ablation")
    parser.add_argument("--quick", action="store_true")
    add_arguments(parser)
    args = parser.parse_args()
    result = ablation(args) if args.part == "ablation" else speed(args)
    save_run(
        "few_shot",
        args.part,
        title="Few-shot recognition: metric learning on Omniglot",
        description=__doc__.split("\n\n", 1)[1].strip(),
        run_title=result["title"],
        tables=[result],
        args=args,
    )


if __name__ == "__main__":
    main()
