"""Pure model-building functions: hyperparameters in, ``keras.Model`` out.

Nothing here knows about scikit-learn; the estimators call these builders with
their validated parameters and a seed, so every network is reproducible
without touching Keras' global random state. One module per family.
"""

from .autoencoder import (
    DOWNSAMPLING,
    LATENT_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    UPSAMPLING,
    build_conv_autoencoder,
    build_dense_autoencoder,
)
from .conv import build_conv_net
from .dense import (
    ACTIVATIONS,
    activation_layer,
    build_dense_net,
    dense_block,
    dense_stack,
    output_layer,
)

__all__ = [
    "ACTIVATIONS",
    "DOWNSAMPLING",
    "LATENT_ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "UPSAMPLING",
    "activation_layer",
    "build_conv_autoencoder",
    "build_conv_net",
    "build_dense_autoencoder",
    "build_dense_net",
    "dense_block",
    "dense_stack",
    "output_layer",
]
