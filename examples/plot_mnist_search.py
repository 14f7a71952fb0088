"""
Dense baselines against a Hyperband search on MNIST
===================================================

The study compares a few hand-made dense networks with the best network a
Hyperband-pruned search finds in a variable-depth space (2 to 5 layers, each
16 to 496 units, leaky-ReLU slope, batch normalization, dropout). Every trial
trains one epoch at a time through ``partial_fit``; the pruner stops the
unpromising ones early. We then compare test accuracies and look at the errors
of the two best models.

``SKVISION_EXAMPLES_QUICK=1`` searches 4 trials of up to 3 epochs on 4,000
images; the full run searches 30 trials of up to 27 epochs on 20,000 images.
"""

# %%
import os
import warnings

from skvision import DenseNetClassifier
from skvision.datasets import fetch_mnist

QUICK = os.environ.get("SKVISION_EXAMPLES_QUICK") == "1"
train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")
n_train = 4000 if QUICK else 20000
X, y = train.images[:n_train], train.target[:n_train]
X_test, y_test = test.images, test.target
if QUICK:
    X_test, y_test = X_test[:2000], y_test[:2000]
EPOCHS = 3 if QUICK else 27

# %%
# Baselines
# ---------
baselines = {
    "256-128": DenseNetClassifier((256, 128), batch_normalization=False, dropout=0.0),
    "512-256 + BN + dropout": DenseNetClassifier((512, 256)),
    "1024-512-256 + BN + dropout": DenseNetClassifier((1024, 512, 256)),
}
for clf in baselines.values():
    clf.set_params(max_iter=EPOCHS, early_stopping=False, random_state=0).fit(X, y)

# %%
# The Hyperband search
# --------------------
from skvision.model_selection import (
    SearchHistoryDisplay,
    dense_search_space,
    hyperband_search,
    search_results_frame,
)

# One bracket (``n_brackets=1``, asynchronous successive halving): with only 30
# trials it prunes most. On 20,000 images it trained 0.29x the epochs of an
# unpruned search, with a best score 0.28 point under its best (the benchmarks page).
net, space = dense_search_space(DenseNetClassifier(batch_size=128))
search = hyperband_search(
    net,
    space,
    max_epochs=EPOCHS,
    n_trials=4 if QUICK else 30,
    cv=3,
    n_brackets=1,
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # optuna-integration's experimental warnings
    search.fit(X, y)
frame = search_results_frame(search)
print(frame.head(10).to_string())
SearchHistoryDisplay.from_search(search)

# %%
# Test accuracy of every model
# ----------------------------
from skvision.plotting import ModelComparisonDisplay

models = {**baselines, "Hyperband best": search.best_estimator_}
ModelComparisonDisplay.from_estimators(models, X_test, y_test)

# %%
# Errors of the two best models
# -----------------------------
# Confusion matrices with the diagonal hidden show only the mistakes.
import matplotlib.pyplot as plt

from skvision.plotting import ConfusionMatrixDisplay

ranked = sorted(models, key=lambda name: -models[name].score(X_test, y_test))[:2]
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
for ax, name in zip(axes, ranked, strict=True):
    ConfusionMatrixDisplay.from_estimator(
        models[name], X_test, y_test, hide_diagonal=True, ax=ax, colorbar=False
    )
    ax.set_title(name)
