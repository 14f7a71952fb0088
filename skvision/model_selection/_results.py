"""Search results as a tidy table, and a figure of the trials and their epochs."""

import math
import os

import numpy as np
import optuna
import pandas as pd
from sklearn.exceptions import NotFittedError

from ..plotting._base import pyplot, subplots
from ._storage import loaded_study_hint

_COLUMNS = (
    "number",
    "state",
    "mean_test_score",
    "std_test_score",
    "rank_test_score",
    "n_epochs",
    "duration_s",
)


def _study_of(search):
    if isinstance(search, optuna.Study):
        return search
    if isinstance(search, str | os.PathLike):
        raise loaded_study_hint(search, "search")
    study = getattr(search, "study_", None)
    if study is None and not hasattr(search, "cv_results_"):
        raise NotFittedError(
            f"{type(search).__name__} has no study_ or cv_results_; fit it first."
        )
    return study


def _nan(value):
    return np.nan if value is None else value


def _study_rows(study):
    rows = []
    for trial in study.get_trials(deepcopy=False):
        attrs = trial.user_attrs
        score = attrs.get("mean_test_score", trial.value)
        rows.append(
            {
                "number": trial.number,
                "state": trial.state.name,
                **{f"param_{name}": v for name, v in trial.params.items()},
                "value": _nan(trial.value),
                "mean_test_score": _nan(score),
                "std_test_score": _nan(attrs.get("std_test_score")),
                "n_epochs": len(trial.intermediate_values) or None,
                "duration_s": (
                    trial.duration.total_seconds() if trial.duration else np.nan
                ),
            }
        )
    return rows


def _cv_results_rows(search):
    results = search.cv_results_
    metric = "score"
    if "mean_test_score" not in results:
        metric = search.refit if isinstance(search.refit, str) else None
        metric = metric or next(
            k.removeprefix("mean_test_") for k in results if k.startswith("mean_test_")
        )
    n_splits = getattr(search, "n_splits_", 1)
    params = {
        name: np.ma.asarray(values).tolist()
        for name, values in results.items()
        if name.startswith("param_")
    }
    duration = (
        np.asarray(results["mean_fit_time"]) + np.asarray(results["mean_score_time"])
    ) * n_splits
    return [
        {
            "number": i,
            "state": "COMPLETE",
            **{name: values[i] for name, values in params.items()},
            "value": results[f"mean_test_{metric}"][i],
            "mean_test_score": results[f"mean_test_{metric}"][i],
            "std_test_score": results[f"std_test_{metric}"][i],
            "n_epochs": None,
            "duration_s": duration[i],
        }
        for i in range(len(duration))
    ]


def search_results_frame(search):
    """One row per trial or candidate of a search, as a pandas DataFrame.

    Works for Optuna searches (``OptunaSearchCV``, :class:`HyperbandSearchCV`,
    :func:`run_distributed_search`'s result, or an ``optuna.Study``) and for
    scikit-learn's ``GridSearchCV`` and ``RandomizedSearchCV``.

    Parameters
    ----------
    search : fitted search or optuna.study.Study
        The search, or its study.

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``number`` (trial or candidate), ``state`` (``"COMPLETE"``,
        ``"PRUNED"``, ``"FAIL"``, ``"RUNNING"``), ``param_<name>`` for each
        parameter, ``value`` (the objective; NaN unless COMPLETE),
        ``mean_test_score`` and ``std_test_score`` (over folds, after the last
        epoch trained, so for pruned trials the score when pruned),
        ``rank_test_score`` (1 is best; completed trials only),
        ``n_epochs`` (epochs trained, from the per-epoch reports of a pruned
        search; missing otherwise) and ``duration_s``.

    Raises
    ------
    TypeError
        If ``search`` is a storage URL: load its study with
        ``optuna.load_study`` first.
    NotFittedError
        If ``search`` is a search that was not fitted.

    See Also
    --------
    SearchHistoryDisplay : Plot of the same trials.

    Examples
    --------
    >>> import optuna
    >>> from skvision.model_selection import search_results_frame
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> def objective(trial):
    ...     x = trial.suggest_int("x", 0, 4)
    ...     for epoch in range(3):
    ...         trial.report(x / 4, epoch)
    ...     return x / 4
    >>> study = optuna.create_study(direction="maximize",
    ...                             sampler=optuna.samplers.RandomSampler(0))
    >>> study.optimize(objective, n_trials=3)
    >>> search_results_frame(study)[["number", "state", "param_x",
    ...                              "rank_test_score", "n_epochs"]]
       number     state  param_x  rank_test_score  n_epochs
    0       0  COMPLETE        2                3         3
    1       1  COMPLETE        3                1         3
    2       2  COMPLETE        3                1         3
    """
    study = _study_of(search)
    rows = _study_rows(study) if study is not None else _cv_results_rows(search)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=[*_COLUMNS, "value"])
    complete = frame["state"] == "COMPLETE"
    frame["rank_test_score"] = (
        frame["value"]
        .where(complete)
        .astype(float)
        .rank(ascending=False, method="min")
        .astype("Int64")
    )
    frame["n_epochs"] = frame["n_epochs"].astype("Int64")
    params = [c for c in frame.columns if c.startswith("param_")]
    order = ["number", "state", *params, "value", *_COLUMNS[2:]]
    return frame[order]


class SearchHistoryDisplay:
    """Trials of a search: final scores by trial, and scores per epoch.

    The left panel shows each trial's score against its number: completed
    trials as dots with the best-so-far line, pruned ones as crosses at the
    score they were pruned with. The right panel shows the mean fold score
    after each epoch (the intermediate values), pruned trials in grey and
    ending early. Use :meth:`from_search` or :meth:`from_study`.

    Parameters
    ----------
    numbers : array-like of shape (n_trials,)
        Trial numbers.
    states : array-like of shape (n_trials,)
        ``"COMPLETE"``, ``"PRUNED"``, ... (other states are not drawn).
    values : array-like of shape (n_trials,)
        Final scores (NaN for trials that did not complete).
    intermediate_values : list of dict
        Per trial, ``{step: score}`` with step ``k`` the score after epoch
        ``k + 1``.
    score_name : str, default="score"
        Label of the y axes.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (2,)
        The trial and the epoch panels.
    ax_ : matplotlib Axes
        The trial panel (``axes_[0]``).
    figure_ : matplotlib Figure
        Figure holding the panels.
    complete_ : matplotlib Line2D
        Markers of the completed trials.
    pruned_ : matplotlib Line2D
        Markers of the pruned trials, at their last score.
    best_line_ : matplotlib Line2D
        Best completed score so far.
    curves_ : dict
        ``{trial number: Line2D}`` of the per-epoch curves.

    See Also
    --------
    search_results_frame : The trials as a table.

    Examples
    --------
    >>> from skvision.model_selection import SearchHistoryDisplay
    >>> disp = SearchHistoryDisplay(
    ...     numbers=[0, 1, 2], states=["COMPLETE", "PRUNED", "COMPLETE"],
    ...     values=[0.8, float("nan"), 0.9],
    ...     intermediate_values=[{0: 0.6, 1: 0.8}, {0: 0.4}, {0: 0.7, 1: 0.9}],
    ... ).plot()
    >>> disp.pruned_.get_xdata().tolist(), disp.best_line_.get_ydata().tolist()
    ([1], [0.8, 0.9])
    >>> len(disp.curves_[1].get_xdata())
    1
    """

    def __init__(
        self, numbers, states, values, intermediate_values, *, score_name="score"
    ):
        self.numbers = numbers
        self.states = states
        self.values = values
        self.intermediate_values = intermediate_values
        self.score_name = score_name

    def plot(self, ax=None):
        """Draw the two panels.

        Parameters
        ----------
        ax : matplotlib Axes, list of two Axes or None, default=None
            Two Axes, or one to split; None makes a new figure.

        Returns
        -------
        display : SearchHistoryDisplay
        """
        numbers = np.asarray(self.numbers)
        states = np.asarray(self.states)
        values = np.asarray(self.values, dtype=float)
        curves = [dict(c) for c in self.intermediate_values]
        if not len(numbers) == len(states) == len(values) == len(curves):
            raise ValueError(
                "numbers, states, values and intermediate_values must have one "
                "entry per trial."
            )
        fig, axes = subplots(ax, 1, 2, figsize=(10, 3.6))
        trials_ax, epochs_ax = axes[0]
        self._plot_trials(trials_ax, numbers, states, values, curves)
        self._plot_epochs(epochs_ax, numbers, states, curves)
        self.axes_, self.ax_, self.figure_ = axes[0], trials_ax, fig
        return self

    def _plot_trials(self, ax, numbers, states, values, curves):
        """Left panel: each trial's score, pruned ones at their last epoch."""
        done = states == "COMPLETE"
        pruned = states == "PRUNED"
        last = np.array([c[max(c)] if c else np.nan for c in curves])
        (self.complete_,) = ax.plot(
            numbers[done], values[done], "o", color="C0", label="complete"
        )
        (self.pruned_,) = ax.plot(
            numbers[pruned], last[pruned], "x", color="C3", label="pruned"
        )
        order = np.argsort(numbers[done], kind="stable")
        best_x = list(numbers[done][order])
        best = list(np.fmax.accumulate(values[done][order]))
        if best and numbers.max() > best_x[-1]:  # carry the best to the last trial
            best_x, best = [*best_x, numbers.max()], [*best, best[-1]]
        (self.best_line_,) = ax.plot(
            best_x,
            best,
            "-",
            color="C0",
            drawstyle="steps-post",
            label="best so far",
        )
        self._label_axes(ax, "trial")
        ax.legend(fontsize="small")

    def _plot_epochs(self, ax, numbers, states, curves):
        """Right panel: the per-epoch scores of each finished or pruned trial."""
        self.curves_ = {}
        for number, state, curve in zip(numbers, states, curves, strict=True):
            if not curve or state not in ("COMPLETE", "PRUNED"):
                continue
            steps = sorted(curve)
            if state == "COMPLETE":
                style = dict(color="C0", alpha=0.7)
            else:  # grey, with a cross where the pruner stopped it
                style = dict(color="0.6", alpha=0.8, marker="x", markevery=[-1])
            (self.curves_[int(number)],) = ax.plot(
                [s + 1 for s in steps], [curve[s] for s in steps], linewidth=1, **style
            )
        self._label_axes(ax, "epoch")
        if not self.curves_:
            ax.text(
                0.5,
                0.5,
                "no per-epoch scores",
                ha="center",
                transform=ax.transAxes,
            )

    def _label_axes(self, ax, xlabel):
        """Integer ticks for trials and epochs, the score on the y axis."""
        from matplotlib.ticker import MaxNLocator

        ax.set_xlabel(xlabel)
        ax.set_ylabel(self.score_name)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    @classmethod
    def from_study(cls, study, *, score_name="score", ax=None):
        """Plot the trials of an Optuna study.

        Parameters
        ----------
        study : optuna.study.Study
            A single-objective study (e.g. ``search.study_``).
        score_name : str, default="score"
            Label of the y axes.
        ax : matplotlib Axes, list of two Axes or None, default=None
            See :meth:`plot`.

        Returns
        -------
        display : SearchHistoryDisplay

        Raises
        ------
        TypeError
            If ``study`` is not an ``optuna.Study`` (e.g. a storage URL; load
            the study with ``optuna.load_study`` first).
        """
        if not isinstance(study, optuna.Study):
            if isinstance(study, str | os.PathLike):
                raise loaded_study_hint(study, "study", "an optuna.Study")
            raise TypeError(
                f"study must be an optuna.Study; got {type(study).__name__}."
            )
        trials = study.get_trials(deepcopy=False)
        display = cls(
            numbers=[t.number for t in trials],
            states=[t.state.name for t in trials],
            values=[math.nan if t.value is None else t.value for t in trials],
            intermediate_values=[t.intermediate_values for t in trials],
            score_name=score_name,
        )
        return display.plot(ax=ax)

    @classmethod
    def from_search(cls, search, *, score_name=None, ax=None):
        """Plot the trials of a fitted Optuna search.

        Parameters
        ----------
        search : OptunaSearchCV or HyperbandSearchCV
            A fitted search (it has ``study_``).
        score_name : str, default=None
            Label of the y axes; None uses the search's ``scoring`` when it is
            a string, else "score".
        ax : matplotlib Axes, list of two Axes or None, default=None
            See :meth:`plot`.

        Returns
        -------
        display : SearchHistoryDisplay
        """
        study = _study_of(search)
        if study is None:
            raise ValueError(
                f"{type(search).__name__} has no Optuna study; use "
                "search_results_frame(search) for scikit-learn searches."
            )
        if score_name is None:
            scoring = getattr(search, "scoring", None)
            score_name = scoring if isinstance(scoring, str) else "score"
        pyplot()  # a helpful ImportError before any work
        return cls.from_study(study, score_name=score_name, ax=ax)
