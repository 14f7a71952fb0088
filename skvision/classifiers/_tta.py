"""Test-time augmentation: probabilities averaged over augmented copies.

With ``test_time_augmentation=n`` a classifier predicts each image from the
image itself and ``n`` copies transformed by its own training augmentation:
every Keras random image layer (``keras.layers.Random*``) in its network,
e.g. the "augmentation" block that ``rotation_range``, ``zoom_range``,
``translation_range``, ``brightness`` and ``horizontal_flip`` build. They
run in training mode in a copy of the network that shares its weights, while
every other layer (batch normalization, dropout) stays in inference mode.

The copies are seeded: before each batch of each copy, every random layer's
seed generator is set from ``(seed, batch, copy)``, ``seed`` being the one
``random_state`` gave the fit (0 without one), and put back afterwards, so
predictions repeat exactly and training's own random stream is untouched.
Samples are processed ``batch_size`` at a time, file paths decoded batch by
batch; a sample's copies depend on its position in ``X``, as any batch of
random draws does.

The mean probability is returned as logits (:func:`_logits.mean_probability_logits`):
``predict_proba`` takes their softmax (or sigmoid), ``decision_function``
returns them.
"""

from numbers import Integral

import numpy as np

from .. import _batches
from .._inference import keras_predict
from .._keras import keras, layers
from . import _logits

RANDOM_LAYERS = tuple(
    getattr(layers, name) for name in dir(layers) if name.startswith("Random")
)


def check_test_time_augmentation(estimator):
    """The number of augmented copies to average, checked; 0 for none.

    ``fit`` validates the parameter too, but it may be set after fitting.
    Raises ``ValueError`` for a negative or non-integer value, and when the
    network has no random augmentation layer to draw copies with: averaging
    ``n`` identical copies would silently cost ``n`` times the time.
    """
    n = estimator.test_time_augmentation
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 0:
        raise ValueError(
            "test_time_augmentation must be an int >= 0 (the number of "
            f"augmented copies averaged with each image); got {n!r}."
        )
    if n and not random_layers(estimator.model_):
        raise ValueError(
            f"test_time_augmentation={n}, but {type(estimator).__name__} was "
            "fitted without augmentation, so every copy would be the image "
            "itself. Fit it with some of rotation_range, zoom_range, "
            "translation_range, brightness or horizontal_flip (a KerasClassifier "
            "with keras.layers.Random* layers in its model), or set "
            "test_time_augmentation=0."
        )
    return int(n)


def random_layers(model):
    """Every Keras random image layer in ``model``, nested models included."""
    found = []
    for layer in model.layers:
        if isinstance(layer, RANDOM_LAYERS):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found.extend(random_layers(layer))
    return found


class AlwaysTraining(layers.Layer):
    """Calls ``layer`` in training mode whatever mode the model runs in.

    Made only for the in-memory copies of :func:`augmenting_copy`, never
    saved, so it is not registered with Keras' serialization.
    """

    def __init__(self, layer, **kwargs):
        kwargs.setdefault("dtype", layer.dtype_policy)
        super().__init__(name=f"{layer.name}_always_training", **kwargs)
        self.layer = layer

    def call(self, inputs):
        return self.layer(inputs, training=True)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)


def augmenting_copy(model):
    """``model`` with its random layers active, sharing every weight."""

    def reuse(layer):
        if isinstance(layer, RANDOM_LAYERS):
            return AlwaysTraining(layer)
        if isinstance(layer, keras.Model) and random_layers(layer):
            return keras.models.clone_model(layer, clone_function=reuse)
        return layer

    return keras.models.clone_model(model, clone_function=reuse)


def _seed_generators(random):
    return [
        value
        for layer in random
        for value in vars(layer).values()
        if isinstance(value, keras.random.SeedGenerator)
    ]


class Augmenter:
    """The augmenting copy of a classifier's logit source, built once per fit.

    The classifier keeps it among its predictors (rebuilt after training,
    never pickled).
    """

    def __init__(self, estimator):
        head = _logits.logit_head(estimator)
        source = (
            estimator._feature_model()
            if head.source == "features"
            else estimator.model_
        )
        self.model = augmenting_copy(source)
        self.generators = _seed_generators(random_layers(source))

    def __call__(self, images, seeds):
        states = [generator.state for generator in self.generators]
        saved = [state.numpy() for state in states]
        try:
            for state, value, seed in zip(states, saved, seeds, strict=True):
                state.assign(np.array([seed, 0], dtype=value.dtype))
            return keras_predict(self.model, images)
        finally:
            for state, value in zip(states, saved, strict=True):
                state.assign(value)


def augmented_logits(estimator, X, n_copies):
    """Logits of each sample's mean probability over itself and ``n_copies``.

    ``X`` is validated samples or :class:`~skvision._batches.ImagePaths`.
    """
    if getattr(estimator, "_augmenter", None) is None:
        estimator._augmenter = Augmenter(estimator)
    augment = estimator._augmenter
    head = _logits.logit_head(estimator)
    plain = _logits.plain_predictor(estimator, head)
    sigmoid = estimator._sigmoid_outputs
    seed = getattr(estimator, "_seed", None) or 0
    n_generators = len(augment.generators)
    results = []
    for batch_index, images in enumerate(sample_batches(estimator, X)):
        copies = [plain(images)]
        for copy in range(1, n_copies + 1):
            seeds = np.random.SeedSequence([seed, batch_index, copy]).generate_state(
                n_generators
            )
            copies.append(augment(images, seeds))
        logits = [_logits.logits_from(head, c, sigmoid=sigmoid) for c in copies]
        results.append(
            _logits.mean_probability_logits(np.stack(logits), sigmoid=sigmoid)
        )
    return np.concatenate(results)


def sample_batches(estimator, X):
    """``X``'s samples, ``batch_size`` at a time, as the network reads them."""
    if isinstance(X, _batches.ImagePaths):
        for images in X.batches(estimator.batch_size):
            if not estimator._scales_pixels:
                images = images.astype(estimator._float_dtype)
                images *= estimator.pixel_scale_
            yield images
        return
    for start in range(0, len(X), estimator.batch_size):
        yield X[start : start + estimator.batch_size]
