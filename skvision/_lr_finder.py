"""The learning-rate range test (Smith, 2017; fastai's ``lr_find``).

A copy of the estimator trains for at most one epoch while its learning
rate grows exponentially, batch by batch, from a rate too small to move the
loss to one that makes it diverge. The loss falls fastest somewhere in
between: that rate (the steepest descent of the smoothed loss against the
log of the rate, before its minimum) is the suggestion, a good
``learning_rate_init`` for the estimator's optimizer.

The copy is ``sklearn.base.clone(estimator)`` with one epoch, a constant
rate, no early stopping and the range test's callback instead of the
estimator's own, fitted on all of ``X``: the estimator passed is neither
fitted nor changed.
"""

import math
from typing import NamedTuple

import numpy as np
from sklearn.base import clone

from ._keras import keras


class RangeTestResult(NamedTuple):
    """What :func:`learning_rate_range_test` measured.

    Attributes
    ----------
    learning_rates : ndarray of shape (n_steps,)
        The rate of each training step, growing exponentially.
    losses : ndarray of shape (n_steps,)
        The training loss of each step's batch (before its update).
    smoothed_losses : ndarray of shape (n_steps,)
        Their bias-corrected exponential moving average.
    suggested_learning_rate : float
        Where the smoothed loss falls fastest before its minimum.
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    suggested_learning_rate: float


class RangeTestCallback(keras.callbacks.Callback):
    """Sets each step's rate, records its loss, stops when the loss explodes.

    Keras logs the running mean of the epoch's losses weighted by batch
    size; each batch's own loss is recovered from consecutive means.
    """

    def __init__(
        self, rates, batch_sizes, *, smoothing, divergence_factor, min_steps=5
    ):
        super().__init__()
        self.rates, self.batch_sizes = rates, batch_sizes
        self.smoothing, self.divergence_factor = smoothing, divergence_factor
        self.min_steps = min_steps
        self.losses, self.smoothed = [], []
        self.diverged = False
        self._total, self._seen, self._average = 0.0, 0, 0.0

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate = float(self.rates[batch])

    def on_train_batch_end(self, batch, logs=None):
        mean = float((logs or {}).get("loss", np.nan))
        self._seen += self.batch_sizes[batch]
        total = mean * self._seen
        loss = (total - self._total) / self.batch_sizes[batch]
        self._total = total
        if not np.isfinite(loss):
            self.diverged = True
            self.model.stop_training = True
            return
        self._average = self.smoothing * self._average + (1 - self.smoothing) * loss
        smoothed = self._average / (1 - self.smoothing ** (len(self.losses) + 1))
        self.losses.append(loss)
        self.smoothed.append(smoothed)
        exploded = smoothed > self.divergence_factor * min(self.smoothed)
        if len(self.losses) >= len(self.rates) or (
            len(self.losses) > self.min_steps and exploded
        ):
            self.diverged = self.diverged or exploded
            self.model.stop_training = True


def learning_rate_range_test(
    estimator,
    X,
    y=None,
    *,
    start_learning_rate=1e-7,
    end_learning_rate=10.0,
    max_steps=100,
    smoothing=0.98,
    divergence_factor=4.0,
):
    """Train a copy of ``estimator`` under a growing rate; see the module doc.

    Parameters
    ----------
    estimator : unfitted or fitted skvision estimator
        Cloned: only its parameters are used.
    X, y : the training data, as ``estimator.fit`` takes it.
    start_learning_rate, end_learning_rate : float
        The rates of the first and the last step.
    max_steps : int
        At most this many steps, and at most one epoch.
    smoothing : float in [0, 1)
        Weight of the past in the loss's moving average.
    divergence_factor : float > 1
        Stop once the smoothed loss exceeds this multiple of its minimum.

    Returns
    -------
    RangeTestResult
    """
    _check_arguments(start_learning_rate, end_learning_rate, max_steps, smoothing)
    if not hasattr(estimator, "_fit") or not hasattr(estimator, "batch_size"):
        raise TypeError(
            "The learning-rate range test trains a skvision estimator; got "
            f"{type(estimator).__name__}."
        )
    n_samples = len(X)
    batch_size = estimator.batch_size
    n_steps = min(max_steps, math.ceil(n_samples / batch_size))
    if n_steps < 3:
        raise ValueError(
            f"{n_samples} samples in batches of {batch_size} make {n_steps} "
            "training steps; the range test needs at least 3: pass more samples "
            "or a smaller batch_size."
        )
    rates = start_learning_rate * (end_learning_rate / start_learning_rate) ** (
        np.arange(n_steps) / (n_steps - 1)
    )
    batch_sizes = [min(batch_size, n_samples - i * batch_size) for i in range(n_steps)]
    callback = RangeTestCallback(
        rates,
        batch_sizes,
        smoothing=smoothing,
        divergence_factor=divergence_factor,
    )
    trial = clone(estimator).set_params(
        max_iter=1,
        early_stopping=False,
        learning_rate="constant",
        learning_rate_init=float(start_learning_rate),
        callbacks=[callback],
        warm_start=False,
        verbose=0,
    )
    try:
        trial.fit(X) if y is None else trial.fit(X, y)
    except ValueError:
        # A non-finite loss in the only epoch: the estimator refuses to keep
        # weights, which the range test does not want anyway.
        if not callback.diverged:
            raise
    losses = np.asarray(callback.losses)
    smoothed = np.asarray(callback.smoothed)
    used = rates[: len(losses)]
    return RangeTestResult(used, losses, smoothed, suggest(used, smoothed))


def suggest(learning_rates, smoothed_losses):
    """The rate where ``smoothed_losses`` falls fastest before its minimum.

    The slope is taken against ``log10(rate)``, skipping the first tenth of
    the steps (where the moving average has seen few losses); without two
    points to compare, a tenth of the rate of the minimum.
    """
    learning_rates = np.asarray(learning_rates, dtype=float)
    smoothed_losses = np.asarray(smoothed_losses, dtype=float)
    if len(smoothed_losses) == 0:
        raise ValueError(
            "The range test recorded no finite loss: even start_learning_rate "
            "made training diverge; pass a smaller one."
        )
    lowest = int(np.argmin(smoothed_losses))
    first = len(smoothed_losses) // 10
    if lowest - first < 2:
        return float(learning_rates[lowest] / 10)
    window = slice(first, lowest + 1)
    slopes = np.gradient(smoothed_losses[window], np.log10(learning_rates[window]))
    return float(learning_rates[window][int(np.argmin(slopes))])


def _check_arguments(start, end, max_steps, smoothing):
    if not (0 < start < end):
        raise ValueError(
            "The range test needs 0 < start_learning_rate < end_learning_rate; "
            f"got {start!r} and {end!r}."
        )
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 3:
        raise ValueError(f"max_steps must be an int >= 3; got {max_steps!r}.")
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1); got {smoothing!r}.")
