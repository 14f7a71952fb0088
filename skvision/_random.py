"""Seeding that makes fits reproducible without changing the caller's RNGs."""

import random
from contextlib import contextmanager

import numpy as np
from sklearn.utils import check_random_state

MAX_SEED = 2**31 - 1


def draw_seed(random_state):
    """An int seed drawn from ``random_state``.

    Unlike scikeras (``RandomState.randint(low=1)``, which is always 0), every
    ``RandomState`` gives its own seed, and equal states give equal seeds.
    """
    if isinstance(random_state, np.random.RandomState):
        # Draw from a copy: the user's generator is theirs, not ours to advance.
        state = np.random.RandomState()
        state.set_state(random_state.get_state())
        return int(state.randint(MAX_SEED))
    return int(check_random_state(random_state).randint(MAX_SEED))


@contextmanager
def seeded(seed, *, tensorflow=True):
    """Seed Python, NumPy, the backend and Keras; restore Python, NumPy and TF after.

    Keras draws weights and layers' random streams from these global
    generators, so a build is only reproducible when they are seeded;
    restoring them afterwards keeps the seeding invisible to the rest of the
    program. ``tensorflow=False`` seeds Python and NumPy only, for training:
    its datasets took their shuffle seeds when they were made, and Keras'
    layers draw from their own seed generators, so TensorFlow's global seed
    plays no part, while setting it clears TensorFlow's kernel caches (each
    ``partial_fit`` would optimize its training graph again, ~80 ms).
    ``seed=None`` does nothing.
    """
    if seed is None:
        yield
        return
    python_state, numpy_state = random.getstate(), np.random.get_state()
    if tensorflow:
        # Imported here: drawing a seed must not load Keras (seconds), e.g. in
        # a search of a scikit-learn estimator.
        from ._keras import keras, tf_get_seed, tf_set_seed

        tf_seed = tf_get_seed()
        keras.utils.set_random_seed(int(seed) % MAX_SEED)
    else:
        random.seed(seed)
        np.random.seed(int(seed) % MAX_SEED)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        if tensorflow:
            tf_set_seed(tf_seed)
