"""Originals, noisy inputs and reconstructions of an autoencoder, row by row."""

import numpy as np

from ._base import final_estimator, subplots
from ._image_utils import as_images, gray_limits, image_shape_of, pick, show_image


class ReconstructionDisplay:
    """Rows of images: originals, noisy inputs (optional), reconstructions.

    All gray images share the originals' value range, so a faded
    reconstruction looks faded.

    Parameters
    ----------
    originals : array-like of shape (n_images, ...)
        Clean images: ``(n, h, w)``, ``(n, h, w, c)`` or flat ``(n, n_features)``.
    reconstructions : array-like of shape (n_images, ...)
        Reconstructed images, same number and pixels as ``originals``.
    noisy : array-like of shape (n_images, ...), default=None
        Inputs given to the autoencoder when they differ from the originals.
    image_shape : tuple of int, default=None
        Shape of one flat image; default a square gray (or RGB) image.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_rows, n_images)
        One row per kind of image, labelled on the left.
    ax_ : matplotlib Axes
        ``axes_[0, 0]``.
    figure_ : matplotlib Figure
        Figure holding the grid.
    images_ : ndarray of matplotlib AxesImage of shape (n_rows, n_images)
        The images drawn.
    row_labels_ : list of str
        Label of each row.

    Examples
    --------
    >>> import numpy as np
    >>> from skvision.plotting import ReconstructionDisplay
    >>> originals = np.random.default_rng(0).random((3, 8, 8))
    >>> disp = ReconstructionDisplay(originals, originals.clip(0.2, 0.8)).plot()
    >>> disp.axes_.shape, disp.row_labels_
    ((2, 3), ['original', 'reconstruction'])
    """

    def __init__(self, originals, reconstructions, *, noisy=None, image_shape=None):
        self.originals = originals
        self.reconstructions = reconstructions
        self.noisy = noisy
        self.image_shape = image_shape

    def plot(self, *, cmap="gray", ax=None):
        """Draw the rows.

        Parameters
        ----------
        cmap : str or matplotlib Colormap, default="gray"
            Colour map of gray images.
        ax : matplotlib Axes or array-like of Axes, default=None
            ``n_rows * n_images`` axes, or one Axes to split; None makes a new
            figure.

        Returns
        -------
        display : ReconstructionDisplay
        """
        originals = as_images(self.originals, self.image_shape)
        shape = originals.shape[1:]
        rows = {"original": originals}
        if self.noisy is not None:
            rows["noisy"] = np.asarray(self.noisy).reshape(originals.shape)
        rows["reconstruction"] = np.asarray(self.reconstructions).reshape(
            len(originals), *shape
        )
        n = len(originals)
        fig, axes = subplots(ax, len(rows), n, figsize=(1.3 * n + 0.6, 1.4 * len(rows)))
        vmin, vmax = gray_limits(originals)
        self.images_ = np.empty(axes.shape, dtype=object)
        for r, (label, images) in enumerate(rows.items()):
            for j in range(n):
                self.images_[r, j] = show_image(
                    axes[r, j], images[j], cmap=cmap, vmin=vmin, vmax=vmax
                )
            axes[r, 0].set_ylabel(label)
        self.row_labels_ = list(rows)
        self.axes_, self.ax_, self.figure_ = axes, axes[0, 0], fig
        return self

    @classmethod
    def from_estimator(
        cls,
        autoencoder,
        X,
        *,
        n_images=8,
        noise=None,
        image_shape=None,
        random_state=None,
        cmap="gray",
        ax=None,
    ):
        """Plot images and their reconstructions by a fitted autoencoder.

        Reconstructions are ``inverse_transform(transform(inputs))``, where
        the inputs are the originals or their noisy versions.

        Parameters
        ----------
        autoencoder : fitted transformer
            Anything with ``transform`` and ``inverse_transform``.
        X : array-like of shape (n_samples, ...)
            Clean images, as the autoencoder takes them.
        n_images : int, default=8
            Number of images (columns).
        noise : None, callable or array-like, default=None
            Noisy inputs for a denoising autoencoder: a function called on the
            chosen clean images that returns noisy ones, or an array of noisy
            versions of all of ``X`` (same shape). None feeds the originals.
        image_shape : tuple of int, default=None
            Shape of one flat image; default ``autoencoder.input_shape_`` when
            it has 2 or 3 dimensions, else square.
        random_state : int, RandomState instance or None, default=None
            None shows the first ``n_images``; otherwise they are drawn at
            random with this seed.
        cmap, ax
            See :meth:`plot`.

        Returns
        -------
        display : ReconstructionDisplay
        """
        X = np.asarray(X)
        indices = pick(len(X), n_images, None, random_state)
        originals = X[indices]
        noisy = None
        if callable(noise):
            noisy = np.asarray(noise(originals.copy()))
        elif noise is not None:
            noise = np.asarray(noise)
            if noise.shape != X.shape:
                raise ValueError(
                    f"noise must have the shape of X {X.shape}; got {noise.shape}."
                )
            noisy = noise[indices]
        inputs = originals if noisy is None else noisy
        reconstructions = autoencoder.inverse_transform(autoencoder.transform(inputs))
        if image_shape is None and X.ndim > 2:
            image_shape = X.shape[1:]
        shape = image_shape_of(
            int(np.prod(X.shape[1:])), image_shape, final_estimator(autoencoder)
        )
        display = cls(
            originals.reshape(len(originals), *shape),
            np.asarray(reconstructions),
            noisy=noisy,
            image_shape=shape,
        )
        return display.plot(cmap=cmap, ax=ax)
