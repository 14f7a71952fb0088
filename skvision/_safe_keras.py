"""Keras models from bytes that may come from anyone: checked, then built safely.

A ``.keras`` archive is a config (JSON) naming the objects to build, and their
weights. Keras' safe mode refuses ``Lambda`` bytecode, but builds any custom
object registered in the process. Here every object the config names must be
one of Keras' built-ins, one of skvision's own layers, or named by the caller
in ``custom_objects``; layers that run code or read other files are refused
outright; the archive's member names are checked before Keras extracts any.
"""

import io
import json
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from ._keras import keras

# What a .keras archive may hold (Keras 3's saving_lib).
KERAS_MEMBERS = {
    "config.json",
    "metadata.json",
    "model.weights.h5",
    "model.weights.npz",
}
# Keras layers that run Python code or read other files when loaded.
REFUSED_KERAS_CLASSES = {
    "Lambda": "a Lambda layer holds Python bytecode, which would run on load",
    "__lambda__": "a Lambda function holds Python bytecode, which would run on load",
    "TFSMLayer": "a TFSMLayer loads another SavedModel from a path on this machine",
    "TorchModuleWrapper": "a TorchModuleWrapper holds a pickled PyTorch module",
}


class UnsafeFileError(ValueError):
    """A file that :func:`skvision.load` refuses: it could run code, or is not
    skvision's."""


def model_to_bytes(model):
    """``model`` in Keras' ``.keras`` format, as bytes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def seed_states(model):
    """The state variables of ``model``'s random layers, in a fixed order."""
    return [v for v in model.variables if v.path.endswith("seed_generator_state")]


def model_config(model):
    """``model``'s config as Keras writes it into a ``.keras`` archive."""
    return keras.saving.serialize_keras_object(model)


def model_from_bytes(data, custom_objects=None, where="the model"):
    """A Keras model from ``.keras`` bytes, refusing what could run code.

    Its members must be those of Keras' format, and every object in its
    config a Keras built-in, one of skvision's layers or named in
    ``custom_objects`` (see :func:`check_keras_config`); Keras then builds it
    in safe mode.
    """
    custom_objects = dict(custom_objects or {})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_keras_members(archive.namelist(), where)
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        if isinstance(error, UnsafeFileError):
            raise
        raise UnsafeFileError(f"{where} is not a Keras model: {error}") from None
    check_keras_config(config, set(custom_objects), where)
    objects = {**skvision_keras_objects(), **custom_objects}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        return keras.saving.load_model(path, custom_objects=objects, safe_mode=True)


def _check_keras_members(names, where):
    for name in names:
        parts = PurePosixPath(name).parts
        safe = (
            name in KERAS_MEMBERS
            or (len(parts) > 1 and parts[0] == "assets")
            and not any(part in ("..", "") for part in parts)
            and "\\" not in name
            and ":" not in name
        )
        if not safe:
            raise UnsafeFileError(
                f"{where} holds the member {name!r}, which a Keras model does not "
                "have; refusing it without extracting anything."
            )


def skvision_keras_objects():
    """skvision's own registered Keras objects, by registered name."""
    from ._networks.backbone import ApplicationPreprocessing
    from ._networks.embedding import EpisodeAccuracy, PrototypicalLoss, TripletLoss
    from ._networks.layers import BatchNormalization

    return {
        keras.saving.get_registered_name(cls): cls
        for cls in (
            ApplicationPreprocessing,
            BatchNormalization,
            EpisodeAccuracy,
            PrototypicalLoss,
            TripletLoss,
        )
    }


def check_keras_config(config, custom_names, where):
    """Raise :class:`UnsafeFileError` for any object Keras should not build.

    Allowed are Keras' built-in objects, skvision's own layers and the
    objects named in ``custom_names`` (by registered or class name); refused
    are layers that run code or read other files (``Lambda``, ``TFSMLayer``,
    ``TorchModuleWrapper``) and every other custom object, even one that is
    registered in this process.
    """
    check_refused_layers(config, where)
    allowed = set(custom_names) | set(skvision_keras_objects())
    for node in _keras_objects(config):
        name = node.get("class_name")
        if not isinstance(name, str) or name.startswith("__") and name.endswith("__"):
            continue  # Keras' encodings of values: tensors, tuples, bytes
        if not _allowed_keras_object(node, name, allowed):
            registered = node.get("registered_name") or name
            if name == "function":
                registered = node.get("config")
            raise UnsafeFileError(
                f"{where} uses the custom object {registered!r} "
                f"(module {node.get('module')!r}), which is not a Keras built-in "
                "nor skvision's. Loading it runs its code: pass "
                f"custom_objects={{{registered!r}: ...}} if you trust it."
            )


def check_refused_layers(config, where):
    """Raise :class:`UnsafeFileError` if ``config`` holds a ``Lambda`` layer or
    another Keras object that runs code or reads other files when loaded."""
    for node in _keras_objects(config):
        name = node.get("class_name")
        if name in REFUSED_KERAS_CLASSES:
            raise UnsafeFileError(
                f"{where} holds a {name.strip('_')}: {REFUSED_KERAS_CLASSES[name]}. "
                "skvision refuses it; build the model from Keras' layers or a "
                "registered custom layer (and name it in load's custom_objects)."
            )


def _allowed_keras_object(node, name, allowed):
    module = node.get("module") or ""
    registered = node.get("registered_name")
    if name == "function":
        function = node.get("config")
        if not isinstance(function, str):
            return False
        # A plain name is looked up in Keras' own modules only; "package>name"
        # is a registered custom function.
        return (
            ">" not in function
            or function in allowed
            or (function.split(">")[-1] in allowed)
        )
    if registered in allowed or name in allowed:
        return True
    is_keras = module == "keras" or module.startswith("keras.")
    return is_keras and registered in (None, name)


def _keras_objects(node):
    """Every dict in a Keras config that describes an object."""
    if isinstance(node, dict):
        if "class_name" in node:
            yield node
        for value in node.values():
            yield from _keras_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keras_objects(value)
