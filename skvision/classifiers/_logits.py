"""The pre-softmax scores (logits) of a classifier's network.

``decision_function`` returns them, so that scikit-learn's
``CalibratedClassifierCV(method="temperature")``, which divides logits by a
temperature, calibrates a skvision classifier. Log-probabilities are logits
up to a per-row constant, which a softmax ignores, but they are not a
substitute: an over-confident float32 network rounds the probabilities of
its unlikely classes to 0, whose logarithm is -inf, and those are exactly
the scores temperature scaling must shrink. So the logits are computed, not
recovered: the network up to its output layer (``extract_features``), then
that layer's kernel and bias in float64.

Where the output layer is a ``Dense`` (every skvision network, most Keras
models), the logits are ``features @ kernel + bias``; a last ``Softmax`` or
``Activation`` layer reads the logits themselves. A user's network ending in
anything else (or in an activation other than the one its outputs are read
through) gives log-probabilities (logits of the probabilities for sigmoid
outputs), the best that can be read from its outputs.
"""

from typing import NamedTuple

import numpy as np
from scipy.special import expit, log_expit, log_softmax, logsumexp, softmax

from .._keras import keras, layers

# The log of the smallest probability kept when logits must be recovered
# from probabilities (a float64 ``tiny`` keeps the order of the others).
_TINY = np.finfo(np.float64).tiny


class LogitHead(NamedTuple):
    """How to read a fitted classifier's logits.

    Attributes
    ----------
    source : {"features", "outputs"}
        What the logits are computed from: the input of the output layer
        (``extract_features``'s model) or the network's outputs.
    kernel, bias : ndarray or None
        The output layer's weights (float64), or None when ``source`` holds
        the logits themselves (or, for outputs, probabilities).
    from_probabilities : bool
        Whether ``source`` gives probabilities, whose logarithms stand in for
        the logits.
    """

    source: str
    kernel: np.ndarray | None
    bias: np.ndarray | None
    from_probabilities: bool


def _output_layer(model):
    # The layer making ``model``'s output, read from the output tensor's
    # history (skvision.wrappers._model does the same for a user's model; not
    # imported from there, which would import the wrappers into the
    # classifiers' base).
    layer, node_index, _ = model.outputs[0]._keras_history
    return layer


def logit_head(estimator):
    """The :class:`LogitHead` of a fitted classifier's ``model_``.

    The output layer is the one whose input ``_feature_model`` reads: the
    last layer of ``model_``, or of the user's network nested in it. Its
    activation must be the link the estimator reads the outputs through (a
    softmax, a sigmoid per output, or none for logits); a user's network
    that, say, ends in a softmax for multi-label targets gives the logits of
    its probabilities instead.
    """
    head = _output_layer(estimator.model_)
    if isinstance(head, keras.Model):  # a user's network, nested whole
        head = _output_layer(head)
    link = "sigmoid" if estimator._sigmoid_outputs else "softmax"
    expected = "linear" if estimator._logits else link
    if isinstance(head, layers.Softmax):
        activation = "softmax"
    elif isinstance(head, layers.Dense | layers.Activation):
        activation = keras.activations.serialize(head.activation)
    else:
        activation = None
    if activation != expected:
        return LogitHead("outputs", None, None, not estimator._logits)
    if isinstance(head, layers.Dense):
        kernel = np.asarray(head.kernel.numpy(), dtype=np.float64)
        bias = (
            np.asarray(head.bias.numpy(), dtype=np.float64)
            if head.use_bias
            else np.zeros(kernel.shape[1])
        )
        return LogitHead("features", kernel, bias, False)
    return LogitHead("features", None, None, False)


def plain_predictor(estimator, head):
    """The estimator's predictor of what ``head.source`` names."""
    if head.source == "features":
        return estimator._feature_predictor
    return estimator._predictor


def logits_from(head, values, *, sigmoid):
    """float64 logits from what ``head.source`` gave for some samples."""
    values = np.asarray(values, dtype=np.float64)
    if head.kernel is not None:
        return values @ head.kernel + head.bias
    if not head.from_probabilities:
        return values
    values = np.clip(values, _TINY, 1.0)
    if sigmoid:  # log(p / (1 - p)), with 1 - p kept away from 0 too
        return np.log(values) - np.log(np.clip(1.0 - values, _TINY, 1.0))
    return np.log(values)


def probabilities(logits, *, sigmoid):
    """Probabilities of logits: a softmax over the columns, or a sigmoid each."""
    return expit(logits) if sigmoid else softmax(logits, axis=-1)


def mean_probability_logits(logits, *, sigmoid):
    """Logits of the mean probability of stacked logits ``(n_copies, n, k)``.

    For a softmax, ``log(mean_k p_k)``, a logit up to a per-row constant; for
    sigmoids, ``log(mean p) - log(mean (1 - p))``. Both are computed from log
    probabilities (log-sum-exp), so no probability underflows to 0.
    """
    n_copies = len(logits)
    if not sigmoid:
        return logsumexp(log_softmax(logits, axis=-1), axis=0) - np.log(n_copies)
    positive = logsumexp(log_expit(logits), axis=0)
    negative = logsumexp(log_expit(-logits), axis=0)
    return positive - negative


def decision_values(estimator, logits):
    """The logits in the shape of scikit-learn's ``decision_function``.

    Binary targets give one column, as scikit-learn expects, raveled: the
    positive class's logit minus the negative's for two softmax outputs
    (``> 0`` exactly where ``predict`` says ``classes_[1]``), the logit
    itself for one sigmoid output. Multiclass and multi-label targets give
    ``(n_samples, n_classes)``.
    """
    if estimator._multilabel:
        return logits
    if logits.shape[1] == 1:
        return logits[:, 0]
    if logits.shape[1] == 2:
        return logits[:, 1] - logits[:, 0]
    return logits


def proba_columns(estimator, proba):
    """Probabilities of the positive class alone become two columns."""
    if not estimator._multilabel and proba.shape[1] == 1:
        return np.hstack([1 - proba, proba])
    return proba
