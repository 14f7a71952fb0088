"""
Your own residual network, tuned with Optuna
============================================

skvision's estimators cover dense and plain convolutional networks; for
anything else, write the Keras model yourself and wrap it in
:class:`~skvision.KerasClassifier`. Here the model is a small residual
network for Fashion-MNIST, written as a *builder*: a function of the input
shape, the number of classes and its own hyperparameters (``filters``,
``n_blocks``, ``dropout``). The builder's arguments become estimator
parameters named ``model__filters`` and so on, which optuna-integration's
``OptunaSearchCV`` samples like any other, next to the training parameters
(``learning_rate_init``). Early stopping, the learning-rate schedule, seeds,
uint8 scaling and cross-validation come from skvision and scikit-learn.

``SKVISION_EXAMPLES_QUICK=1`` searches 4 trials on 2,400 images with 2-fold
cross-validation and 3 epochs per fit, a few minutes on 2 CPU cores; the
full run searches 12 trials on 10,000 images with 3-fold cross-validation
and up to 12 epochs per fit, and takes hours.
"""

# %%
# Data
# ----
# Fashion-MNIST from ``SKVISION_DATA`` (or the download cache). The images
# stay uint8; :class:`~skvision.KerasClassifier` scales them to [0, 1] ahead
# of the network.
import os

from skvision.datasets import fetch_fashion_mnist

QUICK = os.environ.get("SKVISION_EXAMPLES_QUICK") == "1"
train, test = fetch_fashion_mnist(subset="train"), fetch_fashion_mnist(subset="test")
n_train = 2400 if QUICK else 10000
X, y = train.images[:n_train], train.target[:n_train]
X_test, y_test = test.images, test.target
if QUICK:
    X_test, y_test = X_test[:2000], y_test[:2000]
print(f"{len(X)} training images of {X.shape[1:]}, {len(X_test)} test images")

# %%
# The residual network
# --------------------
# The builder is called at each fit as ``residual_net(input_shape, n_outputs,
# **model_params)``. ``input_shape`` is one image as the network receives it,
# ``(28, 28, 1)`` here (skvision adds the channel axis to ``(n, 28, 28)``
# arrays). A strided convolution halves the images to 14x14, then come two
# stages of ``n_blocks`` residual blocks each, at 14x14 and at 7x7 with twice
# the filters, then global average pooling and dropout.
#
# The last layer has no activation: its outputs are logits. The estimator
# sees that, trains with a cross-entropy ``from_logits`` and applies the
# softmax in ``predict_proba``. Batch normalization uses momentum 0.9 rather
# than Keras' 0.99: the fits are short (about a hundred steps in the quick
# run), and the moving averages that predictions use must settle within them.
import keras

layers = keras.layers


def conv_bn(x, filters, kernel_size=3, strides=1):
    x = layers.Conv2D(
        filters, kernel_size, strides=strides, padding="same", use_bias=False
    )(x)
    return layers.BatchNormalization(momentum=0.9)(x)


def residual_block(x, filters):
    shortcut = x
    x = layers.ReLU()(conv_bn(x, filters))
    x = conv_bn(x, filters)
    return layers.ReLU()(layers.Add()([shortcut, x]))


def residual_net(input_shape, n_outputs, filters=16, n_blocks=1, dropout=0.2):
    inputs = keras.Input(input_shape)
    x = layers.ReLU()(conv_bn(inputs, filters, strides=2))  # 28x28 -> 14x14
    for stage in range(2):
        if stage:  # halve the resolution, double the filters
            x = layers.MaxPooling2D()(x)
            x = layers.ReLU()(conv_bn(x, filters * 2, kernel_size=1))
        for _ in range(n_blocks):
            x = residual_block(x, filters * 2**stage)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(n_outputs)(x)  # logits
    return keras.Model(inputs, outputs, name="residual_net")


# %%
# The estimator and its search space
# ----------------------------------
# The builder's defaults apply unless a ``model__`` parameter is set;
# ``get_params()`` lists the ones set. Small batches give these short fits
# more steps: this network learns slowly in its first hundred.
from skvision import KerasClassifier

EPOCHS = 3 if QUICK else 12
clf = KerasClassifier(
    residual_net,
    model__filters=16,
    model__n_blocks=1,
    model__dropout=0.2,
    batch_size=32,
    max_iter=EPOCHS,
    n_iter_no_change=3,
    random_state=0,
)
print({name: value for name, value in clf.get_params().items() if "model__" in name})

# %%
# ``OptunaSearchCV`` samples the space with Optuna's TPE sampler, scores each
# trial by cross-validation and refits the best one on all the training
# images. (``HyperbandSearchCV`` from :mod:`skvision.model_selection` would also
# prune bad trials epoch by epoch; see the MNIST search example.)
import warnings

import optuna
from optuna.distributions import FloatDistribution, IntDistribution
from optuna_integration import OptunaSearchCV

space = {
    "model__filters": IntDistribution(8, 32, step=8),
    "model__n_blocks": IntDistribution(1, 2),
    "model__dropout": FloatDistribution(0.0, 0.5),
    "learning_rate_init": FloatDistribution(1e-3, 1e-2, log=True),
}
optuna.logging.set_verbosity(optuna.logging.WARNING)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # optuna-integration's experimental warnings
    search = OptunaSearchCV(
        clf,
        space,
        n_trials=4 if QUICK else 12,
        cv=2 if QUICK else 3,
        random_state=0,
    )
    search.fit(X, y)

from skvision.model_selection import search_results_frame

frame = search_results_frame(search)
print(
    frame.drop(columns=["state", "value", "n_epochs"], errors="ignore")
    .round(4)
    .to_string(index=False)
)
print(f"best: {search.best_params_}")

# %%
# Test accuracy of the best network
# ---------------------------------
best = search.best_estimator_
test_accuracy = best.score(X_test, y_test)
print(f"best trial's cross-validated accuracy: {search.best_score_:.4f}")
print(f"refitted best network, test accuracy: {test_accuracy:.4f}")

# %%
# The trials and the best network's errors
# ----------------------------------------
# Left: each trial's cross-validated accuracy against its width, by depth.
# Right: the refitted network's confusion matrix on the test set, diagonal
# hidden, so only the mistakes show (shirts, T-shirts, pullovers and coats).
import matplotlib.pyplot as plt

from skvision.plotting import ConfusionMatrixDisplay

fig, (ax_trials, ax_errors) = plt.subplots(
    1, 2, figsize=(12, 5), layout="constrained", width_ratios=(1, 1.4)
)
for n_blocks, trials in frame.groupby("param_model__n_blocks"):
    ax_trials.scatter(
        trials["param_model__filters"],
        trials["mean_test_score"],
        label=f"{n_blocks} block(s) per stage",
        s=60,
    )
ax_trials.set(xlabel="model__filters", ylabel="cross-validated accuracy")
ax_trials.legend()
ConfusionMatrixDisplay.from_estimator(
    best,
    X_test,
    y_test,
    display_labels=test.target_names,
    hide_diagonal=True,
    xticks_rotation="vertical",
    ax=ax_errors,
)
ax_errors.set_title(f"test accuracy {100 * test_accuracy:.1f} %")
