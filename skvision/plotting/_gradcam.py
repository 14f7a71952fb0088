"""Grad-CAM heat maps over the images a convolutional classifier read."""

import numpy as np

from ._base import final_estimator, label_names
from ._image_utils import as_images, gray_limits, sample_images, show_image

_TARGETS = ("predicted", "true")


def _check_skvision_classifier(estimator):
    """The fitted skvision classifier inside ``estimator``, or a TypeError."""
    fitted = final_estimator(estimator)
    if fitted is not estimator and hasattr(estimator, "steps"):
        raise TypeError(
            "Grad-CAM needs the network itself: pass the fitted classifier, not "
            "a pipeline (its other steps would change what the network reads)."
        )
    if not (hasattr(fitted, "model_") and hasattr(fitted, "decision_function")):
        raise TypeError(
            "Grad-CAM needs a fitted skvision classifier with a convolutional "
            f"network; got {type(fitted).__name__}."
        )
    return fitted


class GradCAMDisplay:
    """Class-activation heat maps (Grad-CAM) over images.

    Where in each image a convolutional classifier found the evidence for a
    class: the gradient of the class's logit weighs the channels of the last
    convolutional feature maps (Selvaraju et al., 2017). Each heat map is
    drawn over its image, scaled to a maximum of 1.

    Parameters
    ----------
    images : array-like of shape (n_images, h, w), (n_images, h, w, c) \
            or (n_images, n_features)
        The images.
    heatmaps : array-like of shape (n_images, h, w)
        One heat map per image, of the images' height and width, in [0, 1].
    titles : list of str, default=None
        A title per image.
    image_shape : tuple of int, default=None
        Shape of one flat image; default a square gray (or RGB) image.
    layer_name : str, default=None
        The layer whose feature maps the heat maps come from.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_rows, n_cols)
        The grid; cells beyond the last image are switched off.
    ax_ : matplotlib Axes
        The first image's axes.
    figure_ : matplotlib Figure
        Figure holding the grid.
    images_ : list of matplotlib AxesImage
        The images.
    overlays_ : list of matplotlib AxesImage
        The heat maps drawn over them.
    titles_ : list of matplotlib Text
        Title of each image.

    See Also
    --------
    TopLossesDisplay : The images a classifier is most wrong about.

    Examples
    --------
    >>> import numpy as np
    >>> from skvision.plotting import GradCAMDisplay
    >>> images = np.random.default_rng(0).random((2, 8, 8))
    >>> heatmaps = np.zeros((2, 8, 8))
    >>> heatmaps[:, 2:4, 2:4] = 1.0
    >>> disp = GradCAMDisplay(images, heatmaps, titles=["a", "b"]).plot()
    >>> len(disp.overlays_), disp.titles_[1].get_text()
    (2, 'b')
    """

    def __init__(
        self, images, heatmaps, *, titles=None, image_shape=None, layer_name=None
    ):
        self.images = images
        self.heatmaps = heatmaps
        self.titles = titles
        self.image_shape = image_shape
        self.layer_name = layer_name

    def plot(self, *, alpha=0.5, cmap="gray", heatmap_cmap="jet", n_cols=None, ax=None):
        """Draw each image with its heat map over it.

        Parameters
        ----------
        alpha : float, default=0.5
            Opacity of the heat maps.
        cmap : str or matplotlib Colormap, default="gray"
            Colour map of gray images.
        heatmap_cmap : str or matplotlib Colormap, default="jet"
            Colour map of the heat maps.
        n_cols : int, default=None
            Images per row; default about the square root of their number.
        ax : matplotlib Axes or array-like of Axes, default=None
            Axes for the images, or one Axes to split into the grid; None
            makes a new figure.

        Returns
        -------
        display : GradCAMDisplay
        """
        from ._gallery import PredictionGalleryDisplay

        images = as_images(self.images, self.image_shape)
        heatmaps = np.asarray(self.heatmaps, dtype=float)
        if heatmaps.shape != (len(images), *images.shape[1:3]):
            raise ValueError(
                f"Got heat maps of shape {heatmaps.shape} for images of shape "
                f"{images.shape}; expected one (height, width) map per image."
            )
        n = len(images)
        titles = [""] * n if self.titles is None else list(self.titles)
        fig, axes = PredictionGalleryDisplay._grid(ax, max(n, 1), n_cols)
        vmin, vmax = gray_limits(images)
        self.images_, self.overlays_, self.titles_ = [], [], []
        for i, cell in enumerate(axes.flat):
            if i >= n:
                cell.set_axis_off()
                continue
            self.images_.append(
                show_image(cell, images[i], cmap=cmap, vmin=vmin, vmax=vmax)
            )
            self.overlays_.append(
                cell.imshow(
                    heatmaps[i],
                    cmap=heatmap_cmap,
                    alpha=alpha,
                    vmin=0.0,
                    vmax=1.0,
                    interpolation="bilinear",
                )
            )
            self.titles_.append(cell.set_title(titles[i], fontsize="small"))
        if self.layer_name is not None and n:
            fig.suptitle(f"Grad-CAM on {self.layer_name}", fontsize="medium")
        self.axes_, self.ax_, self.figure_ = axes, axes.flat[0], fig
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        target="predicted",
        layer=None,
        image_shape=None,
        class_names=None,
        alpha=0.5,
        cmap="gray",
        heatmap_cmap="jet",
        n_cols=None,
        ax=None,
    ):
        """Grad-CAM heat maps of a fitted convolutional classifier.

        Parameters
        ----------
        estimator : fitted ConvNetClassifier, BackboneClassifier or KerasClassifier
            A skvision classifier whose network has convolutions; a dense net
            raises a TypeError.
        X : array-like of shape (n_images, ...) or of image file paths
            A few images, as ``estimator.predict`` takes them.
        y : array-like of shape (n_images,), default=None
            Their true labels, shown in the titles (and explained with
            ``target="true"``).
        target : {"predicted", "true"} or array-like, default="predicted"
            The class each heat map explains: the predicted one, the true one
            (needs ``y``), or one label per image.
        layer : str, default=None
            Name of the layer whose feature maps are used (inside a backbone
            or a user's network too); default the last convolutional feature
            maps. A missing layer, or one without feature maps computed by a
            convolution, raises a ValueError listing the layers that have them.
        image_shape : tuple of int, default=None
            Shape of one flat image; default the estimator's.
        class_names : dict or sequence of str, default=None
            ``{label: name}``, or names in the order of ``estimator.classes_``.
        alpha, cmap, heatmap_cmap, n_cols, ax
            See :meth:`plot`.

        Returns
        -------
        display : GradCAMDisplay
        """
        from ..classifiers._gradcam import grad_cam

        fitted = _check_skvision_classifier(estimator)
        classes = np.asarray(fitted.classes_)
        if fitted._multilabel:
            raise ValueError(
                "GradCAMDisplay explains one class per image; the classifier "
                "was fitted on multi-label targets."
            )
        samples = fitted._check_predict_input(X)
        n_images = len(samples)
        if y is not None:
            from ._top_losses import _check_labels

            y = _check_labels(y, n_images, classes)
        targets = _target_indices(target, y, classes, n_images)
        cams = grad_cam(fitted, samples, targets=targets, layer=layer)
        proba = fitted.predict_proba(X)
        names = label_names(
            classes,
            class_names,
            None if isinstance(class_names, dict) else classes,
        )
        titles = []
        for i, index in enumerate(cams.targets):
            title = f"{names[index]} {proba[i, index]:.2f}"
            if y is not None:
                true_name = names[int(np.flatnonzero(classes == y[i])[0])]
                title = f"{true_name} / {title}"
            titles.append(title)
        images = sample_images(fitted, X, np.arange(n_images))
        shape = image_shape or getattr(fitted, "image_shape_", None)
        display = cls(
            as_images(images, shape, fitted),
            cams.heatmaps,
            titles=titles,
            layer_name=cams.layer,
        )
        return display.plot(
            alpha=alpha, cmap=cmap, heatmap_cmap=heatmap_cmap, n_cols=n_cols, ax=ax
        )


def _target_indices(target, y, classes, n_images):
    """Indices in ``classes`` of the classes to explain (None: predicted)."""
    if isinstance(target, str):
        if target not in _TARGETS:
            raise ValueError(
                f"target must be 'predicted', 'true' or one label per image; got "
                f"{target!r}."
            )
        if target == "predicted":
            return None
        if y is None:
            raise ValueError("target='true' needs the true labels y.")
        labels = y
    else:
        from ._top_losses import _check_labels

        labels = _check_labels(target, n_images, classes, name="target")
    sorter = np.argsort(classes)
    return sorter[np.searchsorted(classes, labels, sorter=sorter)]
