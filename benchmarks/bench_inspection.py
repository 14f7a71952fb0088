"""Temperature scaling and test-time augmentation on Fashion-MNIST.

Two measurements behind ``examples/plot_inspecting_classifier.py``:

``calibration``: a CNN made over-confident on purpose (no dropout, no
augmentation, no early stopping, 30 epochs on 10,000 training images) is
calibrated by scikit-learn's ``CalibratedClassifierCV(FrozenEstimator(clf),
method="temperature")`` (and ``"sigmoid"``, one-vs-rest) on 5,000 held-out
training images, which ``decision_function``'s logits make possible. Test
accuracy, expected calibration error (top label, 15 bins) and log loss on the
10,000 test images, before and after; the reliability diagram is saved next
to the results.

``tta``: the best documented Fashion-MNIST CNN recipe (``bench_conv.py
--model fashion-best``: ``ConvNetClassifier.mnist()`` with flips only, 20
epochs) trained on all 60,000 images, then tested with
``test_time_augmentation`` = 0, 4 and 8: accuracy, and the predict time of
the 10,000 test images (best of 3) against n = 0's.

``--quick`` trains on 3,000 images for 2 epochs and tests on 1,000: a smoke
run, saved under benchmarks/results/quick/.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from sklearn.calibration import CalibratedClassifierCV, CalibrationDisplay  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.metrics import accuracy_score, log_loss  # noqa: E402

from skvision import ConvNetClassifier  # noqa: E402
from skvision.datasets import fetch_fashion_mnist  # noqa: E402
from skvision.metrics import expected_calibration_error  # noqa: E402

# isort: split
from _results import add_arguments, figure_path, save_run, table  # noqa: E402

DESCRIPTION = """\
What ``decision_function`` (temperature scaling with scikit-learn's
``CalibratedClassifierCV``) and ``test_time_augmentation`` change on
Fashion-MNIST's 10,000 test images (``examples/plot_inspecting_classifier.py``
shows both)."""

# A CNN that over-fits 10,000 images: nothing holds its confidence back.
OVERCONFIDENT = dict(
    conv_blocks=((32,), (64,)),
    dense_layer_sizes=(128,),
    dropout=0.0,
    early_stopping=False,
    learning_rate="constant",
    max_iter=30,
    random_state=0,
)
# bench_conv.py's "fashion-best": the MNIST recipe with flips only, 20 epochs.
FASHION_BEST = dict(
    rotation_range=0.0,
    zoom_range=0.0,
    translation_range=0.0,
    horizontal_flip=True,
    max_iter=20,
    learning_rate={10: 3e-4, 15: 1e-4, 18: 3e-5},
    random_state=0,
)
COPIES = (0, 4, 8)


def calibration(train, test, quick):
    """Rows of the calibration table and the reliability diagram's figure."""
    X, y = train.images, train.target
    n_fit, n_cal = (3000, 1000) if quick else (10_000, 5_000)
    X_fit, y_fit = X[:n_fit], y[:n_fit]
    X_cal, y_cal = X[50_000 : 50_000 + n_cal], y[50_000 : 50_000 + n_cal]
    X_test, y_test = test.images, test.target
    if quick:
        X_test, y_test = X_test[:1000], y_test[:1000]
    params = {**OVERCONFIDENT, **({"max_iter": 2} if quick else {})}
    start = time.perf_counter()
    clf = ConvNetClassifier(**params).fit(X_fit, y_fit)
    fit_minutes = (time.perf_counter() - start) / 60
    models = {"uncalibrated": clf}
    for method in ("temperature", "sigmoid"):
        models[method] = CalibratedClassifierCV(
            FrozenEstimator(clf), method=method
        ).fit(X_cal, y_cal)
    rows, probabilities = [], {}
    for name, model in models.items():
        proba = model.predict_proba(X_test)
        probabilities[name] = proba
        rows.append(
            [
                name,
                accuracy_score(y_test, clf.classes_[proba.argmax(axis=1)]),
                expected_calibration_error(y_test, proba, labels=clf.classes_),
                log_loss(y_test, proba, labels=clf.classes_),
            ]
        )
    (scaling,) = models["temperature"].calibrated_classifiers_[0].calibrators
    temperature = 1 / scaling.beta_
    figure = _reliability_diagram(y_test, probabilities, clf.classes_)
    return rows, temperature, fit_minutes, n_fit, n_cal, len(X_test), figure


def _reliability_diagram(y_true, probabilities, classes):
    """Top-label reliability: accuracy against confidence, 15 bins."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
    for name in ("uncalibrated", "temperature"):
        proba = probabilities[name]
        correct = classes[proba.argmax(axis=1)] == y_true
        CalibrationDisplay.from_predictions(
            correct, proba.max(axis=1), n_bins=15, name=name, ax=ax
        )
    ax.set_xlabel("confidence (top-label probability)")
    ax.set_ylabel("accuracy")
    return fig


def test_time_augmentation(train, test, quick):
    X, y, X_test, y_test = train.images, train.target, test.images, test.target
    params = dict(FASHION_BEST)
    if quick:
        X, y, X_test, y_test = X[:3000], y[:3000], X_test[:1000], y_test[:1000]
        params.update(max_iter=2)
    start = time.perf_counter()
    clf = ConvNetClassifier.mnist(**params).fit(X, y)
    fit_minutes = (time.perf_counter() - start) / 60
    rows, base = [], None
    for n in COPIES:
        clf.set_params(test_time_augmentation=n)
        clf.predict(X_test[:256])  # warm-up: tracing
        seconds = min(_seconds(clf.predict, X_test) for _ in range(3))
        accuracy = accuracy_score(y_test, clf.predict(X_test))
        base = seconds if base is None else base
        rows.append([n, accuracy, seconds, seconds / base])
    return rows, fit_minutes, len(X), len(X_test)


def _seconds(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3,000 images, 2 epochs")
    parser.add_argument(
        "--part", choices=("calibration", "tta", "both"), default="both"
    )
    add_arguments(parser)
    args = parser.parse_args()
    train = fetch_fashion_mnist(subset="train")
    test = fetch_fashion_mnist(subset="test")

    if args.part in ("calibration", "both"):
        rows, temperature, minutes, n_fit, n_cal, n_test, fig = calibration(
            train, test, args.quick
        )
        print("| probabilities | accuracy | ECE (15 bins) | log loss |")
        for name, accuracy, ece, loss in rows:
            print(f"| {name} | {accuracy:.4f} | {ece:.4f} | {loss:.4f} |")
        print(f"temperature {temperature:.3f}, fit {minutes:.1f} min")
        epochs = 2 if args.quick else OVERCONFIDENT["max_iter"]
        figure = figure_path("inspection", args.quick)
        figure = figure.with_name("inspection_reliability.png")
        figure.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(figure, dpi=100)
        save_run(
            "inspection",
            "calibration",
            title="Calibration and test-time augmentation",
            description=DESCRIPTION,
            run_title="Temperature scaling of an over-confident CNN",
            tables=[
                table(
                    f"{n_fit:,} training, {n_cal:,} calibration, {n_test:,} test "
                    "images",
                    ["probabilities", "test accuracy", "ECE (15 bins)", "log loss"],
                    rows,
                    formats=[None, ".4f", ".4f", ".4f"],
                    notes=(
                        "``ConvNetClassifier(conv_blocks=((32,), (64,)), "
                        "dense_layer_sizes=(128,), dropout=0.0, "
                        "early_stopping=False, learning_rate='constant', "
                        f"max_iter={epochs})``"
                        f" trained in {minutes:.1f} min; the fitted temperature "
                        f"is {temperature:.2f}. ``sigmoid`` is one-vs-rest Platt "
                        "scaling of the same logits."
                    ),
                )
            ],
            args=args,
            figure=figure,
        )

    if args.part in ("tta", "both"):
        rows, minutes, n_train, n_test = test_time_augmentation(train, test, args.quick)
        print("| copies | accuracy | predict s | time ratio |")
        for n, accuracy, seconds, ratio in rows:
            print(f"| {n} | {accuracy:.4f} | {seconds:.2f} | {ratio:.2f} |")
        print(f"fit {minutes:.1f} min")
        save_run(
            "inspection",
            "tta",
            title="Calibration and test-time augmentation",
            description=DESCRIPTION,
            run_title="Test-time augmentation of the fashion-best CNN",
            tables=[
                table(
                    f"{n_train:,} training / {n_test:,} test images",
                    [
                        "test_time_augmentation",
                        "test accuracy",
                        "predict s",
                        "time ratio",
                    ],
                    rows,
                    formats=["d", ".4f", ".2f", ".2f"],
                    notes=(
                        "``bench_conv.py --model fashion-best``'s recipe "
                        f"(flips only), trained in {minutes:.1f} min; predict "
                        "time of all test images, best of 3."
                    ),
                )
            ],
            args=args,
        )


if __name__ == "__main__":
    main()
