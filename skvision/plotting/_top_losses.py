"""The images a classifier is most confidently wrong about."""

import numpy as np
from sklearn.utils.validation import column_or_1d

from ._base import check_fitted, final_estimator, label_names, pyplot
from ._image_utils import as_images, gray_limits, sample_images, show_image

# The smallest probability whose log is taken: log loss stays finite.
_EPS = np.finfo(np.float64).tiny


def _check_labels(y, n_samples, classes, name="y"):
    """``y`` as a 1-D array of known labels, or a clear ValueError."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(
            f"{name} must hold one label per sample; got shape {y.shape} "
            "(top losses of multi-label targets are not defined)."
        )
    y = column_or_1d(y)
    if len(y) != n_samples:
        raise ValueError(
            f"{name} has {len(y)} labels for {n_samples} samples; pass one label "
            "per sample of X."
        )
    unknown = np.setdiff1d(y, classes)
    if len(unknown):
        raise ValueError(
            f"{name} contains labels {unknown.tolist()} that are not among the classes "
            f"the classifier was fitted on (classes_={classes.tolist()})."
        )
    return y


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be an int >= 1; got {n!r}.")
    return int(n)


class TopLossesDisplay:
    """The samples with the highest loss: true label, prediction, probability.

    fastai's ``plot_top_losses``: the images a classifier is most
    confidently wrong about (or least sure of being right about), ordered by
    their log loss ``-log p(true class)``, each titled with its true and
    predicted labels, the predicted class's probability and the loss.
    Mislabelled data and classes that look alike show up here first.

    Parameters
    ----------
    images : array-like of shape (n_images, h, w), (n_images, h, w, c) \
            or (n_images, n_features)
        The images, highest loss first.
    y_true : array-like of shape (n_images,)
        Their true labels.
    y_pred : array-like of shape (n_images,)
        Their predicted labels.
    probabilities : array-like of shape (n_images,)
        The probability of each predicted label.
    losses : array-like of shape (n_images,)
        Each image's log loss, ``-log p(true label)``.
    class_names : dict or sequence of str, default=None
        Names of the labels: ``{label: name}``, or a sequence indexed by the
        integer labels 0, 1, ...; default the labels themselves.
    image_shape : tuple of int, default=None
        Shape of one flat image; default a square gray (or RGB) image.
    most_confused : list of tuple, default=None
        ``(true, predicted, count)`` of the most frequent confusions (see
        :func:`skvision.metrics.most_confused`), kept for reference.
    indices : array-like of shape (n_images,), default=None
        Positions of the images in the data they were picked from.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_rows, n_cols)
        The grid; cells beyond the last image are switched off.
    ax_ : matplotlib Axes
        The first image's axes.
    figure_ : matplotlib Figure
        Figure holding the grid.
    images_ : list of matplotlib AxesImage
        One per image.
    titles_ : list of matplotlib Text
        Title of each image.

    See Also
    --------
    PredictionGalleryDisplay : Any images with their predictions.
    skvision.metrics.most_confused : The pairs of classes confused most often.

    Examples
    --------
    >>> import numpy as np
    >>> from skvision.plotting import TopLossesDisplay
    >>> images = np.random.default_rng(0).random((5, 8, 8))
    >>> proba = np.array([[.9, .1], [.2, .8], [.6, .4], [.3, .7], [.99, .01]])
    >>> disp = TopLossesDisplay.from_predictions(
    ...     images, [0, 1, 1, 0, 1], proba, n=3, class_names=["cat", "dog"])
    >>> disp.indices.tolist()
    [4, 3, 2]
    >>> print(disp.titles_[0].get_text())
    dog / cat 0.99
    loss 4.61
    >>> disp.most_confused
    [(1, 0, 2), (0, 1, 1)]
    """

    def __init__(
        self,
        images,
        y_true,
        y_pred,
        probabilities,
        losses,
        *,
        class_names=None,
        image_shape=None,
        most_confused=None,
        indices=None,
    ):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred
        self.probabilities = probabilities
        self.losses = losses
        self.class_names = class_names
        self.image_shape = image_shape
        self.most_confused = most_confused
        self.indices = indices

    def plot(self, *, n_cols=None, cmap="gray", error_color="red", ax=None):
        """Draw the images, titled "true / predicted probability" and the loss.

        Parameters
        ----------
        n_cols : int, default=None
            Images per row; default about the square root of their number.
        cmap : str or matplotlib Colormap, default="gray"
            Colour map of gray images.
        error_color : color, default="red"
            Title colour of wrong predictions.
        ax : matplotlib Axes or array-like of Axes, default=None
            Axes for the images, or one Axes to split into the grid; None
            makes a new figure.

        Returns
        -------
        display : TopLossesDisplay
        """
        from ._gallery import PredictionGalleryDisplay

        images = as_images(self.images, self.image_shape)
        y_true, y_pred = np.asarray(self.y_true), np.asarray(self.y_pred)
        probabilities = np.asarray(self.probabilities, dtype=float)
        losses = np.asarray(self.losses, dtype=float)
        n = len(images)
        if not n == len(y_true) == len(y_pred) == len(probabilities) == len(losses):
            raise ValueError(
                f"Got {n} images, {len(y_true)} true and {len(y_pred)} predicted "
                f"labels, {len(probabilities)} probabilities and {len(losses)} "
                "losses; they must be as many."
            )
        fig, axes = PredictionGalleryDisplay._grid(ax, max(n, 1), n_cols)
        text_color = pyplot().rcParams["text.color"]
        true_names = label_names(y_true, self.class_names)
        pred_names = label_names(y_pred, self.class_names)
        vmin, vmax = gray_limits(images)
        self.images_, self.titles_ = [], []
        for i, cell in enumerate(axes.flat):
            if i >= n:
                cell.set_axis_off()
                continue
            self.images_.append(
                show_image(cell, images[i], cmap=cmap, vmin=vmin, vmax=vmax)
            )
            title = (
                f"{true_names[i]} / {pred_names[i]} {probabilities[i]:.2f}\n"
                f"loss {losses[i]:.2f}"
            )
            color = error_color if y_true[i] != y_pred[i] else text_color
            self.titles_.append(cell.set_title(title, color=color, fontsize="small"))
        if n == 0:
            axes.flat[0].text(0.5, 0.5, "no images", ha="center", va="center")
        self.axes_, self.ax_, self.figure_ = axes, axes.flat[0], fig
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        n=9,
        image_shape=None,
        class_names=None,
        n_cols=None,
        cmap="gray",
        error_color="red",
        ax=None,
    ):
        """The ``n`` samples of ``X`` a fitted classifier has the highest loss on.

        Parameters
        ----------
        estimator : fitted classifier
            Anything with ``predict_proba`` and ``classes_`` (a pipeline or
            search included).
        X : array-like of shape (n_samples, ...) or of image file paths
            Samples, as ``estimator.predict_proba`` takes them.
        y : array-like of shape (n_samples,)
            Their true labels, all among ``estimator.classes_``.
        n : int, default=9
            Number of images shown.
        image_shape : tuple of int, default=None
            Shape of one flat image; default ``estimator.input_shape_`` (or
            ``image_shape_``) when it is an image's, else square.
        class_names : dict or sequence of str, default=None
            ``{label: name}``, or names in the order of ``estimator.classes_``.
        n_cols, cmap, error_color, ax
            See :meth:`plot`.

        Returns
        -------
        display : TopLossesDisplay
            With ``most_confused``, the confusions over all of ``X``.
        """
        n = _check_n(n)
        fitted = final_estimator(estimator)
        check_fitted(fitted, "classes_")
        classes = np.asarray(fitted.classes_)
        n_samples = len(X) if hasattr(X, "__len__") else np.asarray(X).shape[0]
        y = _check_labels(y, n_samples, classes)
        proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
        display = cls._from_proba(y, proba, classes, n, class_names)
        images = sample_images(estimator, X, display.indices)
        display.images = as_images(
            images, image_shape or getattr(fitted, "image_shape_", None), fitted
        )
        return display.plot(n_cols=n_cols, cmap=cmap, error_color=error_color, ax=ax)

    @classmethod
    def from_predictions(
        cls,
        images,
        y_true,
        y_proba,
        *,
        classes=None,
        n=9,
        image_shape=None,
        class_names=None,
        n_cols=None,
        cmap="gray",
        error_color="red",
        ax=None,
    ):
        """The ``n`` images with the highest loss under given probabilities.

        Parameters
        ----------
        images : array-like of shape (n_samples, ...)
            Flat ``(n_samples, n_features)``, ``(n_samples, h, w)`` or
            ``(n_samples, h, w, c)`` images.
        y_true : array-like of shape (n_samples,)
            True labels.
        y_proba : array-like of shape (n_samples, n_classes)
            Predicted probabilities, columns in the order of ``classes``.
        classes : array-like of shape (n_classes,), default=None
            The labels of ``y_proba``'s columns; default 0 to n_classes - 1.
        n : int, default=9
            Number of images shown.
        image_shape : tuple of int, default=None
            Shape of one flat image; default a square gray (or RGB) image.
        class_names : dict or sequence of str, default=None
            ``{label: name}``, or a sequence indexed by integer labels (in the
            order of ``classes`` when given).
        n_cols, cmap, error_color, ax
            See :meth:`plot`.

        Returns
        -------
        display : TopLossesDisplay
        """
        n = _check_n(n)
        proba = np.asarray(y_proba, dtype=np.float64)
        if proba.ndim != 2:
            raise ValueError(
                f"y_proba must be of shape (n_samples, n_classes); got {proba.shape}."
            )
        classes = np.arange(proba.shape[1]) if classes is None else np.asarray(classes)
        if len(classes) != proba.shape[1]:
            raise ValueError(
                f"y_proba has {proba.shape[1]} columns for {len(classes)} classes."
            )
        y_true = _check_labels(y_true, len(proba), classes, "y_true")
        display = cls._from_proba(y_true, proba, classes, n, class_names)
        display.images = as_images(np.asarray(images)[display.indices], image_shape)
        return display.plot(n_cols=n_cols, cmap=cmap, error_color=error_color, ax=ax)

    @classmethod
    def _from_proba(cls, y, proba, classes, n, class_names):
        """The display of the top losses, without its images yet."""
        from ..metrics import most_confused

        sorter = np.argsort(classes)
        true_index = sorter[np.searchsorted(classes, y, sorter=sorter)]
        losses = -np.log(np.maximum(proba[np.arange(len(y)), true_index], _EPS))
        predicted = np.argmax(proba, axis=1)
        y_pred = classes[predicted]
        top = np.argsort(-losses, kind="stable")[:n]
        names = class_names
        if class_names is not None and not isinstance(class_names, dict):
            names = dict(
                zip(
                    classes.tolist(),
                    label_names(classes, class_names, classes),
                    strict=True,
                )
            )
        return cls(
            None,
            y[top],
            y_pred[top],
            proba[top, predicted[top]],
            losses[top],
            class_names=names,
            most_confused=most_confused(y, y_pred, labels=classes),
            indices=top,
        )
