"""Saving and loading skvision estimators in a file whose loading runs no code.

A saved estimator is one zip archive holding two kinds of members, and no
others:

- ``skvision.json``: the format's version, the versions of the libraries
  that wrote it, and the estimator: the name of its class (a public skvision
  estimator), its constructor parameters and its fitted attributes, written
  in a small tagged vocabulary of JSON (tuples, dicts with any keys, NumPy
  arrays and scalars, random states, nested skvision estimators);
- ``models/<n>.keras``: each Keras model (the fitted network, or a model given
  as a parameter), in Keras' own format, optimizer state included.

:func:`load` reads these members by name and never extracts the archive.
What it builds is limited to that JSON vocabulary, skvision's own classes,
Keras models made of Keras' built-in objects, skvision's own layers and the
custom objects the caller names in ``custom_objects``, loaded in Keras' safe
mode (a ``Lambda`` layer, whose Python bytecode would run, is refused), and
functions or classes named in ``trusted``, which are the only modules it
imports. Anything else in a file is refused, with the reason, before any of
it is built.

The parameters that are Python objects are stored by what they are: a
function or class by its import name (``package.module.name``), resolved on
load only when ``trusted`` names it; a Keras model as a member of its own; a
Keras loss, metric, optimizer, schedule, initializer or regularizer by its
Keras config; a fitted skvision estimator (a backbone) as a nested estimator.
Other objects (Keras callbacks, callable instances, lambdas) cannot be stored
without pickle, and :func:`save` refuses them, naming the parameter.

A pipeline that holds skvision estimators next to other libraries' models is
persisted with ``skops.io``, which calls the estimators' ``__getstate__`` and
``__setstate__`` (see the user guide).
"""

import importlib
import json
import os
import platform
import re
import secrets
import zipfile
from pathlib import Path

import numpy as np

from ._keras import keras
from ._safe_keras import (
    UnsafeFileError,
    check_keras_config,
    check_refused_layers,
    model_config,
    model_from_bytes,
    model_to_bytes,
    seed_states,
)

FORMAT = "skvision-estimator"
FORMAT_VERSION = 1
DOCUMENT = "skvision.json"
_MODEL_MEMBER = re.compile(r"models/[0-9]{1,6}\.keras")
# The largest skvision.json read (parameters, attributes, history): 64 MiB.
_MAX_DOCUMENT_BYTES = 64 << 20
# NumPy array kinds the JSON vocabulary holds: bool, ints, floats, str, object.
_ARRAY_KINDS = set("biufUO")
# Keras objects stored by their Keras config (a model is a member of its own).
_KERAS_CONFIG_TYPES = (
    "losses.Loss",
    "metrics.Metric",
    "optimizers.Optimizer",
    "optimizers.schedules.LearningRateSchedule",
    "initializers.Initializer",
    "regularizers.Regularizer",
)


# -- saving ------------------------------------------------------------------
def save(estimator, path):
    """Write ``estimator`` to ``path`` as one skvision archive (see the module)."""
    writer = _Writer()
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": library_versions(),
        "estimator": writer.estimator(estimator, "estimator"),
    }
    text = json.dumps(document, indent=1)
    path = Path(os.fspath(path))
    # Written next to the target and renamed: a failed save leaves no
    # half-written file where a good one may have been.
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        with zipfile.ZipFile(partial, "x", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(DOCUMENT, text)
            for name, data in writer.members.items():
                archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def library_versions():
    """The versions that matter to a saved estimator, by library name."""
    import sklearn

    import skvision

    versions = {
        "skvision": skvision.__version__,
        "keras": keras.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    return versions


class _Writer:
    """Encodes values into the JSON vocabulary, collecting the model members."""

    def __init__(self):
        self.members = {}

    def estimator(self, estimator, where):
        cls = _public_class(estimator, where)
        params = estimator.get_params(deep=False)
        skipped = {*params, "_model_params", "model_", "_saved_with"}
        skipped.update(getattr(estimator, "_predictor_attributes", ()))
        attributes = {
            name: value
            for name, value in vars(estimator).items()
            if name not in skipped
        }
        model = getattr(estimator, "model_", None)
        return {
            "__estimator__": {
                "class": cls.__name__,
                "params": self.mapping(params, f"{where} parameter"),
                "attributes": self.mapping(attributes, f"{where} attribute"),
                "model": None if model is None else self.model(model, where),
            }
        }

    def mapping(self, values, where):
        return {name: self.value(v, f"{where} {name}") for name, v in values.items()}

    def model(self, model, where):
        # Custom objects are for the loader to name; code-running layers are not.
        check_refused_layers(model_config(model), f"{where}: its Keras model")
        name = f"models/{len(self.members)}.keras"
        self.members[name] = model_to_bytes(model)
        # Keras' format leaves out the random layers' seed states (dropout,
        # augmentation); kept, training goes on exactly as it would have.
        states = [v.numpy().tolist() for v in seed_states(model)]
        return {"member": name, "seed_states": states}

    def value(self, value, where):  # noqa: C901 - one branch per type
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, tuple):
            items = [self.value(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {"__tuple__": items}
        if isinstance(value, list):
            return [self.value(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            items = [
                [self.value(k, f"{where} key"), self.value(v, f"{where}[{k!r}]")]
                for k, v in value.items()
            ]
            return {"__dict__": items}
        if isinstance(value, np.ndarray):
            return {"__ndarray__": self.array(value, where)}
        if isinstance(value, np.generic):
            return {"__scalar__": [value.dtype.str, value.item()]}
        if isinstance(value, os.PathLike):
            return {"__path__": os.fspath(value)}
        if isinstance(value, np.random.RandomState):
            return {"__random_state__": self.value(value.get_state(), where)}
        from ._layer_sizes import LayerSizes

        if isinstance(value, LayerSizes):
            return {"__layer_sizes__": self.value(value.get_params(), where)}
        if isinstance(value, keras.Model):
            return {"__keras_model__": self.model(value, where)}
        if _is_keras_config_object(value):
            config = keras.saving.serialize_keras_object(value)
            check_refused_layers(config, where)
            return {"__keras_object__": config}
        if _is_skvision_estimator(value):
            return self.estimator(value, where)
        frozen = _frozen_estimator(value)
        if frozen is not None:
            return {"__frozen__": self.estimator(frozen, f"{where}.estimator")}
        if isinstance(value, type) or callable(value):
            return {"__callable__": _import_name(value, where)}
        raise TypeError(_unstorable(value, where))

    def array(self, array, where):
        if array.dtype.kind not in _ARRAY_KINDS or array.dtype.fields:
            raise TypeError(
                f"{where} is an array of dtype {array.dtype}, which a skvision file "
                "cannot hold (bool, int, float, str and object arrays only)."
            )
        if array.dtype.kind == "O":
            data = [self.value(v, f"{where} item") for v in array.ravel().tolist()]
        else:
            data = array.ravel().tolist()
        return {"dtype": array.dtype.str, "shape": list(array.shape), "data": data}


def _public_class(estimator, where):
    import skvision

    cls = type(estimator)
    if getattr(skvision, cls.__name__, None) is not cls:
        raise TypeError(
            f"{where} is a {cls.__module__}.{cls.__qualname__}, not one of "
            "skvision's own estimator classes; skvision.load builds only those. "
            "Save an instance of the skvision class it derives from, or use pickle "
            "for files you only load yourself."
        )
    return cls


def _is_skvision_estimator(value):
    from ._base import KerasEstimator

    return isinstance(value, KerasEstimator)


def _frozen_estimator(value):
    """The skvision estimator inside a ``sklearn.frozen.FrozenEstimator``, or None."""
    try:
        from sklearn.frozen import FrozenEstimator
    except ImportError:  # scikit-learn < 1.6
        return None
    if type(value) is FrozenEstimator and _is_skvision_estimator(value.estimator):
        return value.estimator
    return None


def _is_keras_config_object(value):
    for name in _KERAS_CONFIG_TYPES:
        cls = keras
        for part in name.split("."):
            cls = getattr(cls, part)
        if isinstance(value, cls):
            return True
    return False


def _import_name(value, where):
    """``{"module", "qualname"}`` of a function or class importable by name."""
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not isinstance(value, type) and not _is_function(value):
        raise TypeError(_unstorable(value, where))
    if not module or not qualname or "<" in qualname or module == "__main__":
        raise TypeError(
            f"{where} is {value!r}, which cannot be imported by name (a lambda, a "
            "function defined inside another, or one defined in __main__); "
            "skvision stores functions by import name only: define it at the top "
            "level of a module."
        )
    if _resolve(module, qualname) is not value:
        raise TypeError(
            f"{where} is {value!r}, but {module}.{qualname} names another object; "
            "skvision stores functions by import name only."
        )
    return {"module": module, "qualname": qualname}


def _is_function(value):
    import functools
    import types

    plain = (types.FunctionType, types.BuiltinFunctionType, np.ufunc)
    return isinstance(value, plain) and not isinstance(value, functools.partial)


def _unstorable(value, where):
    hint = (
        " Callbacks only act during training: set_params(callbacks=None) before "
        "saving, and pass them again before training more."
        if isinstance(value, keras.callbacks.Callback)
        else " Pass a function defined at the top level of a module instead, which "
        "is stored by its import name."
    )
    return (
        f"{where} is {value!r} ({type(value).__module__}.{type(value).__qualname__}),"
        " an object a skvision file cannot hold without pickle, whose loading "
        f"would run code.{hint}"
    )


# -- loading -----------------------------------------------------------------
def load(path, *, custom_objects=None, trusted=None):
    """Load an estimator saved by its ``save`` method, running none of the file's code.

    The file is refused, with the reason, before anything is built, if it
    holds anything but skvision's JSON and Keras models: a pickle, a member
    outside the archive's layout (such as ``../name``), a Keras ``Lambda``
    layer (Python bytecode), a custom Keras object not named in
    ``custom_objects``, or a function or class not named in ``trusted``.
    Nothing is extracted from the archive. The Keras models load in Keras'
    safe mode.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by an estimator's ``save``.
    custom_objects : dict, default=None
        Custom Keras layers, losses or functions the file's models use, by
        their registered name (``"package>Name"``) or class name, as for
        ``keras.saving.load_model``: the ones you trust to run.
    trusted : list of str or objects, default=None
        Functions and classes the estimator's parameters name (a
        ``KerasClassifier``'s model-building function, a callable
        ``learning_rate``), by import name (``"package.module.function"``) or
        as the objects themselves. Only these modules are imported; an
        error lists any other name the file holds.

    Returns
    -------
    estimator : skvision estimator
        Fitted as it was saved, optimizer state included (``partial_fit``
        continues), with ``saved_with`` giving the versions that wrote it.

    Raises
    ------
    ValueError
        ``UnsafeFileError``, a subclass, for a refused file; a ``ValueError``
        for a file written by a newer skvision.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn.datasets import load_digits
    >>> import skvision
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = skvision.DenseNetClassifier(hidden_layer_sizes=(8,), max_iter=1,
    ...                                   random_state=0).fit(X / 16, y)
    >>> path = clf.save(os.path.join(tempfile.mkdtemp(), "digits.skv"))
    >>> loaded = skvision.load(path)
    >>> bool((loaded.predict_proba(X / 16) == clf.predict_proba(X / 16)).all())
    True
    >>> sorted(loaded.saved_with)
    ['keras', 'numpy', 'python', 'scikit-learn', 'skvision', 'tensorflow']
    """
    custom_objects = dict(custom_objects or {})
    trusted = {_trusted_name(item) for item in (trusted or ())}
    with _open_archive(path) as archive:
        document = _read_document(archive)
        _check_versions(document)
        untrusted = sorted(set(_callable_names(document["estimator"])) - trusted)
        if untrusted:
            raise UnsafeFileError(
                f"{path} names functions or classes that loading would import: "
                f"{', '.join(untrusted)}. Pass trusted=[...] with those you trust "
                "(their import names, or the objects themselves) to load it."
            )
        reader = _Reader(archive, custom_objects)
        try:
            estimator = reader.value(document.get("estimator"), "estimator")
        except (KeyError, TypeError, AttributeError) as error:
            raise UnsafeFileError(
                f"{path} is not a valid skvision file: {type(error).__name__}: {error}"
            ) from None
    if not _is_skvision_estimator(estimator):
        raise UnsafeFileError(f"{path} does not hold a skvision estimator.")
    estimator._saved_with = dict(document["versions"])
    return estimator


def _trusted_name(item):
    if isinstance(item, str):
        return item
    return f"{item.__module__}.{item.__qualname__}"


def _open_archive(path):
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UnsafeFileError(
            f"{path} is not a skvision file (not a zip archive); skvision.load "
            "reads only files written by an estimator's save method, never pickles."
        ) from None
    try:
        _check_members(archive.infolist(), path)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_members(infos, path):
    names = [info.filename for info in infos]
    unexpected = [
        name for name in names if name != DOCUMENT and not _MODEL_MEMBER.fullmatch(name)
    ]
    if unexpected or len(set(names)) != len(names) or DOCUMENT not in names:
        raise UnsafeFileError(
            f"{path} is not a skvision file: it holds members "
            f"{', '.join(map(repr, unexpected or names))} besides (or instead of) "
            f"{DOCUMENT!r} and models/<n>.keras; refusing it without reading them."
        )


def _read_document(archive):
    info = archive.getinfo(DOCUMENT)
    if info.file_size > _MAX_DOCUMENT_BYTES:
        raise UnsafeFileError(f"{DOCUMENT} is {info.file_size} bytes: refusing it.")
    with archive.open(info) as handle:
        text = handle.read(_MAX_DOCUMENT_BYTES + 1)
    try:
        document = json.loads(text)
    except ValueError as error:
        raise UnsafeFileError(f"{DOCUMENT} is not valid JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UnsafeFileError(f"{DOCUMENT} does not describe a skvision estimator.")
    return document


def _check_versions(document):
    import skvision

    written = document.get("format_version")
    versions = document.get("versions")
    if not isinstance(written, int) or not isinstance(versions, dict):
        raise UnsafeFileError(f"{DOCUMENT} lacks its format or library versions.")
    saved = str(versions.get("skvision", "?"))
    if written > FORMAT_VERSION or _release(saved) > _release(skvision.__version__):
        raise ValueError(
            f"This file was written by skvision {saved} (file format {written}), "
            f"newer than the skvision {skvision.__version__} installed here (which "
            f"reads formats up to {FORMAT_VERSION}); upgrade skvision to load it."
        )


def _release(version):
    """``"1.2.3rc1"`` as ``(1, 2, 3)``, to compare releases."""
    match = re.match(r"\d+(\.\d+)*", version)
    return tuple(int(part) for part in match.group().split(".")) if match else ()


def _callable_names(node):
    """Import names of every ``__callable__`` in a document's tree."""
    if isinstance(node, list):
        for item in node:
            yield from _callable_names(item)
    elif isinstance(node, dict):
        reference = node.get("__callable__")
        if isinstance(reference, dict):
            yield f"{reference.get('module')}.{reference.get('qualname')}"
        for item in node.values():
            yield from _callable_names(item)


class _Reader:
    """Decodes the JSON vocabulary of :class:`_Writer`, models from the archive."""

    def __init__(self, archive, custom_objects):
        self.archive = archive
        self.custom_objects = custom_objects

    def value(self, node, where):  # noqa: C901 - one branch per tag
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if isinstance(node, list):
            return [self.value(v, f"{where}[{i}]") for i, v in enumerate(node)]
        if not isinstance(node, dict) or len(node) != 1:
            raise UnsafeFileError(f"{where}: unknown entry {str(node)[:80]!r}.")
        ((tag, content),) = node.items()
        if tag == "__tuple__":
            return tuple(self.value(content, where))
        if tag == "__dict__":
            return {self.value(k, where): self.value(v, where) for k, v in content}
        if tag == "__ndarray__":
            return self.array(content, where)
        if tag == "__scalar__":
            dtype, value = content
            return _checked_dtype(dtype, where).type(value)
        if tag == "__path__":
            return Path(content)
        if tag == "__random_state__":
            state = np.random.RandomState()
            state.set_state(self.value(content, where))
            return state
        if tag == "__layer_sizes__":
            from ._layer_sizes import LayerSizes

            return LayerSizes(**self.value(content, where))
        if tag == "__keras_model__":
            return self.model(content, where)
        if tag == "__keras_object__":
            return self.keras_object(content, where)
        if tag == "__estimator__":
            return self.estimator(content, where)
        if tag == "__frozen__":
            from sklearn.frozen import FrozenEstimator

            return FrozenEstimator(self.value(content, where))
        if tag == "__callable__":
            return _resolve(content["module"], content["qualname"])
        raise UnsafeFileError(f"{where}: unknown entry {tag!r}.")

    def array(self, content, where):
        dtype = _checked_dtype(content["dtype"], where)
        shape = tuple(int(n) for n in content["shape"])
        data = content["data"]
        if dtype.kind == "O":
            data = [self.value(v, where) for v in data]
            array = np.empty(len(data), dtype=object)
            array[:] = data
        else:
            array = np.asarray(data, dtype=dtype)
        return array.reshape(shape)

    def estimator(self, content, where):
        import skvision

        name = content["class"]
        cls = getattr(skvision, name, None) if name in skvision.__all__ else None
        if not _is_skvision_class(cls):
            raise UnsafeFileError(
                f"{where} is a {name!r}, not one of skvision's estimator classes."
            )
        params = self.value({"__dict__": _items(content["params"])}, where)
        attributes = self.value({"__dict__": _items(content["attributes"])}, where)
        for attribute in attributes:
            if not attribute.isidentifier() or attribute.startswith("__"):
                raise UnsafeFileError(f"{where}: bad attribute name {attribute!r}.")
        estimator = cls(**params)  # __init__ only stores its arguments
        vars(estimator).update(attributes)
        if content["model"] is not None:
            estimator.model_ = self.model(content["model"], where)
            estimator._make_predictors()
        return estimator

    def model(self, content, where):
        name = content["member"]
        if not isinstance(name, str) or not _MODEL_MEMBER.fullmatch(name):
            raise UnsafeFileError(f"{where}: {name!r} is not a model member.")
        model = model_from_bytes(
            self.archive.read(name), self.custom_objects, f"{where} ({name})"
        )
        variables, states = seed_states(model), content["seed_states"]
        if len(states) != len(variables):
            raise UnsafeFileError(f"{where}: seed states do not match the model.")
        for variable, state in zip(variables, states, strict=True):
            variable.assign(np.asarray(state, dtype=variable.dtype))
        return model

    def keras_object(self, config, where):
        check_keras_config(config, set(self.custom_objects), where)
        return keras.saving.deserialize_keras_object(
            config, custom_objects=self.custom_objects, safe_mode=True
        )


def _items(mapping):
    return [[name, value] for name, value in mapping.items()]


def _is_skvision_class(cls):
    from ._base import KerasEstimator

    return isinstance(cls, type) and issubclass(cls, KerasEstimator)


def _checked_dtype(name, where):
    dtype = np.dtype(name)
    if dtype.kind not in _ARRAY_KINDS or dtype.fields:
        raise UnsafeFileError(f"{where}: arrays of dtype {dtype} are not allowed.")
    return dtype


def _resolve(module, qualname):
    """The object ``module.qualname``, importing ``module``."""
    value = importlib.import_module(module)
    for part in qualname.split("."):
        value = getattr(value, part)
    return value
