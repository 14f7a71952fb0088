"""Bar chart of the scores of several models."""

import numpy as np
from sklearn.metrics import check_scoring

from ._base import named, subplots


def _search_metric(search, results):
    """Name of the score a search ranks by: "score" or its ``refit`` metric."""
    if "mean_test_score" in results:
        return "score"
    refit = getattr(search, "refit", None)
    if isinstance(refit, str):
        return refit
    metrics = sorted(
        k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
    )
    raise ValueError(f"The search has several metrics; pick one of {metrics}.")


def _describe(params):
    """A short name for one parameter combination."""
    return ", ".join(f"{key}={value}" for key, value in params.items()) or "default"


class ModelComparisonDisplay:
    """Bars of the scores of several models, each labelled with its value.

    Parameters
    ----------
    names : sequence of str
        Model names.
    scores : array-like of shape (n_models,)
        Their scores.
    errors : array-like of shape (n_models,), default=None
        Error bar half-lengths, e.g. the standard deviation over CV folds.
    score_name : str, default="score"
        Label of the score axis.

    Attributes
    ----------
    bars_ : matplotlib BarContainer
        One bar per model, in the order of ``names``.
    bar_labels_ : list of matplotlib Text
        Score written at each bar.
    ax_ : matplotlib Axes
        Axes with the bars.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    ParameterStudyDisplay : Score against one hyperparameter.

    Examples
    --------
    >>> from skvision.plotting import ModelComparisonDisplay
    >>> disp = ModelComparisonDisplay(["dense", "conv"], [0.981, 0.992],
    ...                               errors=[0.002, 0.001],
    ...                               score_name="accuracy").plot()
    >>> [t.get_text() for t in disp.bar_labels_]
    ['0.981', '0.992']
    """

    def __init__(self, names, scores, *, errors=None, score_name="score"):
        self.names = names
        self.scores = scores
        self.errors = errors
        self.score_name = score_name

    def plot(
        self, *, orientation="vertical", values_format=".3f", ax=None, bar_kw=None
    ):
        """Draw the bars.

        Parameters
        ----------
        orientation : {"vertical", "horizontal"}, default="vertical"
            Vertical bars left to right, or horizontal bars top to bottom
            (better for long names).
        values_format : str, default=".3f"
            Format of the scores written at the bars.
        ax : matplotlib Axes, default=None
            Axes to draw into; None makes a new figure.
        bar_kw : dict, default=None
            Keyword arguments of ``bar``/``barh``.

        Returns
        -------
        display : ModelComparisonDisplay
        """
        if orientation not in ("vertical", "horizontal"):
            raise ValueError(
                f'orientation must be "vertical" or "horizontal"; got {orientation!r}.'
            )
        names = [str(name) for name in self.names]
        scores = np.asarray(self.scores, dtype=float)
        errors = None if self.errors is None else np.asarray(self.errors, dtype=float)
        if len(names) != len(scores) or (
            errors is not None and len(errors) != len(scores)
        ):
            raise ValueError("names, scores and errors must have the same length.")
        n = len(names)
        vertical = orientation == "vertical"
        size = (max(4.0, 0.9 * n + 1.5), 3.6) if vertical else (6.0, 0.45 * n + 1.2)
        fig, axes = subplots(ax, figsize=size)
        ax = axes[0, 0]
        positions = np.arange(n)
        bar_kw = {"capsize": 4, **(bar_kw or {})}
        if vertical:
            self.bars_ = ax.bar(positions, scores, yerr=errors, **bar_kw)
            long_names = max((len(name) for name in names), default=0) > 8
            ax.set_xticks(positions, labels=names)
            if long_names:
                ax.tick_params(axis="x", labelrotation=30)
                for label in ax.get_xticklabels():
                    label.set_horizontalalignment("right")
            ax.set_ylabel(self.score_name)
        else:
            self.bars_ = ax.barh(positions, scores, xerr=errors, **bar_kw)
            ax.set_yticks(positions, labels=names)
            ax.invert_yaxis()
            ax.set_xlabel(self.score_name)
        self.bar_labels_ = ax.bar_label(
            self.bars_, fmt=f"{{:{values_format}}}", padding=3
        )
        ax.margins(**({"y": 0.12} if vertical else {"x": 0.15}))
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimators(
        cls,
        estimators,
        X,
        y,
        *,
        scoring=None,
        orientation="vertical",
        values_format=".3f",
        ax=None,
        bar_kw=None,
    ):
        """Score fitted models on ``X, y`` and compare them.

        Parameters
        ----------
        estimators : dict or list of fitted estimators
            ``{name: estimator}``; a list is named by class names.
        X : array-like
            Test samples.
        y : array-like of shape (n_samples,)
            Test targets.
        scoring : str or callable, default=None
            A scikit-learn scorer name (see :func:`sklearn.metrics.get_scorer`)
            or ``scorer(estimator, X, y)``; None uses each ``estimator.score``.
        orientation, values_format, ax, bar_kw
            See :meth:`plot`.

        Returns
        -------
        display : ModelComparisonDisplay
        """
        estimators = named(estimators)
        scores = [
            check_scoring(estimator, scoring=scoring)(estimator, X, y)
            for estimator in estimators.values()
        ]
        score_name = scoring if isinstance(scoring, str) else "score"
        display = cls(list(estimators), scores, score_name=score_name)
        return display.plot(
            orientation=orientation, values_format=values_format, ax=ax, bar_kw=bar_kw
        )

    @classmethod
    def from_cv_results(
        cls,
        cv_results,
        *,
        metric="test_score",
        orientation="vertical",
        values_format=".3f",
        ax=None,
        bar_kw=None,
    ):
        """Compare models by their cross-validation scores, mean ± std.

        Parameters
        ----------
        cv_results : dict
            ``{name: result}`` where each result is what
            :func:`sklearn.model_selection.cross_validate` returned.
        metric : str, default="test_score"
            Key of the per-fold scores; ``"accuracy"`` also finds
            ``"test_accuracy"``.
        orientation, values_format, ax, bar_kw
            See :meth:`plot`.

        Returns
        -------
        display : ModelComparisonDisplay
        """
        scores, errors = [], []
        for name, result in cv_results.items():
            key = metric if metric in result else f"test_{metric}"
            if key not in result:
                raise ValueError(
                    f"{name!r} has no {metric!r}; it has {sorted(result)}."
                )
            folds = np.asarray(result[key], dtype=float)
            scores.append(folds.mean())
            errors.append(folds.std())
        display = cls(list(cv_results), scores, errors=errors, score_name=metric)
        return display.plot(
            orientation=orientation, values_format=values_format, ax=ax, bar_kw=bar_kw
        )

    @classmethod
    def from_search(
        cls,
        search,
        *,
        top=10,
        metric=None,
        orientation="horizontal",
        values_format=".3f",
        ax=None,
        bar_kw=None,
    ):
        """Compare the best candidates of a hyperparameter search.

        Parameters
        ----------
        search : fitted search or dict
            An object with ``cv_results_`` (``GridSearchCV``,
            ``RandomizedSearchCV``, ...) or that dict itself.
        top : int, default=10
            Number of candidates shown, best first.
        metric : str, default=None
            Score to rank by (``mean_test_<metric>``); default ``"score"``, or
            the search's ``refit`` metric when it has several.
        orientation : {"vertical", "horizontal"}, default="horizontal"
            See :meth:`plot`; horizontal suits long parameter names.
        values_format, ax, bar_kw
            See :meth:`plot`.

        Returns
        -------
        display : ModelComparisonDisplay
        """
        results = getattr(search, "cv_results_", search)
        if metric is None:
            metric = _search_metric(search, results)
        means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
        stds = results.get(f"std_test_{metric}")
        ranks = results.get(f"rank_test_{metric}")
        order = np.argsort(
            -means if ranks is None else np.asarray(ranks), kind="stable"
        )
        order = order[: int(top)]
        names = [_describe(results["params"][i]) for i in order]
        errors = None if stds is None else np.asarray(stds, dtype=float)[order]
        display = cls(names, means[order], errors=errors, score_name=metric)
        return display.plot(
            orientation=orientation, values_format=values_format, ax=ax, bar_kw=bar_kw
        )
