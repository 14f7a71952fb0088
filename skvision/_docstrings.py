"""Docstring paragraphs shared by several estimators, written once.

An estimator's docstring holds a marker line (``    <training parameters>``)
that :func:`fill_doc` replaces with the paragraphs below, so every estimator
documents its shared parameters in the same words.
"""

TRAINING_PARAMETERS = """\
    optimizer : {"adam", "adamw", "sgd", "rmsprop"}, default="adam"
        Keras optimizer.
    learning_rate_init : float, default=1e-3
        Initial learning rate.
    learning_rate : "constant", "adaptive", dict or callable, default="adaptive"
        Learning-rate schedule. ``"adaptive"`` divides it by 5 when the
        monitored score has not improved for 3 epochs; a dict ``{7: 1e-3}``
        switches to 1e-3 at epoch 7 (``learning_rate_init`` before); a callable
        is called as ``learning_rate(epoch, current_rate)``.
    momentum : float, default=0.9
        Momentum of the "sgd" and "rmsprop" optimizers.
    batch_size : int, default=128
        Samples per gradient step.
    max_iter : int, default=100
        Maximum number of epochs.
    early_stopping : bool, default=True
        Stop when ``monitor`` has not improved for ``n_iter_no_change`` epochs.
    monitor : {"val_loss", "val_accuracy", "loss", "accuracy"}, default="val_loss"
        Score watched by early stopping and the adaptive learning rate. Without
        validation data the training counterpart is used.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    restore_best_weights : bool, default=True
        After early stopping, keep the weights of the best epoch.
    validation_fraction : float, default=0.1
        Fraction of the training samples held out (stratified) for early
        stopping and the adaptive learning rate, unless ``fit`` gets
        ``validation_data``.
    callbacks : list of keras.callbacks.Callback, default=None
        Extra Keras callbacks for ``fit``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
    warm_start : bool, default=False
        When True, ``fit`` continues training the current network.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, dropout, augmentation, shuffling and the
        validation split; an int makes fits reproducible on CPU.
    verbose : int, default=0
        Keras' progress output: 0 silent, 1 progress bar, 2 one line per epoch.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the network's weights and computations.
"""

_FRAGMENTS = {"    <training parameters>\n": TRAINING_PARAMETERS}


def fill_doc(obj):
    """Replace the fragment markers in ``obj.__doc__``; return ``obj``."""
    doc = obj.__doc__
    for marker, text in _FRAGMENTS.items():
        doc = doc.replace(marker, text)
    obj.__doc__ = doc
    return obj
