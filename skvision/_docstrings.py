"""The shared parameters' documentation, written once.

Every estimator documents the parameters of
:class:`skvision._base.KerasEstimator` through a marker line in its docstring,
``    <training parameters: classifier>`` or ``... autoencoder>``, that
:func:`fill_doc` replaces with the paragraphs below, so the estimators
describe them in the same words. Where the two families differ (what
``monitor`` watches, the stratified hold-out, ``class_weight``), each has
its own paragraph. The autoencoders' own parameters, the same for the dense
and the convolutional one, come the same way (``<autoencoder parameters>``).
"""

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
    dtype : {"float32", "float64"}, default="float32"
        Precision of the network's weights and computations.""",
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


def training_parameters(family):
    """The shared parameters' paragraphs for ``family``, in signature order."""
    paragraphs = {**_COMMON, **_FAMILIES[family]}
    return "\n".join(text for text in paragraphs.values() if text) + "\n"


def fill_doc(cls):
    """Replace the markers of ``cls.__doc__`` with the shared paragraphs."""
    cls.__doc__ = cls.__doc__.replace(
        "    <autoencoder parameters>\n", AUTOENCODER_PARAMETERS
    )
    for family in _FAMILIES:
        marker = f"    <training parameters: {family}>\n"
        cls.__doc__ = cls.__doc__.replace(marker, training_parameters(family))
    return cls
