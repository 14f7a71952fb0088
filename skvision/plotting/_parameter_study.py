"""Score against one hyperparameter, from search results."""

from numbers import Real

import numpy as np

from ._base import subplots


def _is_numeric(values):
    return len(values) > 0 and all(
        isinstance(v, Real) and not isinstance(v, bool | np.bool_) for v in values
    )


def _best_per_value(values, means, stds):
    """For each distinct value, in order of appearance, the best candidate's scores."""
    groups = {}
    for i, value in enumerate(values):
        groups.setdefault(repr(value), (value, []))[1].append(i)
    xs, ys, es = [], [], []
    for value, rows in groups.values():
        rows = np.asarray(rows)
        scores = means[rows]
        best = rows[np.nanargmax(scores)] if np.isfinite(scores).any() else rows[0]
        xs.append(value)
        ys.append(means[best])
        es.append(np.nan if stds is None else stds[best])
    return xs, np.asarray(ys), None if stds is None else np.asarray(es)


class ParameterStudyDisplay:
    """Score against one hyperparameter, with a ± error band or error bars.

    Numeric parameters (width multiplier, learning rate, depth, ...) are
    drawn as a line over a shaded band, optionally on a log axis; other
    values (kernel sizes as tuples, activation names, None, ...) are placed
    evenly, in the given order, with error bars.

    Parameters
    ----------
    values : sequence
        Parameter values.
    scores : array-like of shape (n_values,)
        Score at each value.
    errors : array-like of shape (n_values,), default=None
        Half-width of the band/bars, e.g. the standard deviation over folds.
    param_name : str, default=None
        Label of the x axis.
    score_name : str, default="score"
        Label of the y axis.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The scores; its data are the plotted x (positions when categorical)
        and y values.
    band_ : matplotlib PolyCollection or None
        The error band (numeric x).
    errorbar_ : matplotlib ErrorbarContainer or None
        The error bars (categorical x).
    categorical_ : bool
        Whether the values were placed as categories.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    ModelComparisonDisplay : Bars of the best candidates of a search.

    Examples
    --------
    >>> from skvision.plotting import ParameterStudyDisplay
    >>> disp = ParameterStudyDisplay([0.25, 0.5, 1.0], [0.95, 0.97, 0.98],
    ...                              errors=[0.01, 0.005, 0.004],
    ...                              param_name="width").plot(log_x=True)
    >>> disp.line_.get_xdata().tolist()
    [0.25, 0.5, 1.0]
    """

    def __init__(
        self, values, scores, *, errors=None, param_name=None, score_name="score"
    ):
        self.values = values
        self.scores = scores
        self.errors = errors
        self.param_name = param_name
        self.score_name = score_name

    def plot(self, *, log_x=False, categorical=None, label=None, ax=None, line_kw=None):
        """Draw the scores.

        Parameters
        ----------
        log_x : bool, default=False
            Logarithmic x axis (numeric values only).
        categorical : bool, default=None
            Place the values evenly as categories; default when any value is
            not a number.
        label : str, default=None
            Legend label, to draw several studies on one ``ax``.
        ax : matplotlib Axes, default=None
            Axes to draw into; None makes a new figure.
        line_kw : dict, default=None
            Keyword arguments of ``plot`` for the line.

        Returns
        -------
        display : ParameterStudyDisplay
        """
        values = list(self.values)
        scores = np.asarray(self.scores, dtype=float)
        errors = None if self.errors is None else np.asarray(self.errors, dtype=float)
        if len(values) != len(scores) or (
            errors is not None and len(errors) != len(scores)
        ):
            raise ValueError("values, scores and errors must have the same length.")
        self.categorical_ = (
            not _is_numeric(values) if categorical is None else categorical
        )
        if self.categorical_ and log_x:
            raise ValueError("log_x needs numeric parameter values.")

        fig, axes = subplots(ax, figsize=(5, 3.6))
        ax = axes[0, 0]
        if self.categorical_:
            x = np.arange(len(values))
        else:
            x = np.asarray(values, dtype=float)
            order = np.argsort(x, kind="stable")
            x, scores = x[order], scores[order]
            errors = None if errors is None else errors[order]
        (self.line_,) = ax.plot(x, scores, marker="o", label=label, **(line_kw or {}))
        color = self.line_.get_color()
        self.band_ = self.errorbar_ = None
        if errors is not None and self.categorical_:
            self.errorbar_ = ax.errorbar(
                x, scores, yerr=errors, fmt="none", ecolor=color, capsize=4
            )
        elif errors is not None:
            self.band_ = ax.fill_between(
                x, scores - errors, scores + errors, color=color, alpha=0.2, linewidth=0
            )
        if self.categorical_:
            ax.set_xticks(x, labels=[str(v) for v in values])
        if log_x:
            ax.set_xscale("log")
        if self.param_name is not None:
            ax.set_xlabel(self.param_name)
        ax.set_ylabel(self.score_name)
        if label is not None:
            ax.legend()
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_cv_results(
        cls,
        cv_results,
        *,
        param="param_width",
        metric="mean_test_score",
        log_x=False,
        categorical=None,
        label=None,
        ax=None,
        line_kw=None,
    ):
        """Plot a search's score against one of its parameters.

        When other parameters were searched too, each value shows its best
        candidate (highest ``metric``), with that candidate's standard
        deviation over folds.

        Parameters
        ----------
        cv_results : dict or fitted search
            A search's ``cv_results_``, or the search itself.
        param : str, default="param_width"
            Parameter column; the ``param_`` prefix may be left out.
        metric : str, default="mean_test_score"
            Score column; ``"accuracy"`` also finds ``"mean_test_accuracy"``.
            Its ``std_`` counterpart, when present, gives the error band.
        log_x, categorical, label, ax, line_kw
            See :meth:`plot`.

        Returns
        -------
        display : ParameterStudyDisplay
        """
        results = getattr(cv_results, "cv_results_", cv_results)
        key = param if param in results else f"param_{param}"
        if key not in results:
            available = sorted(k for k in results if k.startswith("param_"))
            raise ValueError(f"No parameter {param!r}; the results have {available}.")
        score_key = metric if metric in results else f"mean_test_{metric}"
        if score_key not in results:
            raise ValueError(f"No score {metric!r} in the results.")
        std_key = "std_" + score_key.removeprefix("mean_")
        column = results[key]
        # Masked where a list of grids skips the parameter. Not np.asarray:
        # it would turn tuple values (kernel sizes) into a 2-D array.
        skipped = np.ma.getmaskarray(column) if np.ma.isMaskedArray(column) else None
        data = np.ma.getdata(column) if skipped is not None else column
        searched = np.ones(len(data), dtype=bool) if skipped is None else ~skipped
        values = [value for value, keep in zip(data, searched, strict=True) if keep]
        means = np.asarray(results[score_key], dtype=float)[searched]
        stds = None
        if score_key.startswith("mean_") and std_key in results:
            stds = np.asarray(results[std_key], dtype=float)[searched]
        values, scores, errors = _best_per_value(values, means, stds)
        display = cls(
            values,
            scores,
            errors=errors,
            param_name=key.removeprefix("param_"),
            score_name=score_key,
        )
        return display.plot(
            log_x=log_x, categorical=categorical, label=label, ax=ax, line_kw=line_kw
        )
