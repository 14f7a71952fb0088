"""The ``backbone`` parameter: a name, a model, a builder or a fitted network.

Whatever the user gives becomes a fresh ``keras.Model`` and the
:class:`~skvision._networks.backbone.BackboneInput` it reads. Models and
fitted estimators are copied, so training a head on them never changes what
the user owns.
"""

import contextlib
import math
import os

from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator

from .._fixes import HasMethods, StrOptions
from .._keras import keras
from .._networks.backbone import (
    APPLICATIONS,
    BackboneInput,
    application_input,
    load_application,
    model_input,
)
from .._networks.params import POOLINGS

# The parameters BackboneClassifier and BackboneFeatures share.
BACKBONE_CONSTRAINTS = {
    "backbone": [StrOptions(set(APPLICATIONS)), callable, HasMethods(["fit"])],
    "weights": [str, os.PathLike, None],
    "pooling": [StrOptions(set(POOLINGS))],
}


def resolve_backbone(backbone, weights, image_shape):
    """``(keras.Model, BackboneInput)`` for a ``backbone`` parameter.

    Parameters
    ----------
    backbone : str, keras.Model, callable or fitted skvision estimator
        See :class:`skvision.BackboneClassifier`.
    weights : "imagenet", None, str or os.PathLike
        Weights of a named application, or a weights file for a model.
    image_shape : tuple (height, width, channels)
        The images the backbone will be given.
    """
    if isinstance(backbone, str):
        return _application(backbone, weights, image_shape)
    estimator = (
        backbone.estimator if isinstance(backbone, FrozenEstimator) else backbone
    )
    if hasattr(estimator, "feature_network"):
        return _estimator_backbone(estimator, image_shape)
    if isinstance(backbone, keras.Model):
        model = copy_model(backbone)
    elif callable(backbone):
        model = backbone(tuple(image_shape))
        if not isinstance(model, keras.Model):
            raise TypeError(
                "A backbone builder must return a keras.Model; "
                f"{backbone!r} returned {type(model).__name__}."
            )
    else:
        raise TypeError(
            "backbone must be the name of a keras.applications network, a "
            "keras.Model, a function image_shape -> keras.Model, or a fitted "
            f"skvision estimator; got {type(backbone).__name__}."
        )
    if weights not in (None, "imagenet"):
        path = _weights_file(weights)
        with _naming_weights_file(path, f"the backbone {model.name!r}"):
            model.load_weights(path)
    return model, model_input(model)


def _application(name, weights, image_shape):
    if name not in APPLICATIONS:
        raise ValueError(
            f"backbone={name!r} is not a keras.applications network; choose one of "
            f"{', '.join(APPLICATIONS)}."
        )
    if weights not in (None, "imagenet"):
        weights = _weights_file(weights)
    spec = application_input(name, image_shape[:2], weights)
    with _naming_weights_file(weights, name):
        return load_application(name, (*spec.size, 3), weights), spec


def _weights_file(weights):
    if not isinstance(weights, str | os.PathLike) or not os.path.isfile(weights):
        raise ValueError(
            'weights must be "imagenet", None or the path of a weights file; '
            f"{weights!r} is not a file."
        )
    return os.fspath(weights)


@contextlib.contextmanager
def _naming_weights_file(path, backbone):
    """Errors that name the weights file ``path`` (not None nor "imagenet"):
    an ``OSError`` when it cannot be read (HDF5's "file signature not found"
    for a corrupted or truncated file), a ``ValueError`` when it does not fit
    ``backbone``."""
    if path in (None, "imagenet"):
        yield
        return
    try:
        yield
    except OSError as error:
        raise OSError(
            f"Cannot read the weights file {path!r} for {backbone}: {error}. Is "
            "it a complete Keras weights file (.weights.h5), e.g. one that "
            "keras.Model.save_weights wrote?"
        ) from error
    except ValueError as error:
        if path in str(error):
            raise
        raise ValueError(
            f"The weights file {path!r} does not fit {backbone}: {error}"
        ) from None


def _estimator_backbone(estimator, image_shape):
    """The feature layers of a fitted estimator, and what they read.

    Any estimator with a ``feature_network()`` method (the protocol of
    :meth:`skvision._base.KerasEstimator.feature_network`) serves.
    """
    try:
        network = estimator.feature_network()
    except NotFittedError:
        raise NotFittedError(
            f"The backbone {type(estimator).__name__} is not fitted. Pass a fitted "
            "estimator, wrapped in sklearn.frozen.FrozenEstimator so that clone "
            "(used by cross_validate and the searches) keeps it fitted."
        ) from None
    model = copy_model(network.model)
    # Networks fitted on uint8 scale inside, so they read pixels in [0, 255].
    scale = network.pixel_max
    if network.image_shape is None:  # flat samples: the images must hold as many
        n_features = model.input_shape[-1]
        if math.prod(image_shape) != n_features:
            raise ValueError(
                f"The backbone {type(estimator).__name__} was fitted on flat samples "
                f"of {n_features} features; images of shape {tuple(image_shape)} "
                "do not hold as many."
            )
        return model, BackboneInput(scale=scale, flat=True)
    shape = network.image_shape
    return model, BackboneInput(
        size=shape[:2], channels=shape[2], scale=scale, flat=True
    )


def copy_model(model):
    """A copy of ``model`` with its weights, sharing no variables with it."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy
