"""The learning-rate range test's loss curve and its suggested rate."""

import numpy as np

from ._base import subplots


class LearningRateFinderDisplay:
    """Training loss against an exponentially growing learning rate.

    The learning-rate range test (Smith, 2017; fastai's ``lr_find``): a copy
    of the estimator trains for at most one epoch while the rate grows from
    tiny to too large; the loss barely moves at first, falls, then explodes.
    The suggested rate, where the smoothed loss falls fastest, is marked; it
    is a good ``learning_rate_init``.

    Parameters
    ----------
    learning_rates : array-like of shape (n_steps,)
        The rate of each step.
    losses : array-like of shape (n_steps,)
        Each step's training loss.
    smoothed_losses : array-like of shape (n_steps,), default=None
        A smoothed curve of the losses, drawn over them.
    suggested_learning_rate : float, default=None
        The rate to mark.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The smoothed losses (the raw ones without them).
    raw_line_ : matplotlib Line2D or None
        The raw losses, faint, when smoothed ones are drawn.
    suggestion_ : matplotlib Line2D or None
        The marker at the suggested rate.
    ax_ : matplotlib Axes
        Axes with the curve; the rates are on a log scale.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    HistoryDisplay : The learning curves of a fit.

    Examples
    --------
    >>> import numpy as np
    >>> from skvision.plotting import LearningRateFinderDisplay
    >>> rates = np.logspace(-6, 1, 50)
    >>> losses = 2 - np.tanh(np.log10(rates) + 3) + np.maximum(0, np.log10(rates)) * 8
    >>> disp = LearningRateFinderDisplay(rates, losses,
    ...                                  suggested_learning_rate=1e-3).plot()
    >>> disp.ax_.get_xscale()
    'log'
    >>> disp.suggestion_.get_xdata()[0]
    np.float64(0.001)
    """

    def __init__(
        self,
        learning_rates,
        losses,
        *,
        smoothed_losses=None,
        suggested_learning_rate=None,
    ):
        self.learning_rates = learning_rates
        self.losses = losses
        self.smoothed_losses = smoothed_losses
        self.suggested_learning_rate = suggested_learning_rate

    def plot(self, *, ax=None):
        """Draw the loss curve, log-scaled rates, and the suggestion.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into; None makes a new figure.

        Returns
        -------
        display : LearningRateFinderDisplay
        """
        rates = np.asarray(self.learning_rates, dtype=float)
        losses = np.asarray(self.losses, dtype=float)
        if rates.shape != losses.shape:
            raise ValueError(
                f"Got {len(rates)} learning rates for {len(losses)} losses."
            )
        fig, axes = subplots(ax, figsize=(5.5, 3.5))
        ax = axes[0, 0]
        self.raw_line_ = None
        if self.smoothed_losses is not None:
            (self.raw_line_,) = ax.plot(rates, losses, alpha=0.3, label="loss")
            curve = np.asarray(self.smoothed_losses, dtype=float)
            (self.line_,) = ax.plot(rates, curve, label="smoothed loss")
        else:
            curve = losses
            (self.line_,) = ax.plot(rates, losses, label="loss")
        self.suggestion_ = None
        if self.suggested_learning_rate is not None:
            rate = float(self.suggested_learning_rate)
            at = float(np.interp(np.log(rate), np.log(rates), curve))
            (self.suggestion_,) = ax.plot(
                [rate],
                [at],
                "o",
                color="red",
                label=f"suggested: {rate:.2g}",
            )
        # The explosion at the end would squash the rest: the axis shows the
        # curve up to its minimum, with room above its start.
        lowest = int(np.argmin(curve))
        top = float(np.nanmax(curve[: lowest + 1]))
        bottom = float(np.nanmin(losses[np.isfinite(losses)], initial=curve[lowest]))
        if top > bottom:
            ax.set_ylim(bottom - 0.1 * (top - bottom), top + 0.5 * (top - bottom))
        ax.set_xscale("log")
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("training loss")
        ax.legend()
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        start_learning_rate=1e-7,
        end_learning_rate=10.0,
        max_steps=100,
        smoothing=0.98,
        divergence_factor=4.0,
        ax=None,
    ):
        """Run the range test on a copy of a skvision estimator and plot it.

        ``sklearn.base.clone(estimator)`` trains for one epoch at most
        (``max_steps`` batches if fewer), with a constant optimizer rate set
        before each batch, from ``start_learning_rate`` to
        ``end_learning_rate`` exponentially, without early stopping or the
        estimator's own callbacks; it stops early once the smoothed loss
        exceeds ``divergence_factor`` times its minimum. The estimator passed
        is left as it was.

        Parameters
        ----------
        estimator : skvision estimator
            Any skvision classifier, regressor or autoencoder, fitted or not.
        X : array-like of shape (n_samples, ...) or of image file paths
            Training samples.
        y : array-like of shape (n_samples,), default=None
            Targets (None for an autoencoder).
        start_learning_rate : float, default=1e-7
            Rate of the first step.
        end_learning_rate : float, default=10.0
            Rate of the last step.
        max_steps : int, default=100
            Most steps (batches) to train.
        smoothing : float, default=0.98
            Weight of the past in the exponential moving average of the loss.
        divergence_factor : float, default=4.0
            Stop when the smoothed loss exceeds this many times its minimum.
        ax : matplotlib Axes, default=None
            Axes to draw into.

        Returns
        -------
        display : LearningRateFinderDisplay
            ``suggested_learning_rate`` holds the suggestion: the rate where
            the smoothed loss falls fastest before its minimum.
        """
        from .._lr_finder import learning_rate_range_test

        result = learning_rate_range_test(
            estimator,
            X,
            y,
            start_learning_rate=start_learning_rate,
            end_learning_rate=end_learning_rate,
            max_steps=max_steps,
            smoothing=smoothing,
            divergence_factor=divergence_factor,
        )
        display = cls(
            result.learning_rates,
            result.losses,
            smoothed_losses=result.smoothed_losses,
            suggested_learning_rate=result.suggested_learning_rate,
        )
        return display.plot(ax=ax)
