"""Episodes drawn from labelled samples: the batches metric learning trains on.

An episode is ``n_way`` classes drawn without replacement, and
``n_per_class`` samples of each, drawn without replacement, laid out in class
blocks (the layout :mod:`skvision._networks.embedding` reads) and labelled
``0 .. n_way - 1`` by block. Drawing one costs a few NumPy calls on the class
table built once (no Python loop over classes), and Keras reads the episodes
from a ``tf.data`` pipeline that gathers (or decodes) them ahead of the step.
"""

import numpy as np

from .. import _batches
from .._images import encode_paths

# Files of one episode decoded at once (tf.map_fn's parallel iterations).
PARALLEL_DECODES = 8


class EpisodeSampler:
    """Draws episodes from ``labels`` (see the module).

    With ``groups`` (one per sample, constant within a class), each episode's
    classes come from one group, drawn in proportion to its classes: up to
    ``n_way`` of them, all of a smaller group. Raises a ``ValueError`` naming
    the counts when ``labels`` has fewer than two classes (or, without
    groups, fewer than ``n_way``), or a class has fewer than ``n_per_class``
    samples.
    """

    def __init__(
        self, labels, n_way, n_per_class, *, groups=None, name="y", what="an episode"
    ):
        classes, inverse, counts = np.unique(
            labels, return_inverse=True, return_counts=True
        )
        check_classes(
            classes,
            counts,
            2 if groups is not None else n_way,
            n_per_class,
            name=name,
            what=what,
        )
        self.n_way, self.n_per_class = n_way, n_per_class
        # members[c, :counts[c]] are the rows of class c; the rest is padding.
        order = np.argsort(inverse, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slots = np.arange(counts.max())
        self._members = order[np.minimum(starts[:, None] + slots, len(order) - 1)]
        self._padding = slots >= counts[:, None]
        self._labels = np.repeat(np.arange(n_way), n_per_class)
        self._pools = None if groups is None else _class_pools(groups, inverse, order)

    @property
    def size(self):
        """Samples per episode (at most, with groups)."""
        return self.n_way * self.n_per_class

    def episode(self, rng):
        """``(rows, labels)`` of one episode, drawn from ``rng``."""
        if self._pools is None:
            classes = rng.choice(len(self._members), self.n_way, replace=False)
        else:
            pools, weights = self._pools
            pool = pools[rng.choice(len(pools), p=weights)]
            n_way = min(self.n_way, len(pool))
            classes = pool[rng.choice(len(pool), n_way, replace=False)]
        keys = rng.random(self._padding[classes].shape)
        keys[self._padding[classes]] = np.inf  # never drawn
        picks = np.argsort(keys, axis=1)[:, : self.n_per_class]
        rows = np.take_along_axis(self._members[classes], picks, axis=1)
        return rows.ravel(), self._labels[: rows.size]


def _class_pools(groups, inverse, order):
    """The classes of each group of 2 classes or more, and the groups' weights."""
    groups = np.asarray(groups)
    first = order[np.searchsorted(inverse[order], np.arange(inverse.max() + 1))]
    class_groups = groups[first]
    if np.any(class_groups[inverse] != groups):
        mixed = np.unique(inverse[class_groups[inverse] != groups])
        raise ValueError(
            f"groups must be constant within a class; {len(mixed)} classes have "
            "samples in several groups."
        )
    names, group_of_class = np.unique(class_groups, return_inverse=True)
    pools = [np.flatnonzero(group_of_class == g) for g in range(len(names))]
    pools = [pool for pool in pools if len(pool) >= 2]
    if not pools:
        raise ValueError("Episodes within groups need a group of 2 classes or more.")
    sizes = np.array([len(pool) for pool in pools], dtype=float)
    return pools, sizes / sizes.sum()


def check_classes(classes, counts, n_way, n_per_class, *, name="y", what="an episode"):
    """The ``ValueError`` of labels that cannot make ``what``, naming the counts."""
    if len(classes) < 2:
        raise ValueError(
            f"Metric learning needs at least 2 classes in {name}; got "
            f"{len(classes)} class."
        )
    if n_way > len(classes):
        raise ValueError(
            f"n_way={n_way} is larger than the {len(classes)} classes in {name}; "
            f"pass n_way <= {len(classes)}."
        )
    short = counts < n_per_class
    if short.any():
        examples = ", ".join(
            f"{label!r} ({count})"
            for label, count in zip(classes[short][:5], counts[short][:5], strict=True)
        )
        raise ValueError(
            f"{what} takes n_shot + n_query = {n_per_class} samples of each class, "
            f"but {short.sum()} of the {len(classes)} classes in {name} have fewer: "
            f"{examples}. Lower n_shot or n_query, or leave those classes out."
        )


def _rng(seed, index):
    return np.random.default_rng(None if seed is None else [seed, int(index)])


def training_episodes(X, sampler, seed):
    """An endless ``tf.data`` pipeline of ``(samples, labels)`` episodes.

    Episode ``i`` is drawn from ``(seed, i)``, so a seeded fit repeats;
    ``X`` is an array (gathered) or :class:`~skvision._batches.ImagePaths`
    (decoded, files in parallel).
    """
    tf = _batches._tensorflow()
    steps = tf.data.Dataset.counter()
    return _episode_pipeline(tf, X, steps, lambda i: sampler.episode(_rng(seed, i)))


def fixed_episodes(X, sampler, n_episodes, seed):
    """The same ``n_episodes`` episodes at every pass: a validation set."""
    tf = _batches._tensorflow()
    drawn = [sampler.episode(_rng(seed, i)) for i in range(n_episodes)]
    indices = tf.data.Dataset.range(n_episodes)
    return _episode_pipeline(tf, X, indices, lambda i: drawn[int(i)])


def _episode_pipeline(tf, X, indices, draw):
    def rows_and_labels(index):
        rows, labels = draw(index)
        return rows.astype(np.int64), labels.astype(np.int64)

    def draw_op(index):
        rows, labels = tf.numpy_function(
            rows_and_labels, [index], [tf.int64, tf.int64], stateful=False
        )
        return tf.ensure_shape(rows, [None]), tf.ensure_shape(labels, [None])

    episodes = indices.map(draw_op)
    if isinstance(X, _batches.ImagePaths):
        episodes = _decoded(tf, X, episodes)
    else:
        episodes = episodes.map(_gatherer(tf, X))
    return _batches.prefetched(episodes)


def _gatherer(tf, X):
    spec = tf.TensorSpec((None, *X.shape[1:]), X.dtype)

    def gather_op(rows, labels):
        (samples,) = tf.numpy_function(
            lambda r: (X[r],), [rows], [spec.dtype], stateful=False
        )
        return tf.ensure_shape(samples, spec.shape), labels

    return gather_op


def _decoded(tf, paths, episodes):
    encoded = tf.constant(encode_paths(paths.paths))
    decode = _batches.decoder(paths.image_shape)

    def decode_episode(rows, labels):
        files = tf.gather(encoded, rows)
        pixels = tf.map_fn(
            decode,
            files,
            fn_output_signature=tf.uint8,
            parallel_iterations=PARALLEL_DECODES,
        )
        return pixels, labels

    # Episodes may differ in size (with groups): each is decoded as a whole.
    return episodes.map(decode_episode, num_parallel_calls=tf.data.AUTOTUNE)
