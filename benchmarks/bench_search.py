"""Hyperband-pruned vs unpruned Optuna search of the dense study's space.

Run ``python benchmarks/bench_search.py`` with MNIST under ``SKVISION_DATA``:
the study's space (2-5 hidden layers of 16-496 units each, LeakyReLU slope,
batch normalization, dropout; :func:`skvision.model_selection.
dense_search_space`), 30 TPE trials of up to 27 epochs with 3-fold CV on a
20,000-image training subset, searched with the same sampler seed and folds
by :class:`~skvision.model_selection.HyperbandSearchCV` (Optuna's
``HyperbandPruner``) and with no pruner. Every search trains one epoch per
``partial_fit`` and refits the best trial for ``max_epochs`` epochs.
It prints a Markdown table: epochs trained (trial steps, and networks x
epochs), pruned trials, search and refit seconds, best CV accuracy and the
test accuracy of the refit network, then the ratios the study targets
(pruned epochs <= 1/3 of unpruned, best score within 0.5 point), and saves
the table with the machine in ``benchmarks/results/search.json`` (one run per
configuration of the options).
``--searches`` picks the pruned searches by ``n_brackets``: "Hyperband"
(all four brackets of 27 epochs, factor 3), "Hyperband, 2 brackets" (the two
most aggressive: default with "Hyperband") and "ASHA" (one bracket);
``--reduction-factor`` sets their pruner's factor and ``--bootstrap-count``
its bootstrap count (several counts: one search each),
``--seed`` the seed of the split, the sampler and the networks.

``--quick`` searches scikit-learn's 8x8 digits instead (8 trials, 9 epochs,
one seeded 25 % hold-out split, ``--cv 1``) in about two minutes on two CPU
cores. On so little data each new network's set-up (graph tracing, seconds)
outweighs its epochs, so pruning saves much less time than epochs there.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import optuna  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    StratifiedShuffleSplit,
    train_test_split,
)

from skvision import DenseNetClassifier  # noqa: E402
from skvision.model_selection import (  # noqa: E402
    HyperbandSearchCV,
    dense_search_space,
    make_hyperband_pruner,
    search_results_frame,
)

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402  (benchmarks/)

DESCRIPTION = """\
The dense study's space (:func:`~skvision.model_selection.dense_search_space`:
2-5 hidden layers of 16-496 units, leaky-ReLU slope, batch normalization,
dropout), searched by TPE trials of up to 27 epochs with the same sampler seed
and folds, pruned by Optuna's Hyperband pruner
(:class:`~skvision.model_selection.HyperbandSearchCV`) and unpruned. The
study's targets: a pruned search trains at most a third of the unpruned
search's epochs, with a best CV accuracy within 0.5 point of its best."""


def load(quick, n_train):
    if quick:
        X, y = load_digits(return_X_y=True)
        X = (X / 16).astype(np.float32)
        return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    from skvision.datasets import fetch_mnist

    X, y = fetch_mnist(subset="train", return_X_y=True)
    X_test, y_test = fetch_mnist(subset="test", return_X_y=True)
    rows = np.random.RandomState(0).permutation(len(X))[:n_train]
    return X[rows], X_test, y[rows], y_test


# Searches by HyperbandSearchCV's n_brackets (None: all brackets; 1: ASHA).
BRACKETS = {"Hyperband": None, "Hyperband, 2 brackets": 2, "ASHA": 1}


def run(
    name,
    X,
    y,
    X_test,
    y_test,
    *,
    n_trials,
    max_epochs,
    cv,
    reduction_factor,
    bootstrap_count,
    seed=0,
):
    """Fit one search with the pruner ``name``; return its row of the table."""
    net, space = dense_search_space(
        DenseNetClassifier(batch_size=128, random_state=seed)
    )
    if cv == 1:  # one hold-out split: a network per trial, not per fold
        cv = StratifiedShuffleSplit(1, test_size=0.25, random_state=seed)
    search = HyperbandSearchCV(
        net,
        space,
        max_epochs=max_epochs,
        n_trials=n_trials,
        cv=cv,
        n_brackets=BRACKETS.get(name),
        reduction_factor=reduction_factor,
        bootstrap_count=bootstrap_count,
        random_state=seed,
    )
    # The same sampler seed and bracket hashing (study name) in every search;
    # the pruner is the search's own, or none.
    pruner = optuna.pruners.NopPruner()
    if name in BRACKETS:
        pruner = make_hyperband_pruner(
            max_epochs,
            n_brackets=BRACKETS[name],
            reduction_factor=reduction_factor,
            bootstrap_count=bootstrap_count,
        )
    search.set_params(
        study=optuna.create_study(
            study_name=f"bench-{seed}",
            direction="maximize",
            sampler=optuna.samplers.TPESampler(seed=seed),
            pruner=pruner,
        )
    )
    start = time.perf_counter()
    search.fit(X, y)
    total_s = time.perf_counter() - start
    frame = search_results_frame(search)
    steps = int(frame["n_epochs"].sum())
    if name in BRACKETS and reduction_factor != 3:
        name = f"{name}, factor {reduction_factor}"
    if name in BRACKETS and bootstrap_count:
        name = f"{name}, bootstrap {bootstrap_count}"
    return {
        "search": name,
        "epochs": steps,
        "network_epochs": steps * search.n_splits_,
        "pruned": int((frame["state"] == "PRUNED").sum()),
        "search_s": total_s - search.refit_time_,
        "refit_s": search.refit_time_,
        "best_cv": search.best_score_,
        "test": search.score(X_test, y_test),
        "best_params": search.best_params_,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="digits, 8 trials")
    parser.add_argument("--n-trials", type=int, default=None)
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--cv", type=int, default=None, help="folds; 1: hold-out")
    parser.add_argument("--n-train", type=int, default=20_000)
    parser.add_argument(
        "--searches",
        nargs="+",
        default=["Hyperband", "Hyperband, 2 brackets"],
        choices=sorted(BRACKETS),
        help="pruned searches to compare with the unpruned one",
    )
    parser.add_argument(
        "--reduction-factor",
        type=int,
        default=3,
        help="Hyperband's eta for the pruned searches",
    )
    parser.add_argument(
        "--bootstrap-count",
        type=int,
        nargs="+",
        default=[0],
        help="trials pruned on first reaching each rung; one search per count",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seeds the split, sampler and networks"
    )
    add_arguments(parser)
    args = parser.parse_args()
    defaults = (8, 9, 1) if args.quick else (30, 27, 3)
    n_trials, max_epochs, cv = (
        given if given is not None else default
        for given, default in zip(
            (args.n_trials, args.max_epochs, args.cv), defaults, strict=True
        )
    )
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    X, X_test, y, y_test = load(args.quick, args.n_train)
    settings = dict(
        n_trials=n_trials,
        max_epochs=max_epochs,
        cv=cv,
        reduction_factor=args.reduction_factor,
        seed=args.seed,
    )
    pruned = [(name, count) for name in args.searches for count in args.bootstrap_count]
    rows = []
    for name, count in [*pruned, ("unpruned", 0)]:
        try:
            rows.append(
                run(name, X, y, X_test, y_test, bootstrap_count=count, **settings)
            )
            print(rows[-1], flush=True)
        except ValueError as error:  # every trial pruned: nothing to compare
            print(f"{name}, bootstrap {count}: {error}")

    data = "8x8 digits" if args.quick else "MNIST"
    print(
        f"\n{data}: {len(X):,} training / {len(X_test):,} test images; "
        f"{n_trials} trials, up to {max_epochs} epochs, "
        f"{f'{cv}-fold CV' if cv > 1 else 'one 25 % hold-out split'}\n"
    )
    print(
        "| search | epochs (trial steps) | networks x epochs | pruned trials "
        "| search s | refit s | best CV accuracy | test accuracy |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['search']} | {r['epochs']} | {r['network_epochs']} | "
            f"{r['pruned']}/{n_trials} | {r['search_s']:.0f} | {r['refit_s']:.1f} "
            f"| {r['best_cv']:.4f} | {r['test']:.4f} |"
        )
    full = rows[-1]
    for pruned in rows[:-1]:
        ratio = pruned["epochs"] / full["epochs"]
        gap = 100 * (full["best_cv"] - pruned["best_cv"])
        print(
            f"\n{pruned['search']} / unpruned epochs: {ratio:.2f} (target <= 0.33); "
            f"search time ratio: {pruned['search_s'] / full['search_s']:.2f}; "
            f"best CV accuracy gap: {gap:+.2f} points (target <= 0.5)"
        )
    for r in rows:
        print(f"best parameters, {r['search']}: {r['best_params']}")
    if not rows or rows[-1]["search"] != "unpruned":
        return
    split = f"{cv}-fold CV" if cv > 1 else "one 25 % hold-out split"
    save_run(
        "search",
        # One run per configuration: a rerun with the same options replaces it.
        f"{len(X)} images, cv {cv}, {n_trials} trials, {max_epochs} epochs, "
        f"{', '.join(args.searches)}, factor {args.reduction_factor}, "
        f"bootstrap {' '.join(map(str, args.bootstrap_count))}, seed {args.seed}",
        title="Hyperband search",
        description=DESCRIPTION,
        run_title=f"{data}, {len(X):,} training images, {split}, seed {args.seed}",
        tables=[
            table(
                f"{n_trials} trials of up to {max_epochs} epochs; "
                f"{len(X_test):,} test images",
                [
                    "search",
                    "epochs trained",
                    "of unpruned",
                    "pruned trials",
                    "search s",
                    "refit s",
                    "best CV accuracy",
                    "gap (points)",
                    "test accuracy of refit",
                ],
                [
                    [
                        r["search"],
                        r["epochs"],
                        r["epochs"] / full["epochs"],
                        f"{r['pruned']}/{n_trials}",
                        r["search_s"],
                        r["refit_s"],
                        r["best_cv"],
                        100 * (full["best_cv"] - r["best_cv"])
                        if r is not full
                        else None,
                        r["test"],
                    ]
                    for r in rows
                ],
                formats=[None, "d", ".3g", None, ".0f", ".1f", ".4f", "+.2f", ".4f"],
                notes="The gap is the unpruned search's best CV accuracy minus this "
                "search's, in points.",
            )
        ],
        args=args,
        packages=("optuna", "optuna-integration"),
    )


if __name__ == "__main__":
    main()
