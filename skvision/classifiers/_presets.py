"""The studies' convolutional nets as parameters of ``ConvNetClassifier``.

Each function returns a fresh dict of constructor parameters (architecture,
augmentation and, where the study fixed one, the training recipe), which
:meth:`ConvNetClassifier.reference`, :meth:`~ConvNetClassifier.mnist` and
:meth:`~ConvNetClassifier.pets` update with the caller's parameters. How well
they do is measured by ``benchmarks/bench_conv.py`` and reported in the
docs' benchmarks page (from ``benchmarks/results/conv.json``), not here.
"""

import copy
from numbers import Integral

# The AlexNet-style reference: 331,274 parameters on 28x28x1 images. Its two
# "valid" convolutions shrink the 7x7 maps of block 3 to 3x3, which the last
# pooling turns into 1x1x64 features (64 * 128 + 128 = 8,320 weights for the
# first dense layer). Other kernel sizes would not fit twice in 7x7 maps, so
# their variants use "same" padding throughout.
_REFERENCE = dict(
    conv_blocks=((32,), (64,), (128, 128, 64)),
    kernel_size=3,
    padding=("same", "same", ("valid", "valid", "same")),
    pool_size=2,
    batch_normalization=False,
    pooling="flatten",
    dense_layer_sizes=(128, 64),
    dropout=0.3,
)

# The small MNIST recipe: three conv-BN-ReLU-pool blocks, a 256-unit dense
# layer with dropout, light augmentation and a stepped learning rate over 11
# epochs on all 60,000 training images.
_MNIST = dict(
    conv_blocks=((32,), (64,), (128,)),
    kernel_size=3,
    padding="same",
    batch_normalization=True,
    pooling="flatten",
    dense_layer_sizes=(256,),
    dropout=0.4,
    rotation_range=10.0,
    zoom_range=0.1,
    translation_range=0.1,
    learning_rate={5: 3e-4, 8: 1e-4, 10: 3e-5},
    max_iter=11,
    early_stopping=False,
)

# The Oxford pets net: a 7x7 stride-2 stem, conv-BN-ReLU blocks with max
# pooling, global average pooling and dropout before the softmax.
_PETS = dict(
    stem_filters=32,
    stem_kernel_size=7,
    stem_stride=2,
    conv_blocks=((64,), (128, 128), (256, 256)),
    kernel_size=3,
    padding="same",
    batch_normalization=True,
    pooling="avg",
    dense_layer_sizes=(),
    dropout=0.5,
    horizontal_flip=True,
    rotation_range=10.0,
    zoom_range=0.1,
)


def reference(n_conv=5, kernel_size=3):
    """The reference net with ``n_conv`` convolutions of ``kernel_size``.

    The last block holds ``n_conv - 3`` convolutions of 128 filters, then one
    of 64; with 3x3 kernels its first two (at most) use "valid" padding, as
    in the original, and other kernel sizes use "same" padding everywhere.

    Examples
    --------
    >>> from skvision.classifiers._presets import reference
    >>> reference(n_conv=4)["conv_blocks"], reference(kernel_size=5)["padding"]
    (((32,), (64,), (128, 64)), 'same')
    """
    if not isinstance(n_conv, Integral) or n_conv < 3:
        raise ValueError(f"n_conv must be an int >= 3; got {n_conv!r}.")
    last = (128,) * (n_conv - 3) + (64,)
    n_valid = min(2, n_conv - 3)
    padding = "same"
    if kernel_size == 3:
        last_padding = ("valid",) * n_valid + ("same",) * (len(last) - n_valid)
        padding = ("same", "same", last_padding)
    return {
        **copy.deepcopy(_REFERENCE),
        "conv_blocks": ((32,), (64,), last),
        "kernel_size": kernel_size,
        "padding": padding,
    }


def mnist():
    """The small MNIST CNN and its 11-epoch augmented recipe."""
    return copy.deepcopy(_MNIST)


def pets():
    """The pets net for colour images, with flips, rotations and zoom."""
    return copy.deepcopy(_PETS)


class ConvNetPresets:
    """The presets as class methods of the convolutional estimators."""

    @classmethod
    def reference(cls, *, n_conv=5, kernel_size=3, **params):
        """The AlexNet-style reference net and its kernel and depth variants.

        On 28x28x1 images with the defaults it is conv32-pool, conv64-pool,
        conv128 (valid), conv128 (valid), conv64-pool (3x3 kernels), flatten,
        dense 128 + dropout, dense 64 + dropout, softmax: 331,274 parameters
        for 10 classes. ``width`` (in ``params``) scales the filters.

        Parameters
        ----------
        n_conv : int, default=5
            Number of convolutions (at least 3): the last block holds
            ``n_conv - 3`` convolutions of 128 filters, then one of 64; its
            first two (at most) use "valid" padding.
        kernel_size : int, default=3
            Kernel size of every convolution. The reference's "valid"
            convolutions are meant for 3x3 kernels; other sizes use "same"
            padding everywhere.
        **params
            Any other parameter of the estimator, overriding the
            preset's.

        Returns
        -------
        estimator : ConvNetClassifier or ConvNetRegressor
            An unfitted estimator of the class the method is called on.

        Examples
        --------
        >>> from skvision import ConvNetClassifier
        >>> ConvNetClassifier.reference(width=0.5).conv_blocks
        ((32,), (64,), (128, 128, 64))
        """
        return cls(**{**reference(n_conv, kernel_size), **params})

    @classmethod
    def mnist(cls, **params):
        """The small MNIST CNN: 32-pool, 64-pool, 128-pool, dense 256, augmented.

        Batch normalization, dropout 0.4, ±10° rotation, 10 % zoom and
        shifts, and a learning rate of 1e-3 stepped down to 3e-5 over 11
        epochs without early stopping. Its accuracy and training time on
        MNIST are measured by ``benchmarks/bench_conv.py`` (the benchmarks page).

        Parameters
        ----------
        **params
            Any parameter of the estimator, overriding the
            preset's.

        Returns
        -------
        estimator : ConvNetClassifier or ConvNetRegressor
            An unfitted estimator of the class the method is called on.

        Examples
        --------
        >>> from skvision import ConvNetClassifier
        >>> ConvNetClassifier.mnist(max_iter=5).rotation_range
        10.0
        """
        return cls(**{**mnist(), **params})

    @classmethod
    def pets(cls, **params):
        """The pets net for colour images (e.g. 128x128 Oxford-IIIT pets).

        A 7x7 stride-2 stem of 32 filters, conv-BN-ReLU blocks of 64; 128,
        128; 256, 256 filters each followed by 2x2 max pooling, global
        average pooling, dropout 0.5 and a softmax, trained with flips, ±10°
        rotations and 10 % zoom.

        Parameters
        ----------
        **params
            Any parameter of the estimator, overriding the
            preset's.

        Returns
        -------
        estimator : ConvNetClassifier or ConvNetRegressor
            An unfitted estimator of the class the method is called on.

        Examples
        --------
        >>> from skvision import ConvNetClassifier
        >>> ConvNetClassifier.pets().pooling
        'avg'
        """
        return cls(**{**pets(), **params})
