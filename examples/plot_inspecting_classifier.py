"""
Inspecting a classifier
=======================

An accuracy is where inspection starts. Which learning rate should training
start from? Where is the classifier confidently wrong, and which classes does it
mix up? What in the image did it look at? Can its probabilities be trusted, and
does averaging over augmented copies help? This example answers each on
Fashion-MNIST with skvision's tools in scikit-learn's idiom:
:class:`~skvision.plotting.LearningRateFinderDisplay`,
:class:`~skvision.plotting.TopLossesDisplay` with
:func:`~skvision.metrics.most_confused`,
:class:`~skvision.plotting.GradCAMDisplay`, ``decision_function`` with
scikit-learn's ``CalibratedClassifierCV(method="temperature")`` and
:func:`~skvision.metrics.expected_calibration_error`, and the classifiers'
``test_time_augmentation`` parameter.

Measured on the full data (``benchmarks/bench_inspection.py``, 2 shared CPU
cores, the same settings as below): the recipe's CNN trained in 25 minutes
scores 93.26 % on the 10,000 test images, 93.38 % with
``test_time_augmentation=4`` (predicting takes 4.0 times as long) and 93.53 % with
8 (7.8 times). The over-confident CNN of the calibration section (86.85 %) has an
expected calibration error of 0.0895 and a log loss of 0.651; temperature scaling
(a temperature of 2.14, learnt on 5,000 held-out images) brings them to 0.0156 and
0.435, with the same predictions.

Set ``SKVISION_EXAMPLES_QUICK=1`` to run on 3,000 training images for two epochs
in about a minute (its numbers are a smoke test, not results).
"""

# %%
# Data and the network's recipe
# -----------------------------
# The best Fashion-MNIST CNN recipe of the benchmarks (``bench_conv.py --model
# fashion-best``): :meth:`ConvNetClassifier.mnist
# <skvision.ConvNetClassifier.mnist>` with left-right flips as its only
# augmentation, 20 epochs and a stepped learning rate.
import os
import time

from skvision import ConvNetClassifier
from skvision.datasets import fetch_fashion_mnist

QUICK = os.environ.get("SKVISION_EXAMPLES_QUICK") == "1"
train = fetch_fashion_mnist(subset="train")
test = fetch_fashion_mnist(subset="test")
X, y, X_test, y_test = train.images, train.target, test.images, test.target
names = list(test.target_names)
if QUICK:
    X, y, X_test, y_test = X[:3000], y[:3000], X_test[:1000], y_test[:1000]

recipe = dict(
    rotation_range=0.0,
    zoom_range=0.0,
    translation_range=0.0,
    horizontal_flip=True,
    max_iter=2 if QUICK else 20,
    learning_rate={10: 3e-4, 15: 1e-4, 18: 3e-5},
    random_state=0,
)

# %%
# Which learning rate?
# --------------------
# The learning-rate range test trains a copy of the estimator for at most one
# epoch while the rate grows exponentially from 1e-7 to 10; the loss stays flat,
# falls, then explodes. The suggested rate is where it falls fastest. The
# estimator itself is left unfitted.
from skvision.plotting import LearningRateFinderDisplay

clf = ConvNetClassifier.mnist(**recipe)
finder = LearningRateFinderDisplay.from_estimator(
    clf, X, y, max_steps=20 if QUICK else 100
)
print(
    f"suggested learning rate: {finder.suggested_learning_rate:.2g} "
    f"(the recipe starts at {clf.learning_rate_init:g})"
)

# %%
# Training
# --------
start = time.perf_counter()
clf.fit(X, y)
print(
    f"test accuracy {clf.score(X_test, y_test):.4f} after {clf.n_iter_} epochs "
    f"({(time.perf_counter() - start) / 60:.1f} min)"
)

# %%
# Where is it confidently wrong?
# ------------------------------
# The test images with the highest log loss, ``-log p(true class)``: each title
# is "true / predicted probability". Below them, the pairs of classes it
# confuses most often over the whole test set.
from skvision.plotting import TopLossesDisplay

top = TopLossesDisplay.from_estimator(clf, X_test, y_test, n=12, class_names=names)
for true, predicted, count in top.most_confused[:5]:
    print(f"{names[true]:>12} taken for {names[predicted]:<12} {count:4d} times")

# %%
# What did it look at?
# --------------------
# Grad-CAM weighs the last convolution's feature maps by the gradient of the
# predicted class's logit: red is where the evidence for that class lies. Here
# the most confident mistakes, explained for the class the network chose.
from skvision.plotting import GradCAMDisplay

worst = top.indices[:8]
cam = GradCAMDisplay.from_estimator(
    clf, X_test[worst], y_test[worst], class_names=names, n_cols=4
)

# %%
# Can its probabilities be trusted?
# ---------------------------------
# A network trained until it fits its training data is over-confident: 99 %
# sure, right far less often. We train one on purpose (no dropout, no early
# stopping, no augmentation, on 10,000 images) and calibrate it with
# scikit-learn's temperature scaling, which divides the logits that
# ``decision_function`` returns by one temperature learnt on held-out images;
# ``FrozenEstimator`` keeps the network as it is. The expected calibration
# error (ECE, 15 bins) is the average gap between confidence and accuracy.
from sklearn.calibration import CalibratedClassifierCV, CalibrationDisplay
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import log_loss

from skvision.metrics import expected_calibration_error

n_fit, n_cal = (2000, 1000) if QUICK else (10_000, 5_000)
calibration_rows = slice(50_000, 50_000 + n_cal)  # not among the training images
X_cal, y_cal = train.images[calibration_rows], train.target[calibration_rows]
overconfident = ConvNetClassifier(
    conv_blocks=((32,), (64,)),
    dense_layer_sizes=(128,),
    dropout=0.0,
    early_stopping=False,
    learning_rate="constant",
    max_iter=2 if QUICK else 30,
    random_state=0,
).fit(train.images[:n_fit], train.target[:n_fit])
calibrated = CalibratedClassifierCV(
    FrozenEstimator(overconfident), method="temperature"
).fit(X_cal, y_cal)
(scaling,) = calibrated.calibrated_classifiers_[0].calibrators
print(f"temperature: {1 / scaling.beta_:.2f}")

ax = None
for name, model in [("uncalibrated", overconfident), ("temperature", calibrated)]:
    proba = model.predict_proba(X_test)
    ece = expected_calibration_error(y_test, proba, labels=model.classes_)
    loss = log_loss(y_test, proba, labels=model.classes_)
    print(f"{name:>12}: ECE {ece:.4f}, log loss {loss:.4f}")
    # Top-label reliability: is the network right as often as it is sure?
    right = model.classes_[proba.argmax(axis=1)] == y_test
    display = CalibrationDisplay.from_predictions(
        right, proba.max(axis=1), n_bins=15, name=name, ax=ax
    )
    ax = display.ax_
ax.set(xlabel="confidence (top-label probability)", ylabel="accuracy")

# %%
# Does averaging over augmented copies help?
# ------------------------------------------
# ``test_time_augmentation=n`` averages the probabilities of each image and
# ``n`` copies transformed by the network's own training augmentation (here,
# random flips), seeded so predictions repeat. It costs about ``n + 1`` times
# the prediction time.
base = None
for n in (0, 4, 8):
    clf.set_params(test_time_augmentation=n)
    clf.predict(X_test[:256])  # warm-up: tracing, and the augmenting copy
    start = time.perf_counter()
    accuracy = clf.score(X_test, y_test)
    seconds = time.perf_counter() - start
    base = base or seconds
    print(f"n={n}: test accuracy {accuracy:.4f}, predict time x{seconds / base:.1f}")
clf.set_params(test_time_augmentation=0)
