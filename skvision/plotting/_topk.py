"""The k most probable classes of one image."""

import math

import numpy as np

from ._base import final_estimator, label_names, subplots
from ._image_utils import as_images
from ._image_utils import show_image as draw_image


def _as_batch(estimator, image):
    """One sample as a batch of one, in the layout the estimator was fitted on."""
    image = np.asarray(image)
    shape = tuple(getattr(estimator, "input_shape_", ()) or ())
    if shape:
        if image.shape == (1, *shape):
            return image
        if image.size == math.prod(shape):
            return image.reshape(1, *shape)
        raise ValueError(
            f"Expected one sample of shape {shape}; got an array of shape "
            f"{image.shape}."
        )
    n_features = getattr(estimator, "n_features_in_", None)
    if n_features is not None and image.size == n_features:
        return image.reshape(1, -1)
    return image[np.newaxis]


class TopKProbabilitiesDisplay:
    """Horizontal bars of the k most probable classes of one image.

    The most probable class is on top, each bar labelled with its
    probability; the image itself can be shown on the left.

    Parameters
    ----------
    probabilities : array-like of shape (n_classes,)
        Probability of each class.
    class_names : sequence of str, default=None
        Name of each class, in the order of ``probabilities``; default their
        indices.
    image : array-like, default=None
        The image, ``(h, w)``, ``(h, w, c)`` or flat (square); not shown when
        None.
    image_shape : tuple of int, default=None
        Shape of a flat ``image``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the bars.
    image_ax_ : matplotlib Axes or None
        Axes with the image.
    figure_ : matplotlib Figure
        Figure holding the axes.
    bars_ : matplotlib BarContainer
        The k bars, most probable first.
    bar_labels_ : list of matplotlib Text
        Probability written at each bar.
    top_indices_ : ndarray of shape (k,)
        Indices of the k classes shown, most probable first.
    top_names_ : list of str
        Their names.
    image_ : matplotlib AxesImage or None
        The image.

    See Also
    --------
    PredictionGalleryDisplay : Predictions of many images.

    Examples
    --------
    >>> from skvision.plotting import TopKProbabilitiesDisplay
    >>> disp = TopKProbabilitiesDisplay(
    ...     [0.1, 0.6, 0.05, 0.25], ["cat", "dog", "fox", "owl"]).plot(k=3)
    >>> disp.top_names_
    ['dog', 'owl', 'cat']
    """

    def __init__(
        self, probabilities, class_names=None, *, image=None, image_shape=None
    ):
        self.probabilities = probabilities
        self.class_names = class_names
        self.image = image
        self.image_shape = image_shape

    def plot(self, *, k=3, show_image=True, values_format=".2f", cmap="gray", ax=None):
        """Draw the bars (and the image).

        Parameters
        ----------
        k : int, default=3
            Number of classes shown (all if there are fewer).
        show_image : bool, default=True
            Show the image left of the bars, when there is one.
        values_format : str, default=".2f"
            Format of the probabilities written at the bars.
        cmap : str or matplotlib Colormap, default="gray"
            Colour map of a gray image.
        ax : matplotlib Axes or list of two Axes, default=None
            Axes for the bars, or, with the image, ``[image_ax, bar_ax]`` or
            one Axes to split; None makes a new figure.

        Returns
        -------
        display : TopKProbabilitiesDisplay
        """
        probabilities = np.asarray(self.probabilities, dtype=float).ravel()
        names = self.class_names
        if names is None:
            names = [str(i) for i in range(len(probabilities))]
        names = list(names)
        if len(names) != len(probabilities):
            raise ValueError(
                f"Got {len(names)} class names for {len(probabilities)} probabilities."
            )
        # Stable sort: ties keep class order.
        top = np.argsort(-probabilities, kind="stable")[: max(1, int(k))]
        with_image = show_image and self.image is not None

        if with_image:
            fig, axes = subplots(ax, 1, 2, figsize=(6.5, 2.8), width_ratios=[1, 1.6])
            self.image_ax_, ax = axes[0]
            image = as_images(np.asarray(self.image)[np.newaxis], self.image_shape)[0]
            self.image_ = draw_image(self.image_ax_, image, cmap=cmap)
        else:
            fig, axes = subplots(ax, figsize=(4.5, 2.8))
            ax = axes[0, 0]
            self.image_ax_ = self.image_ = None

        self.top_indices_ = top
        self.top_names_ = [str(names[i]) for i in top]
        positions = np.arange(len(top))
        self.bars_ = ax.barh(positions, probabilities[top])
        ax.set_yticks(positions, labels=self.top_names_)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.15)
        ax.set_xlabel("probability")
        self.bar_labels_ = ax.bar_label(
            self.bars_, fmt=f"{{:{values_format}}}", padding=3
        )
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        image,
        *,
        k=3,
        class_names=None,
        image_shape=None,
        show_image=True,
        values_format=".2f",
        cmap="gray",
        ax=None,
    ):
        """Plot a fitted classifier's top-k classes for one image.

        Parameters
        ----------
        estimator : fitted classifier
            Anything with ``predict_proba`` (and ``classes_``).
        image : array-like
            One sample in the layout the estimator takes (e.g. ``(28, 28)`` or
            ``(784,)``), or a batch of one.
        k : int, default=3
            Number of classes shown.
        class_names : dict or sequence of str, default=None
            ``{label: name}``, or names in the order of ``estimator.classes_``;
            default the class labels.
        image_shape : tuple of int, default=None
            Shape of a flat image; default ``estimator.input_shape_`` when it
            has 2 or 3 dimensions, else square.
        show_image, values_format, cmap, ax
            See :meth:`plot`.

        Returns
        -------
        display : TopKProbabilitiesDisplay
        """
        fitted = final_estimator(estimator)
        batch = _as_batch(fitted, image)
        probabilities = np.asarray(estimator.predict_proba(batch))[0]
        classes = getattr(fitted, "classes_", None)
        if classes is None:
            classes = np.arange(len(probabilities))
        names = label_names(
            classes, class_names, None if isinstance(class_names, dict) else classes
        )
        picture = as_images(batch.reshape(1, -1), image_shape, fitted)[0]
        display = cls(probabilities, names, image=picture)
        return display.plot(
            k=k, show_image=show_image, values_format=values_format, cmap=cmap, ax=ax
        )
