"""
Width, kernel size and depth of an AlexNet-style CNN on Fashion-MNIST
=====================================================================

The study varies one thing at a time in an AlexNet-style network
(conv32-pool, conv64-pool, conv128, conv128, conv64-pool, dense 128, dense 64;
331,274 parameters): the number of filters (x0.25 to x2), the kernel size
(2x2 to 5x5) and the number of convolutions (3 to 7), and compares them with a
dense network. Each variant is one :meth:`ConvNetClassifier.reference
<skvision.ConvNetClassifier.reference>` call.

With ``SKVISION_EXAMPLES_QUICK=1`` every model sees 3,000 images for one epoch,
so the numbers only show that the study runs; the full run trains 6 epochs on
60,000 images (the original report: 90.56 % for the reference net; here
``benchmarks/bench_conv.py --dataset fashion --model reference`` measured
90.52 % in 7.9 minutes on two CPU cores). The best Fashion-MNIST CNN measured
here is smaller and trained longer: :meth:`ConvNetClassifier.mnist
<skvision.ConvNetClassifier.mnist>` with horizontal flips as its only
augmentation and 20 epochs (``--model fashion-best``) reached 93.24 %.
"""

# %%
import os

import numpy as np
import pandas as pd

from skvision import ConvNetClassifier, DenseNetClassifier
from skvision.datasets import fetch_fashion_mnist

QUICK = os.environ.get("SKVISION_EXAMPLES_QUICK") == "1"
train = fetch_fashion_mnist(subset="train")
test = fetch_fashion_mnist(subset="test")
X, y, X_test, y_test = train.images, train.target, test.images, test.target
if QUICK:
    X, y, X_test, y_test = X[:3000], y[:3000], X_test[:1000], y_test[:1000]
EPOCHS = 1 if QUICK else 6
common = dict(max_iter=EPOCHS, early_stopping=False, random_state=0)

reference = ConvNetClassifier.reference(**common)
reference.fit(X, y)
print(
    f"reference: {reference.model_.count_params():,} parameters, "
    f"test accuracy {reference.score(X_test, y_test):.4f}"
)

# %%
# The three studies
# -----------------
# Each row is one fitted variant: its parameter count and test accuracy.
studies = {
    "width": {
        w: ConvNetClassifier.reference(width=w, **common) for w in (0.25, 0.5, 2.0)
    },
    "kernel_size": {
        k: ConvNetClassifier.reference(kernel_size=k, **common) for k in (2, 4, 5)
    },
    "n_conv": {
        n: ConvNetClassifier.reference(n_conv=n, **common) for n in (3, 4, 6, 7)
    },
}
defaults = {"width": 1.0, "kernel_size": 3, "n_conv": 5}
rows = []
for study, variants in studies.items():
    variants[defaults[study]] = reference
    for value, clf in sorted(variants.items()):
        if clf is not reference:
            clf.fit(X, y)
        rows.append(
            dict(
                study=study,
                value=value,
                parameters=clf.model_.count_params(),
                accuracy=clf.score(X_test, y_test),
            )
        )
results = pd.DataFrame(rows)
print(results.to_string(index=False))

# %%
# Accuracy against each parameter
# -------------------------------
import matplotlib.pyplot as plt

from skvision.plotting import ModelComparisonDisplay, ParameterStudyDisplay

fig, axes = plt.subplots(1, 3, figsize=(12, 3.5), layout="constrained")
for ax, (study, frame) in zip(axes, results.groupby("study", sort=False), strict=True):
    ParameterStudyDisplay(
        frame["value"].to_numpy(),
        frame["accuracy"].to_numpy(),
        param_name=study,
        score_name="test accuracy",
    ).plot(ax=ax, log_x=study == "width")

# %%
# The CNNs against a dense network
# --------------------------------
dense = DenseNetClassifier(
    monitor="val_accuracy", random_state=0, max_iter=EPOCHS if QUICK else 100
).fit(X, y)
best = results.loc[results["accuracy"].idxmax()]
ModelComparisonDisplay(
    ["dense 512-256", "reference CNN", f"best CNN ({best.study}={best.value})"],
    np.array(
        [
            dense.score(X_test, y_test),
            results.query("study == 'width' and value == 1.0")["accuracy"].item(),
            best.accuracy,
        ]
    ),
    score_name="test accuracy",
).plot()
