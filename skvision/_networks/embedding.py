"""Metric-learning objectives on episodes: pure Keras, any backend.

A training batch is one *episode* (see :mod:`skvision.embedding._episodes`):
``n_way`` classes in blocks, each block ``n_shot`` support samples then
``n_query`` query samples of one class, labelled ``0 .. n_way - 1``. The
objectives read the embeddings of that batch:

- :class:`PrototypicalLoss` (Snell et al., 2017): each query's cross-entropy
  over the negative squared distances to the means of the support blocks;
- :class:`TripletLoss` (Schroff et al., 2015): for every anchor-positive pair
  of the batch, the semi-hard negative's margin violation;
- :class:`EpisodeAccuracy`: the fraction of queries whose nearest support mean
  is their own class's, the score early stopping watches for both.

They are registered Keras objects, so a compiled network saves and loads
(:func:`skvision.load` knows them as skvision's own).
"""

from .._keras import keras

ops = keras.ops


def squared_distances(a, b):
    """``(len(a), len(b))`` squared Euclidean distances, never below 0."""
    cross = ops.matmul(a, ops.transpose(b))
    a2 = ops.sum(ops.square(a), axis=1, keepdims=True)
    b2 = ops.sum(ops.square(b), axis=1)
    return ops.maximum(a2 - 2.0 * cross + b2[None, :], 0.0)


def episode_logits(y_true, embeddings, n_shot, n_query):
    """Queries' negative squared distances to the support means, and their labels.

    The number of classes is the batch size over ``n_shot + n_query``, so a
    validation episode may have fewer ways than a training one.
    """
    blocks = ops.reshape(embeddings, (-1, n_shot + n_query, embeddings.shape[-1]))
    prototypes = ops.mean(blocks[:, :n_shot], axis=1)
    queries = ops.reshape(blocks[:, n_shot:], (-1, embeddings.shape[-1]))
    labels = ops.reshape(ops.reshape(y_true, (-1, n_shot + n_query))[:, n_shot:], (-1,))
    return -squared_distances(queries, prototypes), ops.cast(labels, "int32")


@keras.saving.register_keras_serializable(package="skvision")
class PrototypicalLoss(keras.losses.Loss):
    """Cross-entropy of each query over its distances to the class prototypes.

    Parameters
    ----------
    n_shot, n_query : int
        Support and query samples per class in an episode.
    """

    def __init__(self, n_shot, n_query, name="prototypical_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_shot, self.n_query = n_shot, n_query

    def call(self, y_true, y_pred):
        logits, labels = episode_logits(y_true, y_pred, self.n_shot, self.n_query)
        return ops.sparse_categorical_crossentropy(labels, logits, from_logits=True)

    def get_config(self):
        return {**super().get_config(), "n_shot": self.n_shot, "n_query": self.n_query}


@keras.saving.register_keras_serializable(package="skvision")
class TripletLoss(keras.losses.Loss):
    """Triplet loss with semi-hard negatives, over all pairs of a batch.

    For each anchor ``a`` and positive ``p`` (same label), the negative is the
    closest one farther from ``a`` than ``p`` (semi-hard), or, when there is
    none, the farthest negative; the loss is the mean over the pairs of
    ``max(d(a, p) - d(a, n) + margin, 0)``, with Euclidean distances.
    Its memory grows as the cube of the batch size.

    Parameters
    ----------
    margin : float
        The margin by which negatives should be farther than positives.
    """

    def __init__(self, margin=0.5, name="triplet_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin = margin

    def call(self, y_true, y_pred):
        labels = ops.reshape(y_true, (-1,))
        distances = ops.sqrt(squared_distances(y_pred, y_pred) + 1e-12)
        same = ops.equal(labels[:, None], labels[None, :])
        positive = ops.logical_and(
            same, ops.logical_not(ops.eye(ops.shape(labels)[0], dtype="bool"))
        )
        negative = ops.logical_not(same)
        to_positive = distances[:, :, None]  # (anchor, positive, 1)
        to_negative = distances[:, None, :]  # (anchor, 1, negative)
        semi_hard = ops.logical_and(negative[:, None, :], to_negative > to_positive)
        farther = ops.min(ops.where(semi_hard, to_negative, float("inf")), axis=2)
        farthest = ops.max(ops.where(negative, distances, -float("inf")), axis=1)
        chosen = ops.where(ops.any(semi_hard, axis=2), farther, farthest[:, None])
        violation = ops.maximum(distances - chosen + self.margin, 0.0)
        positive = ops.cast(positive, violation.dtype)
        return ops.sum(violation * positive) / ops.maximum(ops.sum(positive), 1.0)

    def get_config(self):
        return {**super().get_config(), "margin": self.margin}


@keras.saving.register_keras_serializable(package="skvision")
class EpisodeAccuracy(keras.metrics.Mean):
    """Fraction of an episode's queries nearest to their own class's prototype."""

    def __init__(self, n_shot, n_query, name="accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.n_shot, self.n_query = n_shot, n_query

    def update_state(self, y_true, y_pred, sample_weight=None):
        logits, labels = episode_logits(y_true, y_pred, self.n_shot, self.n_query)
        correct = ops.equal(ops.cast(ops.argmax(logits, axis=1), "int32"), labels)
        return super().update_state(ops.cast(correct, self.dtype))

    def get_config(self):
        return {**super().get_config(), "n_shot": self.n_shot, "n_query": self.n_query}
