"""Confusion matrix that can hide its diagonal to show only the errors."""

import numpy as np
from sklearn.metrics import confusion_matrix as _confusion_matrix
from sklearn.utils.multiclass import unique_labels

from ._base import pyplot, subplots


class ConfusionMatrixDisplay:
    """Confusion matrix, optionally with the diagonal hidden.

    Like :class:`sklearn.metrics.ConfusionMatrixDisplay`, plus
    ``hide_diagonal``: the correct predictions are left blank and the colour
    scale spans the off-diagonal cells only, so that the errors, usually far
    fewer, are not washed out.

    Parameters
    ----------
    confusion_matrix : ndarray of shape (n_classes, n_classes)
        Counts or fractions; rows are true classes, columns predicted ones.
    display_labels : array-like of shape (n_classes,), default=None
        Class names on the axes; default 0 to n_classes - 1.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The matrix; with ``hide_diagonal`` its array is masked on the diagonal.
    text_ : ndarray of shape (n_classes, n_classes), dtype=object, or None
        Text of each cell, None where hidden; None without ``include_values``.
    ax_ : matplotlib Axes
        Axes with the matrix.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : The scikit-learn original.
    PredictionGalleryDisplay : The misclassified images themselves.

    Examples
    --------
    >>> from skvision.plotting import ConfusionMatrixDisplay
    >>> y_true = [0, 0, 1, 1, 2, 2]
    >>> y_pred = [0, 1, 1, 1, 2, 0]
    >>> disp = ConfusionMatrixDisplay.from_predictions(
    ...     y_true, y_pred, display_labels=["cat", "dog", "fox"], hide_diagonal=True)
    >>> bool(disp.im_.get_array().mask.diagonal().all())
    True
    """

    def __init__(self, confusion_matrix, *, display_labels=None):
        self.confusion_matrix = confusion_matrix
        self.display_labels = display_labels

    def plot(
        self,
        *,
        hide_diagonal=False,
        include_values=True,
        cmap="viridis",
        xticks_rotation="horizontal",
        values_format=None,
        ax=None,
        colorbar=True,
        im_kw=None,
        text_kw=None,
    ):
        """Draw the matrix.

        Parameters
        ----------
        hide_diagonal : bool, default=False
            Leave the diagonal blank and scale colours on the other cells.
        include_values : bool, default=True
            Write each cell's value in it.
        cmap : str or matplotlib Colormap, default="viridis"
            Colour map.
        xticks_rotation : {"vertical", "horizontal"} or float, \
                default="horizontal"
            Rotation of the predicted-class labels.
        values_format : str, default=None
            Format of the values, e.g. ``".2f"``; default ``"d"`` for counts
            and ``".2g"`` otherwise, whichever is shorter.
        ax : matplotlib Axes, default=None
            Axes to draw into; None makes a new figure.
        colorbar : bool, default=True
            Add a colour bar.
        im_kw : dict, default=None
            Keyword arguments of ``imshow``.
        text_kw : dict, default=None
            Keyword arguments of the cells' ``text``.

        Returns
        -------
        display : ConfusionMatrixDisplay
        """
        fig, axes = subplots(ax)
        ax = axes[0, 0]
        cm = np.asarray(self.confusion_matrix)
        n_classes = cm.shape[0]
        shown = cm
        if hide_diagonal:
            shown = np.ma.masked_array(cm, mask=np.eye(n_classes, dtype=bool))
        im_kw = {"interpolation": "nearest", "cmap": cmap, **(im_kw or {})}
        self.im_ = ax.imshow(shown, **im_kw)
        self.text_ = None
        if include_values:
            self.text_ = self._annotate(ax, cm, shown, values_format, text_kw)
        if colorbar:
            fig.colorbar(self.im_, ax=ax)

        labels = self.display_labels
        if labels is None:
            labels = np.arange(n_classes)
        ax.set(
            xticks=np.arange(n_classes),
            yticks=np.arange(n_classes),
            xticklabels=labels,
            yticklabels=labels,
            ylabel="True label",
            xlabel="Predicted label",
        )
        ax.set_ylim((n_classes - 0.5, -0.5))
        pyplot().setp(ax.get_xticklabels(), rotation=xticks_rotation)
        self.ax_, self.figure_ = ax, fig
        return self

    def _annotate(self, ax, cm, shown, values_format, text_kw):
        """Cell texts, coloured to stay readable on the cell's colour."""
        cmap = self.im_.cmap
        low, high = cmap(0.0), cmap(1.0)
        visible = np.ma.compressed(np.ma.asarray(shown))
        threshold = (visible.max() + visible.min()) / 2.0 if visible.size else 0.0
        hidden = np.ma.getmaskarray(shown)
        texts = np.empty(cm.shape, dtype=object)
        for i, j in np.ndindex(cm.shape):
            if hidden[i, j]:
                continue
            value = cm[i, j]
            if values_format is None:
                text = format(value, ".2g")
                if cm.dtype.kind != "f":
                    as_int = format(value, "d")
                    text = as_int if len(as_int) < len(text) else text
            else:
                text = format(value, values_format)
            kw = {
                "ha": "center",
                "va": "center",
                "color": low if value > threshold else high,
                **(text_kw or {}),
            }
            texts[i, j] = ax.text(j, i, text, **kw)
        return texts

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        labels=None,
        sample_weight=None,
        normalize=None,
        display_labels=None,
        hide_diagonal=False,
        include_values=True,
        xticks_rotation="horizontal",
        values_format=None,
        cmap="viridis",
        ax=None,
        colorbar=True,
        im_kw=None,
        text_kw=None,
    ):
        """Plot the confusion matrix of a fitted classifier on ``X, y``.

        Parameters
        ----------
        estimator : fitted classifier
            Anything with ``predict``.
        X : array-like
            Samples, in the form ``estimator.predict`` takes.
        y : array-like of shape (n_samples,)
            True labels.
        labels, sample_weight, normalize, display_labels, hide_diagonal, \
include_values, xticks_rotation, values_format, cmap, ax, colorbar, im_kw, \
text_kw
            See :meth:`from_predictions`.

        Returns
        -------
        display : ConfusionMatrixDisplay
        """
        return cls.from_predictions(
            y,
            estimator.predict(X),
            labels=labels,
            sample_weight=sample_weight,
            normalize=normalize,
            display_labels=display_labels,
            hide_diagonal=hide_diagonal,
            include_values=include_values,
            xticks_rotation=xticks_rotation,
            values_format=values_format,
            cmap=cmap,
            ax=ax,
            colorbar=colorbar,
            im_kw=im_kw,
            text_kw=text_kw,
        )

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        *,
        labels=None,
        sample_weight=None,
        normalize=None,
        display_labels=None,
        hide_diagonal=False,
        include_values=True,
        xticks_rotation="horizontal",
        values_format=None,
        cmap="viridis",
        ax=None,
        colorbar=True,
        im_kw=None,
        text_kw=None,
    ):
        """Plot the confusion matrix of true and predicted labels.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        labels : array-like of shape (n_classes,), default=None
            Labels to index the matrix (and their order); default all labels
            in ``y_true`` or ``y_pred``, sorted.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        normalize : {"true", "pred", "all"}, default=None
            Divide by the row sums (true classes), the column sums (predicted
            classes) or the total; None keeps counts. The diagonal counts in
            the sums even when hidden.
        display_labels : array-like of shape (n_classes,), default=None
            Names shown for ``labels``; default the labels themselves.
        hide_diagonal : bool, default=False
            Leave the diagonal blank and scale colours on the errors only.
        include_values, xticks_rotation, values_format, cmap, ax, colorbar, \
im_kw, text_kw
            See :meth:`plot`.

        Returns
        -------
        display : ConfusionMatrixDisplay
        """
        if labels is None:
            labels = unique_labels(y_true, y_pred)
        cm = _confusion_matrix(
            y_true,
            y_pred,
            labels=labels,
            sample_weight=sample_weight,
            normalize=normalize,
        )
        if display_labels is None:
            display_labels = labels
        display = cls(cm, display_labels=display_labels)
        return display.plot(
            hide_diagonal=hide_diagonal,
            include_values=include_values,
            xticks_rotation=xticks_rotation,
            values_format=values_format,
            cmap=cmap,
            ax=ax,
            colorbar=colorbar,
            im_kw=im_kw,
            text_kw=text_kw,
        )
