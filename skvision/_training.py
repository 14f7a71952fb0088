"""Training ingredients shared by every estimator: optimizers, learning-rate
schedules, early stopping and the validation split."""

from contextlib import contextmanager, nullcontext
from numbers import Real

import numpy as np
from sklearn.model_selection import train_test_split

from ._keras import keras

OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")

# ReduceLROnPlateau settings of ``learning_rate="adaptive"``: sklearn's MLP
# divides by 5 after a stall; we wait a little longer, as nets are noisier.
PLATEAU_FACTOR = 0.2
PLATEAU_PATIENCE = 3
MIN_LEARNING_RATE = 1e-6


def make_optimizer(name, learning_rate, momentum, dtype="float32"):
    """A fresh Keras optimizer; ``momentum`` applies to SGD and RMSprop.

    For ``dtype="mixed_float16"`` it is wrapped in a ``LossScaleOptimizer``
    (dynamic loss scaling, against float16 gradients that underflow to 0).
    ``compile`` would wrap it too, but only for a model whose own policy is
    mixed_float16, and a model's own policy is not saved: the compile of a
    loaded or unpickled model would not, and its optimizer's saved state
    (loss scale included) would not load.
    """
    if name == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate, momentum=momentum)
    elif name == "rmsprop":
        optimizer = keras.optimizers.RMSprop(learning_rate, momentum=momentum)
    elif name == "adamw":
        optimizer = keras.optimizers.AdamW(learning_rate)
    else:
        optimizer = keras.optimizers.Adam(learning_rate)
    if dtype == "mixed_float16":
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def check_schedule(schedule):
    """Validate a ``{epoch: learning_rate}`` dict, returning it sorted."""
    steps = sorted(schedule.items())
    for epoch, rate in steps:
        if not isinstance(epoch, int | np.integer) or epoch < 0:
            raise ValueError(
                "The keys of a learning_rate schedule are epoch numbers (ints >= 0); "
                f"got {epoch!r}."
            )
        if not isinstance(rate, Real) or not rate > 0:
            raise ValueError(
                "The values of a learning_rate schedule are positive floats; "
                f"got {rate!r} at epoch {epoch}."
            )
    return steps


def schedule_callback(learning_rate, learning_rate_init, monitor):
    """The callback implementing ``learning_rate``, or None for "constant".

    ``{7: 1e-3}`` means ``learning_rate_init`` for epochs 0-6 then 1e-3; a
    callable is called as ``learning_rate(epoch, current_rate)``.
    """
    if learning_rate == "constant":
        return None
    if learning_rate == "adaptive":
        return keras.callbacks.ReduceLROnPlateau(
            monitor=monitor,
            factor=PLATEAU_FACTOR,
            patience=PLATEAU_PATIENCE,
            min_lr=MIN_LEARNING_RATE,
        )
    if isinstance(learning_rate, dict):
        steps = check_schedule(learning_rate)

        def piecewise(epoch, _):
            rate = learning_rate_init
            for start, value in steps:
                if epoch >= start:
                    rate = value
            return float(rate)

        return keras.callbacks.LearningRateScheduler(piecewise)
    return keras.callbacks.LearningRateScheduler(learning_rate)


def split_validation(n_samples, fraction, seed, stratify):
    """Hold out ``fraction`` of the samples, stratified when possible.

    Returns the rows ``(train, val)``: the training rows are read batch by
    batch (:func:`skvision._batches.row_batches`), never copied.
    """
    n_val = int(np.ceil(fraction * n_samples))
    if n_val < 1 or n_val >= n_samples:
        raise ValueError(
            f"validation_fraction={fraction} leaves no training or no validation "
            f"sample out of n_samples={n_samples}; pass more samples, "
            "validation_data=(X_val, y_val) or early_stopping=False."
        )
    labels = None
    if stratify is not None:
        _, counts = np.unique(stratify, return_counts=True)
        # Stratifying needs two members per class and room for every class.
        if counts.min() >= 2 and len(counts) <= min(n_val, n_samples - n_val):
            labels = stratify
    return train_test_split(
        np.arange(n_samples), test_size=n_val, random_state=seed, stratify=labels
    )


def take_rows(arrays, rows):
    """``arrays`` (None stays None) restricted to ``rows``: copies."""
    return tuple(None if a is None else a[rows] for a in arrays)


def check_callbacks(callbacks):
    """Raise ``TypeError`` unless ``callbacks`` holds Keras callbacks only."""
    for index, callback in enumerate(callbacks or ()):
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(
                "callbacks must be a list of keras.callbacks.Callback instances; "
                f"got {callback!r} ({type(callback).__name__}) at index {index}."
            )


# A training loss that grows this many times over the loss the network
# started from has diverged, though finite (see StopOnDivergence).
LOSS_GROWTH_LIMIT = 1e3


class StopOnDivergence(keras.callbacks.Callback):
    """Stop at the first non-finite loss or weights; restore the last finite state.

    The state (weights and optimizer variables) is saved when training starts
    and after each epoch whose loss and weights are finite; on divergence it
    is put back at the end of training. ``diverged_epoch`` is the epoch where
    the loss or the weights stopped being finite (None if they never did).
    The weights are checked too because a batch's loss is computed before its
    update: the last step of an epoch can make them NaN under a finite loss.

    A loss can also explode and stay finite (Adam at a learning rate of 1e6:
    epochs of 4.9e12, 3.7e12, ...). ``grown`` is ``(epoch, loss, start)`` for
    the first epoch whose mean training loss exceeds ``LOSS_GROWTH_LIMIT``
    times ``start``, the loss of this training's first batch (the network as
    it was before any update); None otherwise. Training goes on: the caller
    warns.
    """

    def __init__(self):
        super().__init__()
        self.diverged_epoch = None
        self.grown = None
        self._epoch = None
        self._saved = None
        self._start_loss = None

    def on_train_begin(self, logs=None):
        self._save()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = float((logs or {}).get("loss", 0.0))
        if not np.isfinite(loss):
            self.diverged_epoch = self._epoch
            self.model.stop_training = True
        elif self._start_loss is None:
            self._start_loss = loss

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged_epoch is not None:
            return
        self._check_growth(epoch, (logs or {}).get("loss"))
        weights = self.model.get_weights()
        if all(np.isfinite(w).all() for w in weights):
            self._save(weights)
        else:
            self.diverged_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.diverged_epoch is None:
            return
        weights, optimizer_state = self._saved
        self.model.set_weights(weights)
        variables = self._optimizer_state()
        # An optimizer built during this call has no earlier state to restore.
        if len(optimizer_state) == len(variables):
            for variable, value in zip(variables, optimizer_state, strict=True):
                variable.assign(value)

    def _check_growth(self, epoch, loss):
        start = self._start_loss
        if self.grown is not None or loss is None or not start or start < 0:
            return
        if float(loss) > LOSS_GROWTH_LIMIT * start:
            self.grown = (epoch, float(loss), start)

    def _optimizer_state(self):
        # The step counter keeps counting: predictors watch it for new weights.
        optimizer = self.model.optimizer
        return [v for v in optimizer.variables if v is not optimizer.iterations]

    def _save(self, weights=None):
        self._saved = (
            self.model.get_weights() if weights is None else weights,
            [v.numpy() for v in self._optimizer_state()],
        )


def early_stopping_callback(monitor, patience, restore_best_weights):
    """Keras early stopping that watches ``monitor`` (loss, or accuracy)."""
    return keras.callbacks.EarlyStopping(
        monitor=monitor,
        mode="max" if monitor.endswith("accuracy") else "min",
        patience=patience,
        restore_best_weights=restore_best_weights,
    )


# The ``dtype`` values that are Keras mixed-precision policies: the layers
# compute in half precision and keep float32 variables (see ``keras_floatx``).
MIXED_PRECISION = ("mixed_float16", "mixed_bfloat16")
DTYPES = ("float32", "float64", *MIXED_PRECISION)


def variable_dtype(dtype):
    """The precision of the weights, the data and the outputs under ``dtype``.

    ``dtype`` itself for "float32" and "float64", float32 for a mixed
    policy: samples, targets and sample weights are validated to it, the
    networks' inputs and output layers use it, and predictions come back in
    it. Only the hidden layers compute in half precision.
    """
    return "float32" if dtype in MIXED_PRECISION else dtype


@contextmanager
def keras_floatx(dtype):
    """Run the block with Keras' ``floatx()`` and dtype policy set to ``dtype``.

    Keras' array data adapter casts every float array it is given (samples,
    targets, sample weights) to ``floatx()``, and losses compute in it, so a
    float64 network fed by ``fit`` would train on float32 data. Layers made
    without a dtype (a user's builder's) take the global dtype policy, which
    Keras fixes from ``floatx()`` the first time any layer asks for it and
    never updates: without setting it too, a float64 estimator's builder made
    float32 layers in any process that had made a layer before.

    A mixed-precision ``dtype`` ("mixed_float16", "mixed_bfloat16") sets the
    policy to it and ``floatx()`` to float32, its variables' dtype, so that
    data, losses and metrics stay float32. Both are restored on exit, even
    on error; a no-op when they already are what ``dtype`` asks.
    """
    floatx = variable_dtype(dtype)
    previous, policy = keras.config.floatx(), keras.config.dtype_policy()
    if floatx == previous and policy.name == dtype:
        yield
        return
    keras.config.set_floatx(floatx)
    keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(previous)
        keras.config.set_dtype_policy(policy)


def building_scope(dtype):
    """The scope a network of ``dtype`` is built in.

    A mixed policy is made Keras' global one for the block (``keras_floatx``):
    layers made without a dtype (a Keras application's, a user's builder's)
    take it, and so does the functional model itself, whose policy
    ``compile`` reads to wrap the optimizer in a ``LossScaleOptimizer`` for
    "mixed_float16". float32 and float64 apply to skvision's own layers only,
    which name their dtype: a backbone keeps its own precision.
    """
    return keras_floatx(dtype) if dtype in MIXED_PRECISION else nullcontext()
