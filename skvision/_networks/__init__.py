"""Pure model-building functions: hyperparameters in, ``keras.Model`` out.

Nothing here knows about scikit-learn; the estimators call these builders with
their validated parameters and a seed, so every network is reproducible
without touching Keras' global random state. One module per family.
"""

from .dense import (
    ACTIVATIONS,
    activation_layer,
    build_dense_classifier,
    dense_block,
    dense_stack,
    softmax_head,
)

__all__ = [
    "ACTIVATIONS",
    "activation_layer",
    "build_dense_classifier",
    "dense_block",
    "dense_stack",
    "softmax_head",
]
