"""Helpers shared by the displays: lazy pyplot, axes grids, estimator names.

matplotlib is imported inside these functions only, so importing
``skvision.plotting`` costs nothing until a figure is drawn.
"""

import numpy as np
from sklearn.exceptions import NotFittedError


def pyplot():
    """Import and return ``matplotlib.pyplot``, with a helpful error if missing."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - matplotlib is a dependency
        raise ImportError(
            "skvision.plotting needs matplotlib; install it with "
            "`pip install matplotlib`."
        ) from error
    return plt


def is_axes(ax):
    from matplotlib.axes import Axes

    return isinstance(ax, Axes)


def subplots(ax, n_rows=1, n_cols=1, *, figsize=None, **gridspec_kw):
    """Figure and a ``(n_rows, n_cols)`` array of axes to draw into.

    ``ax=None`` makes a new figure. A single ``Axes`` is used as is for one
    panel and otherwise split into a grid in its place (it must come from
    ``subplots`` or ``add_subplot``). An array-like of axes must hold exactly
    ``n_rows * n_cols`` of them.
    """
    if ax is None:
        fig, axes = pyplot().subplots(
            n_rows,
            n_cols,
            squeeze=False,
            figsize=figsize,
            layout="constrained",
            gridspec_kw=gridspec_kw or None,
        )
        return fig, axes
    if is_axes(ax):
        if n_rows == n_cols == 1:
            return ax.figure, np.array([[ax]], dtype=object)
        spec = ax.get_subplotspec()
        if spec is None:
            raise ValueError(
                f"This plot needs {n_rows * n_cols} axes; pass a list of them, or "
                "one Axes made by subplots()/add_subplot() to split."
            )
        fig = ax.figure
        ax.set_axis_off()
        grid = spec.subgridspec(n_rows, n_cols, **gridspec_kw)
        axes = [
            [fig.add_subplot(grid[i, j]) for j in range(n_cols)] for i in range(n_rows)
        ]
        return fig, np.array(axes, dtype=object)
    axes = np.asarray(ax, dtype=object)
    if axes.size != n_rows * n_cols:
        raise ValueError(
            f"Expected {n_rows * n_cols} axes ({n_rows} x {n_cols}); got {axes.size}."
        )
    axes = axes.reshape(n_rows, n_cols)
    return axes[0, 0].figure, axes


def final_estimator(estimator):
    """The estimator holding the fitted attributes: unwraps searches and pipelines."""
    if hasattr(estimator, "best_estimator_"):
        estimator = estimator.best_estimator_
    if hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return estimator


def named(estimators):
    """``{name: estimator}`` from one estimator, a list or a dict of them.

    Unnamed estimators are called by their class name, numbered when repeated.
    """
    if isinstance(estimators, dict):
        return dict(estimators)
    if not isinstance(estimators, list | tuple):
        estimators = [estimators]
    names = [type(estimator).__name__ for estimator in estimators]
    seen = {}
    result = {}
    for name, estimator in zip(names, estimators, strict=True):
        seen[name] = seen.get(name, 0) + 1
        result[f"{name} ({seen[name]})" if names.count(name) > 1 else name] = estimator
    return result


def check_fitted(estimator, attribute):
    """Raise ``NotFittedError`` unless ``estimator`` has ``attribute``."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"{type(estimator).__name__} has no {attribute}; fit it before plotting."
        )


def label_names(labels, class_names=None, classes=None):
    """Display names of ``labels``.

    ``class_names`` is None (labels as text), a dict ``{label: name}``, or a
    sequence of names in the order of ``classes`` (when given) or of the integer
    labels 0, 1, ...
    """
    labels = list(labels)
    if class_names is None:
        return [str(label) for label in labels]
    if isinstance(class_names, dict):
        return [str(class_names.get(label, label)) for label in labels]
    class_names = list(class_names)
    if classes is not None:
        if len(classes) != len(class_names):
            raise ValueError(
                f"class_names has {len(class_names)} names for {len(classes)} classes."
            )
        lookup = dict(zip(list(classes), class_names, strict=True))
        return [str(lookup.get(label, label)) for label in labels]
    try:
        return [str(class_names[int(label)]) for label in labels]
    except (ValueError, TypeError, IndexError) as error:
        raise ValueError(
            "A sequence of class_names is indexed by integer labels 0..n-1; "
            "pass a dict {label: name} for other labels."
        ) from error
