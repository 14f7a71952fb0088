"""skvision's own Keras layers of the networks it builds.

:class:`BatchNormalization` is Keras' layer, trained through TensorFlow's
fused kernel on feature maps. Keras 3 computes a batch's statistics and the
normalization as a dozen separate operations (``moments``, then
``batch_normalization``), each read and written in memory and each with its
own gradient; on the ``make demo`` CNN they took a third of a training step
on a CPU (``benchmarks/bench_profile.py``), more than both convolutions.
``FusedBatchNormV3`` does the same in one pass forward and one backward.
"""

from .._keras import keras


@keras.saving.register_keras_serializable(package="skvision")
class BatchNormalization(keras.layers.BatchNormalization):
    """``keras.layers.BatchNormalization``, trained by one fused kernel on images.

    The weights, the configuration and inference are Keras' own; only
    training on TensorFlow, on 4-D float32 inputs normalized over their last
    axis (a convolution's ``(batch, height, width, channels)`` output),
    without a mask, renormalization or synchronization, runs
    ``tf.compat.v1.nn.fused_batch_norm`` instead of Keras' separate
    operations. Both normalize by the batch's biased variance; the moving
    variance is updated with the unbiased one (a factor ``n / (n - 1)`` on
    the batch's part, ``n`` being batch x height x width values), as in
    Keras 2 and PyTorch. Any other case (other backends, mixed precision,
    float64, dense layers' 2-D inputs) is Keras' computation unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from skvision._networks.layers import BatchNormalization
    >>> x = np.random.default_rng(0).normal(2, 3, (8, 4, 4, 2)).astype("float32")
    >>> y = BatchNormalization()(x, training=True)
    >>> bool(abs(float(np.mean(y))) < 1e-5)
    True
    """

    def call(self, inputs, training=None, mask=None):
        if not self._fuses(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        channels = inputs.shape[-1]
        gamma = self.gamma if self.scale else tf.ones((channels,), inputs.dtype)
        beta = self.beta if self.center else tf.zeros((channels,), inputs.dtype)
        outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            inputs,
            gamma,
            beta,
            mean=self.moving_mean,
            variance=self.moving_variance,
            epsilon=self.epsilon,
            is_training=True,
            # new = (1 - factor) * moving + factor * batch: Keras' momentum.
            exponential_avg_factor=1.0 - self.momentum,
        )
        self.moving_mean.assign(mean)
        self.moving_variance.assign(variance)
        return outputs

    def _fuses(self, inputs, training, mask):
        return (
            bool(training)
            and self.trainable
            and mask is None
            and not self.renorm
            and not self.synchronized
            and len(inputs.shape) == 4
            and self.axis in (-1, 3)
            and keras.backend.backend() == "tensorflow"
            and keras.backend.standardize_dtype(inputs.dtype) == "float32"
            and self.epsilon >= 1.001e-5  # the fused kernel's smallest
        )
