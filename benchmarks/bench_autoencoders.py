"""Autoencoders on MNIST: reconstruction, latent features and FID.

Run ``python benchmarks/bench_autoencoders.py`` with MNIST under
``SKVISION_DATA``. It prints three Markdown tables:

1. reconstruction MSE on the test images (pixels in [0, 1]) of a dense, a
   sparse dense, a convolutional and a denoising convolutional autoencoder,
   all with 32-d codes, from clean and from noisy inputs, with fit seconds;
2. test accuracy of XGBoost, a random forest and an MLP trained on the conv
   and dense autoencoders' 32-d codes vs the same classifiers on raw pixels;
3. the FID between the real test images and each autoencoder's
   reconstructions, using a DenseNetClassifier trained on MNIST as the
   feature extractor, plus the seconds to compute a 10k vs 10k FID.

They are saved with the machine in ``benchmarks/results/autoencoders.json``.
``--quick`` trains on 3,000 images for a few epochs (under 3 minutes on two
CPU cores): a smoke run, not the numbers to report. ``--n-jobs 1`` keeps
XGBoost and the forest from fighting other processes for busy cores.
"""

import argparse
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from xgboost import XGBClassifier  # noqa: E402

from skvision import ConvAutoencoder, DenseAutoencoder, DenseNetClassifier  # noqa: E402
from skvision.datasets import fetch_mnist  # noqa: E402
from skvision.metrics import fid_score, frechet_distance  # noqa: E402

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
Four autoencoders with 32-d codes on MNIST (a dense one, a sparse dense one, a
convolutional one and a denoising convolutional one): their reconstructions,
classifiers trained on their codes against the same classifiers on raw pixels,
and the FID of their reconstructions, with a ``DenseNetClassifier`` trained on
MNIST as the feature extractor."""

NOISE_STD = 0.3  # of the noisy test inputs, pixels in [0, 1]

FULL = dict(max_iter=25, n_estimators=300, mlp_iter=200)
QUICK = dict(n_train=3_000, n_test=1_000, max_iter=3, n_estimators=20, mlp_iter=30)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def autoencoders(max_iter):
    """The four 32-d autoencoders, by name."""
    fit = dict(latent_dim=32, max_iter=max_iter, random_state=0)
    return {
        "dense (256-128)": DenseAutoencoder(**fit),
        "sparse dense (L1 1e-4)": DenseAutoencoder(activity_l1=1e-4, **fit),
        "conv (32-64)": ConvAutoencoder(**fit),
        "denoising conv (noise 0.3)": ConvAutoencoder(noise_std=NOISE_STD, **fit),
    }


def classifiers(n_estimators, mlp_iter, n_jobs):
    """Fresh classifiers; the MLP gets standardized inputs."""
    return {
        "XGBoost": XGBClassifier(
            n_estimators=n_estimators, max_depth=6, learning_rate=0.2, n_jobs=n_jobs
        ),
        "random forest": RandomForestClassifier(
            n_estimators=n_estimators, n_jobs=n_jobs, random_state=0
        ),
        "MLP (256)": make_pipeline(
            StandardScaler(),
            MLPClassifier(
                (256,), max_iter=mlp_iter, early_stopping=True, random_state=0
            ),
        ),
    }


def noisy(images, rng):
    """uint8 images with Gaussian noise of NOISE_STD (in [0, 1] units)."""
    pixels = images / 255.0 + rng.normal(0, NOISE_STD, images.shape)
    return np.round(np.clip(pixels, 0, 1) * 255).astype(np.uint8)


def mse(a, b):
    return float(np.mean((a / 255.0 - b / 255.0) ** 2))


def reconstruction_table(models, X, X_test, X_test_noisy):
    rows, reconstructions = [], {}
    for name, model in models.items():
        _, fit_s = timed(model.fit, X)
        clean = model.inverse_transform(model.transform(X_test))
        from_noisy = model.inverse_transform(model.transform(X_test_noisy))
        reconstructions[name] = clean
        # -score is the exact MSE; the uint8 reconstructions add rounding.
        rows.append(
            [name, -model.score(X_test), mse(from_noisy, X_test), fit_s, model.n_iter_]
        )
    print("\n### Reconstruction of the test images (32-d codes)\n")
    print("| autoencoder | test MSE | MSE from noisy inputs | fit s | epochs |")
    print("|---|---|---|---|---|")
    for name, clean, from_noisy, fit_s, epochs in rows:
        print(f"| {name} | {clean:.4f} | {from_noisy:.4f} | {fit_s:.1f} | {epochs} |")
    noise = mse(X_test_noisy, X_test)
    print(f"\n(noisy inputs themselves: MSE {noise:.4f})")
    result = table(
        "Reconstruction of the test images (32-d codes)",
        [
            "autoencoder",
            "test MSE",
            f"MSE from noisy inputs (σ {NOISE_STD})",
            "fit s",
            "epochs",
        ],
        rows,
        formats=[None, ".4f", ".4f", ".0f", "d"],
        notes=f"The noisy inputs themselves have MSE {noise:.4f}.",
    )
    return reconstructions, result


def latent_table(features, y, y_test, n_estimators, mlp_iter, n_jobs):
    print("\n### Test accuracy on raw pixels vs autoencoder codes\n")
    print("| features | classifier | test accuracy | fit s |")
    print("|---|---|---|---|")
    accuracies, seconds = [], []
    for feature_name, (train, test) in features.items():
        accuracies.append([feature_name])
        seconds.append([feature_name])
        models = classifiers(n_estimators, mlp_iter, n_jobs)
        for name, clf in models.items():
            _, fit_s = timed(clf.fit, train, y)
            accuracy = clf.score(test, y_test)
            print(f"| {feature_name} | {name} | {accuracy:.4f} | {fit_s:.1f} |")
            accuracies[-1].append(accuracy)
            seconds[-1].append(fit_s)
    columns = ["features", *models]
    return [
        table(
            "Test accuracy on raw pixels and on autoencoder codes",
            columns,
            accuracies,
            formats=[None, *[".4f"] * (len(columns) - 1)],
            notes="Target: at least 97 % with XGBoost on the conv codes.",
        ),
        table(
            "Fit seconds of those classifiers",
            columns,
            seconds,
            formats=[None, *[".0f"] * (len(columns) - 1)],
        ),
    ]


def fid_table(extractor, X_real, X_other, reconstructions):
    print("\n### FID to the real test images (DenseNetClassifier features)\n")
    print("| images | FID | seconds |")
    print("|---|---|---|")
    images = {"other real images (training images)": X_other}
    images.update((f"{name} reconstructions", x) for name, x in reconstructions.items())
    rows = [
        [name, *timed(fid_score, X_real, x, extractor)] for name, x in images.items()
    ]
    for name, fid, seconds in rows:
        print(f"| {name} | {fid:.3f} | {seconds:.2f} |")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(10_000, 256)), rng.normal(size=(10_000, 256))
    _, seconds = timed(frechet_distance, a, b)
    print(f"\nfrechet_distance of 10,000 vs 10,000 256-d features: {seconds:.2f} s")
    return table(
        f"FID to the {len(X_real):,} real test images (features included in seconds)",
        ["images", "FID", "seconds"],
        rows,
        formats=[None, ".3f", ".2f"],
        notes=f"``frechet_distance`` of 10,000 vs 10,000 256-d features took "
        f"{seconds:.2f} s (target: under 10 s).",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3,000 images, few epochs")
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        help="threads of XGBoost and the forest (1 is faster on busy CPUs)",
    )
    parser.add_argument(
        "--max-iter", type=int, default=None, help="epochs of each network (full: 25)"
    )
    add_arguments(parser)
    args = parser.parse_args()
    config = dict(QUICK if args.quick else FULL)
    if args.max_iter is not None:
        config["max_iter"] = args.max_iter
    if args.quick:  # the MLP's few epochs are deliberate
        warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = fetch_mnist(subset="train", return_X_y=True)
    X_test, y_test = fetch_mnist(subset="test", return_X_y=True)
    if args.quick:
        X, y = X[: config["n_train"]], y[: config["n_train"]]
        X_test, y_test = X_test[: config["n_test"]], y_test[: config["n_test"]]
    X_other = X[: len(X_test)]  # real training images: the FID to aim for
    X_test_noisy = noisy(X_test, np.random.default_rng(0))
    print(f"\nMNIST, {len(X):,} training / {len(X_test):,} test images")

    models = autoencoders(config["max_iter"])
    reconstructions, reconstruction = reconstruction_table(
        models, X, X_test, X_test_noisy
    )

    flat, flat_test = X.reshape(len(X), -1), X_test.reshape(len(X_test), -1)
    features = {"raw pixels (784)": (flat, flat_test)}
    for name in ("conv (32-64)", "dense (256-128)"):
        model = models[name]
        features[f"{name} codes (32)"] = (model.transform(X), model.transform(X_test))
    latent = latent_table(
        features, y, y_test, config["n_estimators"], config["mlp_iter"], args.n_jobs
    )

    extractor = DenseNetClassifier(max_iter=config["max_iter"], random_state=0)
    extractor.fit(X, y)
    fid = fid_table(extractor, X_test, X_other, reconstructions)
    save_run(
        "autoencoders",
        "mnist",
        title="Autoencoders",
        description=DESCRIPTION,
        run_title=f"MNIST, {len(X):,} training / {len(X_test):,} test images, "
        f"{config['max_iter']} epochs each",
        tables=[reconstruction, *latent, fid],
        args=args,
        packages=("xgboost",),
    )


if __name__ == "__main__":
    main()
