"""A grid of images titled with their true and predicted classes."""

import math

import numpy as np

from ._base import final_estimator, is_axes, label_names, pyplot, subplots
from ._image_utils import as_images, gray_limits, pick, show_image


def _take(X, indices):
    """Rows ``indices`` of an array or data frame."""
    return X.iloc[indices] if hasattr(X, "iloc") else np.asarray(X)[indices]


def _class_names_for(estimator, class_names):
    """A sequence of names follows ``estimator.classes_`` when it has them."""
    classes = getattr(final_estimator(estimator), "classes_", None)
    if class_names is None or isinstance(class_names, dict) or classes is None:
        return class_names
    names = label_names(classes, class_names, classes)
    return dict(zip(list(classes), names, strict=True))


class PredictionGalleryDisplay:
    """Images in a grid, titled "true / predicted", errors in red.

    Parameters
    ----------
    images : array-like of shape (n_images, h, w), (n_images, h, w, c) \
            or (n_images, n_features)
        Images to show, all of them; flat ones are reshaped (see
        ``image_shape``).
    y_true : array-like of shape (n_images,)
        True labels.
    y_pred : array-like of shape (n_images,)
        Predicted labels.
    class_names : dict or sequence of str, default=None
        Names of the labels: ``{label: name}``, or a sequence indexed by the
        integer labels 0, 1, ...; default the labels themselves.
    image_shape : tuple of int, default=None
        Shape of one flat image, ``(h, w)`` or ``(h, w, c)``; default a
        square gray (or RGB) image.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_rows, n_cols)
        The grid; cells beyond the last image are switched off.
    ax_ : matplotlib Axes
        The first image's axes (``axes_.flat[0]``).
    figure_ : matplotlib Figure
        Figure holding the grid.
    images_ : list of matplotlib AxesImage
        One per image.
    titles_ : list of matplotlib Text
        Title of each image.
    misclassified_ : ndarray of bool of shape (n_images,)
        Which predictions are wrong (their titles are in ``error_color``).

    See Also
    --------
    ConfusionMatrixDisplay : Counts of each kind of error.

    Examples
    --------
    >>> import numpy as np
    >>> from skvision.plotting import PredictionGalleryDisplay
    >>> images = np.random.default_rng(0).random((4, 8, 8))
    >>> disp = PredictionGalleryDisplay(images, [0, 1, 2, 3], [0, 1, 2, 1],
    ...                                 class_names=["a", "b", "c", "d"]).plot()
    >>> [t.get_text() for t in disp.titles_]
    ['a / a', 'b / b', 'c / c', 'd / b']
    >>> disp.titles_[3].get_color()
    'red'
    """

    def __init__(self, images, y_true, y_pred, *, class_names=None, image_shape=None):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred
        self.class_names = class_names
        self.image_shape = image_shape

    def plot(self, *, n_cols=None, cmap="gray", error_color="red", ax=None):
        """Draw the gallery.

        Parameters
        ----------
        n_cols : int, default=None
            Images per row; default about the square root of their number.
        cmap : str or matplotlib Colormap, default="gray"
            Colour map of gray images.
        error_color : color, default="red"
            Title colour of wrong predictions (right ones use the text colour).
        ax : matplotlib Axes or array-like of Axes, default=None
            Axes for the images (at least as many as images), or one Axes to
            split into the grid; None makes a new figure.

        Returns
        -------
        display : PredictionGalleryDisplay
        """
        images = as_images(self.images, self.image_shape)
        y_true, y_pred = np.asarray(self.y_true), np.asarray(self.y_pred)
        if not len(images) == len(y_true) == len(y_pred):
            raise ValueError(
                f"Got {len(images)} images, {len(y_true)} true and "
                f"{len(y_pred)} predicted labels."
            )
        n = len(images)
        fig, axes = self._grid(ax, max(n, 1), n_cols)
        text_color = pyplot().rcParams["text.color"]
        true_names = label_names(y_true, self.class_names)
        pred_names = label_names(y_pred, self.class_names)
        vmin, vmax = gray_limits(images)
        self.misclassified_ = y_true != y_pred
        self.images_, self.titles_ = [], []
        for i, cell in enumerate(axes.flat):
            if i >= n:
                cell.set_axis_off()
                continue
            self.images_.append(
                show_image(cell, images[i], cmap=cmap, vmin=vmin, vmax=vmax)
            )
            color = error_color if self.misclassified_[i] else text_color
            title = f"{true_names[i]} / {pred_names[i]}"
            self.titles_.append(cell.set_title(title, color=color, fontsize="small"))
        if n == 0:
            axes.flat[0].text(0.5, 0.5, "no images", ha="center", va="center")
        self.axes_, self.ax_, self.figure_ = axes, axes.flat[0], fig
        return self

    @staticmethod
    def _grid(ax, n, n_cols):
        if ax is not None and not is_axes(ax):
            axes = np.asarray(ax, dtype=object)
            axes = axes.reshape(1, -1) if axes.ndim == 1 else axes
            if axes.size < n:
                raise ValueError(f"Got {axes.size} axes for {n} images.")
            return axes.flat[0].figure, axes
        n_cols = min(n, n_cols or math.ceil(math.sqrt(n)))
        n_rows = math.ceil(n / n_cols)
        return subplots(ax, n_rows, n_cols, figsize=(1.6 * n_cols, 1.8 * n_rows))

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        n_images=16,
        image_shape=None,
        class_names=None,
        only_errors=False,
        random_state=None,
        n_cols=None,
        cmap="gray",
        error_color="red",
        ax=None,
    ):
        """Show images with a fitted classifier's predictions.

        Parameters
        ----------
        estimator : fitted classifier
            Anything with ``predict``.
        X : array-like of shape (n_samples, ...)
            Images, as ``estimator.predict`` takes them: flat
            ``(n_samples, n_features)``, ``(n_samples, h, w)`` or
            ``(n_samples, h, w, c)``.
        y : array-like of shape (n_samples,)
            True labels.
        n_images : int, default=16
            Number of images shown (fewer if fewer are available).
        image_shape : tuple of int, default=None
            Shape of one flat image; default ``estimator.input_shape_`` when it
            has 2 or 3 dimensions, else a square gray (or RGB) image.
        class_names : dict or sequence of str, default=None
            ``{label: name}``, or names in the order of ``estimator.classes_``.
        only_errors : bool, default=False
            Show misclassified images only.
        random_state : int, RandomState instance or None, default=None
            None shows the first ``n_images`` (errors); otherwise they are
            drawn at random with this seed.
        n_cols, cmap, error_color, ax
            See :meth:`plot`.

        Returns
        -------
        display : PredictionGalleryDisplay
        """
        y = np.asarray(y)
        if only_errors:
            y_pred = np.asarray(estimator.predict(X))
            indices = pick(len(y), n_images, np.flatnonzero(y_pred != y), random_state)
            y_pred = y_pred[indices]
        else:
            indices = pick(len(y), n_images, None, random_state)
            y_pred = np.asarray(estimator.predict(_take(X, indices)))
        images = as_images(
            np.asarray(_take(X, indices)), image_shape, final_estimator(estimator)
        )
        display = cls(
            images,
            y[indices],
            y_pred,
            class_names=_class_names_for(estimator, class_names),
        )
        return display.plot(n_cols=n_cols, cmap=cmap, error_color=error_color, ax=ax)

    @classmethod
    def from_predictions(
        cls,
        images,
        y_true,
        y_pred,
        *,
        n_images=16,
        image_shape=None,
        class_names=None,
        only_errors=False,
        random_state=None,
        n_cols=None,
        cmap="gray",
        error_color="red",
        ax=None,
    ):
        """Show images with given predictions.

        Parameters
        ----------
        images : array-like of shape (n_samples, ...)
            Flat ``(n_samples, n_features)``, ``(n_samples, h, w)`` or
            ``(n_samples, h, w, c)`` images.
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        n_images : int, default=16
            Number of images shown.
        image_shape : tuple of int, default=None
            Shape of one flat image; default a square gray (or RGB) image.
        class_names : dict or sequence of str, default=None
            ``{label: name}``, or a sequence indexed by integer labels.
        only_errors : bool, default=False
            Show misclassified images only.
        random_state : int, RandomState instance or None, default=None
            None shows the first ``n_images``; otherwise they are drawn at
            random with this seed.
        n_cols, cmap, error_color, ax
            See :meth:`plot`.

        Returns
        -------
        display : PredictionGalleryDisplay
        """
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        candidates = np.flatnonzero(y_true != y_pred) if only_errors else None
        indices = pick(len(y_true), n_images, candidates, random_state)
        images = as_images(np.asarray(images)[indices], image_shape)
        display = cls(images, y_true[indices], y_pred[indices], class_names=class_names)
        return display.plot(n_cols=n_cols, cmap=cmap, error_color=error_color, ax=ax)
