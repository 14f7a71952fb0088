"""Training curves of one or several fitted networks."""

from collections.abc import Mapping

import numpy as np

from ._base import check_fitted, final_estimator, named, pyplot, subplots


def _as_named(histories):
    """``{name: history}``; a bare history dict gets the name ``""``."""
    if histories and all(isinstance(h, Mapping) for h in histories.values()):
        return dict(histories)
    return {"": histories}


class HistoryDisplay:
    """Training curves: loss (and accuracy) per epoch, train vs validation.

    One panel per metric; each network gets one colour, its training curve a
    solid line and its validation curve a dashed one. The epoch whose weights
    the network holds (``best_epoch_``) is marked by a dotted vertical line and
    a dot on the curve. Epochs are numbered from 1.

    Use :meth:`from_estimator` to plot fitted networks, or build the display
    from ``history_``-like dicts.

    Parameters
    ----------
    histories : dict
        Either one history, ``{"loss": [...], "val_loss": [...], ...}``, or
        several by name, ``{name: history}``. Validation curves are the keys
        prefixed ``val_``.
    best_epochs : int, dict or None, default=None
        0-based index of the best epoch: an int for a single history, a dict
        ``{name: index}`` for several. Histories without one are not marked.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_metrics,)
        One panel per metric.
    ax_ : matplotlib Axes
        The first panel (``axes_[0]``).
    figure_ : matplotlib Figure
        Figure holding the panels.
    lines_ : dict
        ``{(name, key): Line2D}``, e.g. ``("net", "val_loss")``.
    best_epoch_lines_ : dict
        ``{(name, metric): Line2D}``: vertical line at the best epoch.
    best_epoch_markers_ : dict
        ``{(name, metric): Line2D}``: dot on the validation curve (training
        curve without validation) at the best epoch.

    See Also
    --------
    ParameterStudyDisplay : Final scores against a hyperparameter.

    Examples
    --------
    >>> from skvision.plotting import HistoryDisplay
    >>> history = {"loss": [0.9, 0.5, 0.4], "val_loss": [0.8, 0.6, 0.7],
    ...            "accuracy": [0.7, 0.8, 0.9], "val_accuracy": [0.7, 0.8, 0.75]}
    >>> disp = HistoryDisplay(history, best_epochs=1).plot()
    >>> len(disp.axes_), disp.best_epoch_lines_[("", "loss")].get_xdata()[0]
    (2, 2)
    """

    def __init__(self, histories, *, best_epochs=None):
        self.histories = histories
        self.best_epochs = best_epochs

    def plot(self, *, metrics=None, ax=None, log_y=False):
        """Draw the curves.

        Parameters
        ----------
        metrics : list of str, default=None
            Metrics to plot, one panel each, without the ``val_`` prefix, e.g.
            ``["loss", "learning_rate"]``. Default: ``"loss"`` and, when
            recorded, ``"accuracy"``.
        ax : matplotlib Axes or list of Axes, default=None
            One Axes per metric, or one Axes to split; None makes a new figure.
        log_y : bool, default=False
            Logarithmic y axes.

        Returns
        -------
        display : HistoryDisplay
        """
        histories = _as_named(self.histories)
        best = self.best_epochs
        if not isinstance(best, Mapping):
            best = dict.fromkeys(histories, best)
        if metrics is None:
            metrics = ["loss"] + [
                "accuracy" for h in histories.values() if "accuracy" in h
            ][:1]
        metrics = list(metrics)
        missing = [m for m in metrics if not any(m in h for h in histories.values())]
        if missing:
            raise ValueError(f"No history records {missing}.")

        from matplotlib.ticker import MaxNLocator

        fig, axes = subplots(ax, 1, len(metrics), figsize=(5 * len(metrics), 3.6))
        axes = axes[0]
        colors = pyplot().rcParams["axes.prop_cycle"].by_key()["color"]
        self.lines_, self.best_epoch_lines_, self.best_epoch_markers_ = {}, {}, {}
        for metric, panel in zip(metrics, axes, strict=True):
            for i, (name, history) in enumerate(histories.items()):
                color = colors[i % len(colors)]
                self._plot_one(panel, name, history, metric, best.get(name), color)
            panel.set_xlabel("epoch")
            panel.set_ylabel(metric)
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
            if log_y:
                panel.set_yscale("log")
        axes[0].legend(fontsize="small")  # colours and styles are shared by all
        self.axes_, self.ax_, self.figure_ = axes, axes[0], fig
        return self

    def _plot_one(self, ax, name, history, metric, best_epoch, color):
        prefix = f"{name} " if name else ""
        drawn = None
        for key, style, kind in (
            (metric, "-", "train"),
            (f"val_{metric}", "--", "validation"),
        ):
            values = history.get(key)
            if values is None or len(values) == 0:
                continue
            epochs = np.arange(1, len(values) + 1)
            (line,) = ax.plot(
                epochs, values, linestyle=style, color=color, label=f"{prefix}{kind}"
            )
            self.lines_[(name, key)] = line
            drawn = (epochs, np.asarray(values, dtype=float))
        if best_epoch is None or drawn is None:
            return
        epoch = int(best_epoch) + 1
        self.best_epoch_lines_[(name, metric)] = ax.axvline(
            epoch, color=color, linestyle=":", linewidth=1
        )
        epochs, values = drawn
        if epoch <= len(values):
            (marker,) = ax.plot(
                [epoch], [values[epoch - 1]], "o", color=color, markersize=6
            )
            self.best_epoch_markers_[(name, metric)] = marker

    @classmethod
    def from_estimator(cls, estimator, *, metrics=None, ax=None, log_y=False):
        """Plot the training curves of fitted networks.

        Parameters
        ----------
        estimator : estimator, list of estimators or dict
            Fitted network(s) with ``history_`` (and ``best_epoch_``), or a
            dict ``{name: estimator}``. Pipelines and fitted searches are
            unwrapped to their final (best) estimator. Unnamed estimators are
            labelled by class name.
        metrics : list of str, default=None
            See :meth:`plot`.
        ax : matplotlib Axes or list of Axes, default=None
            See :meth:`plot`.
        log_y : bool, default=False
            Logarithmic y axes.

        Returns
        -------
        display : HistoryDisplay
        """
        histories, best_epochs = {}, {}
        single = not isinstance(estimator, dict | list | tuple)
        for name, est in named(estimator).items():
            est = final_estimator(est)
            check_fitted(est, "history_")
            key = "" if single else name
            histories[key] = est.history_
            best_epochs[key] = getattr(est, "best_epoch_", None)
        display = cls(histories, best_epochs=best_epochs)
        return display.plot(metrics=metrics, ax=ax, log_y=log_y)
