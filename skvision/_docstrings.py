"""The shared parameters' documentation, written once.

Every estimator documents the parameters of
:class:`skvision._base.KerasEstimator` through a marker line in its docstring,
``    <training parameters: classifier>`` or ``... autoencoder>``, that
:func:`fill_doc` replaces with the paragraphs below, so the estimators
describe them in the same words. Where the two families differ (what
``monitor`` watches, the stratified hold-out, ``class_weight``), each has
its own paragraph (and classifiers have ``test_time_augmentation``, last).
The autoencoders' own parameters, the same for the dense
and the convolutional one, come the same way (``<autoencoder parameters>``).
"""

import re

_COMMON = {
    "optimizer": """\
    optimizer : {"adam", "adamw", "sgd", "rmsprop"}, default="adam"
        Keras optimizer.""",
    "learning_rate_init": """\
    learning_rate_init : float, default=1e-3
        Initial learning rate.""",
    "learning_rate": """\
    learning_rate : "constant", "adaptive", dict or callable, default="adaptive"
        Learning-rate schedule. ``"adaptive"`` divides it by 5 when the
        monitored score has not improved for 3 epochs; a dict ``{7: 1e-3}``
        switches to 1e-3 at epoch 7 (``learning_rate_init`` before); a callable
        is called as ``learning_rate(epoch, current_rate)``.""",
    "momentum": """\
    momentum : float, default=0.9
        Momentum of the "sgd" and "rmsprop" optimizers.""",
    "batch_size": """\
    batch_size : int, default=128
        Samples per gradient step.""",
    "max_iter": """\
    max_iter : int, default=100
        Maximum number of epochs.""",
    "early_stopping": """\
    early_stopping : bool, default=True
        Stop when ``monitor`` has not improved for ``n_iter_no_change`` epochs.""",
    "monitor": None,
    "n_iter_no_change": """\
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.""",
    "restore_best_weights": """\
    restore_best_weights : bool, default=True
        After early stopping, keep the weights of the best epoch.""",
    "validation_fraction": None,
    "callbacks": """\
    callbacks : list of keras.callbacks.Callback, default=None
        Extra Keras callbacks for ``fit``.""",
    "class_weight": None,
    "warm_start": """\
    warm_start : bool, default=False
        When True, ``fit`` continues training the current network.""",
    "random_state": """\
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, dropout, noise, augmentation, shuffling
        and the validation split; an int makes fits reproducible on CPU.""",
    "verbose": """\
    verbose : int, default=0
        Keras' progress output: 0 silent, 1 progress bar, 2 one line per epoch.""",
    "dtype": """\
    dtype : {"float32", "float64", "mixed_float16", "mixed_bfloat16"}, \
            default="float32"
        Precision of the network's weights and computations. The mixed
        policies (Keras mixed precision) compute the hidden layers in float16
        or bfloat16 while the weights stay float32, as do the samples, the
        output layer and the predictions: faster training on GPUs with tensor
        cores ("mixed_float16" adds loss scaling against underflow). On a CPU
        "mixed_bfloat16" runs, for correctness, usually slower than float32.
        The policy holds for this estimator's network only; Keras' global
        dtype policy is left as it was.""",
}

_FAMILIES = {
    "classifier": {
        "monitor": """\
    monitor : {"val_loss", "val_accuracy", "loss", "accuracy"}, default="val_loss"
        Score watched by early stopping and the adaptive learning rate. Without
        validation data the training counterpart is used.""",
        "validation_fraction": """\
    validation_fraction : float, default=0.1
        Fraction of the training samples held out (stratified) for early
        stopping and the adaptive learning rate, unless ``fit`` gets
        ``validation_data``.""",
        "class_weight": """\
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.""",
        "test_time_augmentation": """\
    test_time_augmentation : int, default=0
        Number of augmented copies of each image whose probabilities
        ``predict_proba``, ``predict``, ``score`` and ``decision_function``
        average with the image's own. The copies go through the network's own
        training augmentation (``rotation_range``, ``zoom_range``,
        ``translation_range``, ``brightness``, ``horizontal_flip``, or the
        ``keras.layers.Random*`` layers of a user's model), seeded from
        ``random_state``, so predictions repeat; prediction takes about
        ``1 + test_time_augmentation`` times as long. 0 predicts from the
        images alone. Above 0, a network without augmentation (any dense
        net) raises a ValueError at prediction rather than average identical
        copies.""",
    },
    "regressor": {
        "monitor": """\
    monitor : {"val_loss", "loss"}, default="val_loss"
        Loss watched by early stopping and the adaptive learning rate. Without
        validation data the training loss is used.""",
        "validation_fraction": """\
    validation_fraction : float, default=0.1
        Fraction of the training samples held out for early stopping and the
        adaptive learning rate, unless ``fit`` gets ``validation_data``.""",
    },
    "embedding": {
        "learning_rate": """\
    learning_rate : "constant", "adaptive", dict or callable, default="constant"
        Learning-rate schedule. ``"adaptive"`` divides it by 5 when the
        monitored score has not improved for 3 epochs; a dict ``{7: 1e-3}``
        switches to 1e-3 at epoch 7 (``learning_rate_init`` before); a callable
        is called as ``learning_rate(epoch, current_rate)``.""",
        "batch_size": """\
    batch_size : int, default=128
        Images per batch of ``transform`` and of decoding files; a training
        step reads one episode instead.""",
        "early_stopping": """\
    early_stopping : bool, default=False
        Stop when ``monitor`` has not improved for ``n_iter_no_change`` epochs.""",
        "monitor": """\
    monitor : {"val_accuracy", "val_loss", "accuracy", "loss"}, \
            default="val_accuracy"
        Score watched by early stopping and the adaptive learning rate: the
        episodes' loss, or their accuracy (the fraction of queries nearest to
        their own class's prototype). Without validation data the training
        counterpart is used.""",
        "validation_fraction": """\
    validation_fraction : float, default=0.1
        Fraction of the classes held out (all their images) for early
        stopping and the adaptive learning rate, unless ``fit`` gets
        ``validation_data``; at least 2 classes, and ``n_way`` left to train.""",
    },
    "autoencoder": {
        "monitor": """\
    monitor : {"val_loss", "loss"}, default="val_loss"
        Reconstruction loss watched by early stopping and the adaptive
        learning rate. Without validation data the training loss is used.""",
        "validation_fraction": """\
    validation_fraction : float, default=0.1
        Fraction of the training samples held out for early stopping and the
        adaptive learning rate, unless ``fit`` gets ``validation_data``.""",
    },
}


# What makes a network a (denoising, sparse) autoencoder, dense or
# convolutional: ``    <autoencoder parameters>``.
AUTOENCODER_PARAMETERS = """\
    latent_activation : {"linear", "relu", "leaky_relu", "elu", "selu", \
"tanh", "sigmoid"}, default="linear"
        Activation of the code.
    output_activation : {"sigmoid", "linear"}, default="sigmoid"
        Activation of the reconstruction: "sigmoid" for data in [0, 1] (pixels
        scaled by 1/255, or by the maximum); "linear" for any other data, e.g.
        standardized features.
    loss : {"mean_squared_error", "binary_crossentropy"}, \
            default="mean_squared_error"
        Reconstruction loss; binary cross-entropy needs targets in [0, 1] and
        ``output_activation="sigmoid"``.
    noise_std : float, default=0.0
        Standard deviation of the Gaussian noise added to the inputs while
        training (denoising autoencoder).
    mask_fraction : float, default=0.0
        Fraction of input values set to zero while training (masking noise);
        like Keras' ``Dropout``, the kept values are scaled by
        ``1 / (1 - mask_fraction)``.
    activity_l1 : float, default=0.0
        L1 penalty on the codes (sparse autoencoder): ``activity_l1`` times
        the batch mean of ``sum(|code|)`` is added to the loss.
"""


# The architectures' parameters, shared by the classifier and the regressor
# of each: ``    <dense parameters>`` and ``    <conv parameters>``.
ARCHITECTURE_PARAMETERS = {
    "dense": """\
    hidden_layer_sizes : tuple of int or LayerSizes, default=(512, 256)
        Units of each hidden layer; ``()`` gives multinomial logistic regression.
        A :class:`~skvision.LayerSizes` makes depth and each width separate
        searchable parameters.
    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "tanh"}, \
            default="relu"
        Activation of the hidden layers.
    negative_slope : float, default=0.3
        Slope for negative inputs when ``activation="leaky_relu"``.
    batch_normalization : bool, default=True
        Batch-normalize each hidden layer's pre-activations.
    dropout : float, default=0.3
        Fraction of each hidden layer's outputs dropped while training.
    l2 : float, default=0.0
        L2 penalty on the hidden layers' kernels (Keras' ``L2(l2)``: ``l2 *
        sum(w ** 2)`` is added to the loss).
    image_shape : tuple of int or None, default=None
        ``(height, width[, channels])`` that image files are decoded (and
        resized) to when ``X`` is a 1-D array of file paths; ``(h, w)`` means
        one channel (grayscale). Arrays are used as given.
""",
    "conv": """\
    conv_blocks : tuple of tuple of int, default=((32, 32), (64, 64))
        Filters of each convolution, grouped in blocks; each block is followed
        by max pooling. ``((32,), (64,), (128, 128, 64))`` is five
        convolutions in three blocks.
    kernel_size : int or tuple, default=3
        Square kernel size of every convolution, or one per block, whose
        entries may be tuples with one size per convolution of the block.
    padding : {"same", "valid"} or tuple, default="same"
        Padding of every convolution, or per block (or per convolution) as
        for ``kernel_size``.
    pool_size : int, None or tuple, default=2
        Window and stride of the max pooling after each block, or one per
        block; None (or 1) means no pooling after that block.
    width : float, default=1.0
        Multiplier of every filter count (convolutions and stem), rounded half
        up and at least 1: ``width=0.5`` halves the network's width.
    stem_filters : int or None, default=None
        Filters of a strided "same" convolution before the blocks; None for
        no stem.
    stem_kernel_size : int, default=7
        Kernel size of the stem.
    stem_stride : int, default=2
        Stride of the stem.
    activation : {"relu", "leaky_relu", "elu", "selu", "gelu", "tanh"}, \
            default="relu"
        Activation of the convolutions and hidden dense layers.
    negative_slope : float, default=0.3
        Slope for negative inputs when ``activation="leaky_relu"``.
    batch_normalization : bool, default=True
        Batch-normalize the convolutions' and dense layers' pre-activations.
    pooling : {"flatten", "avg", "max"}, default="flatten"
        How the last feature maps become features: flattened, or global
        average or max pooling over their positions.
    dense_layer_sizes : tuple of int, default=(256,)
        Units of the hidden dense layers between the features and the output
        layer.
    dropout : float, default=0.4
        Fraction dropped after each hidden dense layer while training or, when
        ``dense_layer_sizes=()``, after the features.
    l2 : float, default=0.0
        L2 penalty on the kernels of the convolutions and dense layers.
    image_shape : tuple of int or None, default=None
        ``(height, width[, channels])`` of the images in flat samples; one
        entry may be -1 (as in ``numpy.reshape``). None takes the shape of the
        images given to ``fit`` (``(n, h, w)`` or ``(n, h, w, c)``) or, for
        flat samples, a square one-channel image when the number of features
        is a perfect square (otherwise ``fit`` raises a ValueError asking for
        ``image_shape``). ``(-1, 1, 1)`` treats any flat vector as a column
        image, e.g. after feature transformers. When ``X`` is a 1-D array of
        image file paths, the size the files are decoded (and resized) to,
        e.g. ``(224, 224, 3)`` for colour photos.
    resize_to : tuple (height, width) or None, default=None
        Resize the images (bilinear, antialiased) inside the network, e.g.
        105x105 Omniglot characters to 28x28.
    rotation_range : float, default=0.0
        Training-only random rotation, in degrees (up to ± this).
    zoom_range : float, default=0.0
        Training-only random zoom in or out by up to this fraction.
    translation_range : float, default=0.0
        Training-only random shift by up to this fraction of height and width.
    brightness : float, default=0.0
        Training-only random brightness shift by up to ± this fraction of the
        pixel range, clipped to [0, 1] (Keras' additive ``RandomBrightness``,
        ``value_range=(0, 1)``): 0.3 is the additive counterpart of a
        0.7-1.3 brightness factor. uint8 images are in [0, 1] after scaling;
        float images are assumed to be in [0, 1] too.
    horizontal_flip : bool, default=False
        Training-only random left-right flips.
""",
}


def _with_defaults(text, **defaults):
    """``text`` with the documented defaults of the named parameters replaced."""
    for name, value in defaults.items():
        pattern = rf"(?m)^(    {name} : .*default=).*$"
        text = re.sub(pattern, lambda match, value=value: match[1] + value, text)
    return text


# EmbeddingNet's network is the conv classifier's, with Snell et al.'s
# defaults: ``    <embedding conv parameters>``.
ARCHITECTURE_PARAMETERS["embedding conv"] = _with_defaults(
    ARCHITECTURE_PARAMETERS["conv"],
    conv_blocks="((64,), (64,), (64,), (64,))",
    dense_layer_sizes="()",
    dropout="0.0",
)


def training_parameters(family):
    """The shared parameters' paragraphs for ``family``, in signature order."""
    paragraphs = {**_COMMON, **_FAMILIES[family]}
    return "\n".join(text for text in paragraphs.values() if text) + "\n"


def fill_doc(cls):
    """Replace the markers of ``cls.__doc__`` with the shared paragraphs."""
    cls.__doc__ = cls.__doc__.replace(
        "    <autoencoder parameters>\n", AUTOENCODER_PARAMETERS
    )
    for name, text in ARCHITECTURE_PARAMETERS.items():
        cls.__doc__ = cls.__doc__.replace(f"    <{name} parameters>\n", text)
    for family in _FAMILIES:
        marker = f"    <training parameters: {family}>\n"
        cls.__doc__ = cls.__doc__.replace(marker, training_parameters(family))
    return cls
