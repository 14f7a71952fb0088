"""skvision.load reads what save wrote, exactly, and refuses files that run code."""

import io
import json
import os
import pickle
import sys
import zipfile

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

import skvision
from skvision._keras import keras
from skvision._safe_keras import UnsafeFileError

TRAINING = dict(max_iter=2, early_stopping=False, random_state=0)


@pytest.fixture(scope="module")
def data():
    """The first 400 digits as (400, 8, 8) uint8 images, and their labels."""
    X, y = load_digits(return_X_y=True)
    return (X[:400] * 16).clip(0, 255).astype(np.uint8).reshape(-1, 8, 8), y[:400]


def _tiny_backbone():
    from skvision._testing import tiny_backbone

    return tiny_backbone((8, 8, 1), dtype="float32")


def _user_network():
    return keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )


# name: (estimator, how y is made from the labels, trusted names)
ESTIMATORS = {
    "DenseNetClassifier": lambda: skvision.DenseNetClassifier(
        hidden_layer_sizes=skvision.LayerSizes(n_layers=1, units_0=8, units_1=4),
        class_weight={0: 2.0, 1: 0.5},
        learning_rate={1: 5e-4},
        **TRAINING,
    ),
    "ConvNetClassifier": lambda: skvision.ConvNetClassifier(
        conv_blocks=((4,),),
        dense_layer_sizes=(8,),
        resize_to=(12, 12),
        rotation_range=10,
        **TRAINING,
    ),
    "DenseNetRegressor": lambda: skvision.DenseNetRegressor(
        hidden_layer_sizes=(8,), **TRAINING
    ),
    "DenseAutoencoder": lambda: skvision.DenseAutoencoder(
        latent_dim=2, hidden_layer_sizes=(8,), **TRAINING
    ),
    "ConvAutoencoder": lambda: skvision.ConvAutoencoder(
        latent_dim=2, filters=(4,), **TRAINING
    ),
    "KerasClassifier": lambda: skvision.KerasClassifier(
        _mlp(), model__units=8, loss="sparse_categorical_crossentropy", **TRAINING
    ),
    "KerasRegressor": lambda: skvision.KerasRegressor(_user_network(), **TRAINING),
    "BackboneClassifier": lambda: skvision.BackboneClassifier(
        _tiny_backbone(), weights=None, **TRAINING
    ),
    "BackboneFeatures": lambda: skvision.BackboneFeatures(
        _tiny_backbone(), weights=None, random_state=0
    ),
}


def _mlp():
    from skvision._testing import mlp

    return mlp


def _targets(name, y):
    if "Regressor" in name:
        return np.column_stack([y, y % 3, y % 2]).astype(float)  # 3 outputs
    if name == "ConvNetClassifier":
        return np.array(["even", "odd"])[y % 2]  # string labels
    return y


def _outputs(estimator, X):
    for method in ("predict_proba", "predict", "transform"):
        if hasattr(estimator, method):
            return getattr(estimator, method)(X)
    raise AssertionError("no output method")


def _fitted_attributes(estimator):
    return {
        name: value
        for name, value in vars(estimator).items()
        if name.endswith("_") and name != "model_" and not name.startswith("__")
    }


def _plain_params(estimator):
    """Parameters, comparable: Keras models by weights, LayerSizes by fields."""

    def plain(value):
        if isinstance(value, keras.Model):
            return [w.tolist() for w in value.get_weights()]
        if isinstance(value, skvision.LayerSizes):
            return value.get_params()
        return value

    return {k: plain(v) for k, v in estimator.get_params(deep=False).items()}


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_loaded_estimator_is_the_saved_one(data, tmp_path, name):
    X, y = data
    estimator = ESTIMATORS[name]()
    estimator.fit(X[:300], _targets(name, y[:300]))
    path = estimator.save(tmp_path / "model.skv")
    loaded = skvision.load(path, trusted=["skvision._testing.mlp"])
    assert type(loaded) is type(estimator)
    # The same outputs, bit for bit: the same weights through the same code.
    np.testing.assert_array_equal(
        _outputs(loaded, X[300:]), _outputs(estimator, X[300:])
    )
    np.testing.assert_equal(_fitted_attributes(loaded), _fitted_attributes(estimator))
    assert _plain_params(loaded) == _plain_params(estimator)
    assert loaded.saved_with["skvision"] == skvision.__version__
    assert estimator.saved_with is None


@pytest.mark.parametrize("name", ["DenseNetClassifier", "ConvNetClassifier"])
def test_partial_fit_goes_on_as_if_never_saved(data, tmp_path, name):
    # The optimizer's moments and step count, and the dropout and augmentation
    # layers' seed states, travel with the model.
    X, y = data
    y = _targets(name, y)
    estimator = ESTIMATORS[name]().fit(X[:300], y[:300])
    loaded = skvision.load(estimator.save(tmp_path / "model.skv"))
    for model in (estimator, loaded):
        model.partial_fit(X[300:], y[300:])
    assert int(loaded.model_.optimizer.iterations) == int(
        estimator.model_.optimizer.iterations
    )
    np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))


def test_an_unfitted_estimator_loads_unfitted(tmp_path):
    estimator = skvision.ConvNetClassifier(conv_blocks=((8, 8),), kernel_size=(3, 5))
    loaded = skvision.load(estimator.save(tmp_path / "model.skv"))
    assert loaded.get_params() == estimator.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(loaded)


def test_random_state_objects_and_paths_round_trip(tmp_path):
    state = np.random.RandomState(3)
    state.rand(5)
    estimator = skvision.BackboneClassifier(weights=tmp_path / "w.h5")
    estimator.set_params(random_state=state)
    loaded = skvision.load(estimator.save(tmp_path / "model.skv"))
    assert loaded.weights == tmp_path / "w.h5"
    np.testing.assert_array_equal(loaded.random_state.rand(3), state.rand(3))


# -- what cannot be stored is refused when saving --------------------------------
def test_objects_that_would_need_pickle_are_refused_at_save(tmp_path):
    from skvision._testing import TinyBackbone

    callbacks = skvision.DenseNetClassifier(callbacks=[keras.callbacks.History()])
    with pytest.raises(TypeError, match=r"callbacks\[0\].*set_params\(callbacks=None"):
        callbacks.save(tmp_path / "a.skv")
    schedule = skvision.DenseNetClassifier(learning_rate=lambda epoch, rate: rate)
    with pytest.raises(TypeError, match="learning_rate.*cannot be imported by name"):
        schedule.save(tmp_path / "b.skv")
    instance = skvision.BackboneClassifier(TinyBackbone())
    with pytest.raises(TypeError, match="backbone is TinyBackbone"):
        instance.save(tmp_path / "c.skv")

    class Subclass(skvision.DenseNetClassifier):
        pass

    with pytest.raises(TypeError, match="not one of skvision's own estimator"):
        Subclass().save(tmp_path / "d.skv")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_a_lambda_layer_is_refused_at_save(tmp_path):
    network = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Lambda(lambda x: 2 * x),
            keras.layers.Dense(10),
        ]
    )
    with pytest.raises(UnsafeFileError, match="Lambda layer holds Python bytecode"):
        skvision.KerasClassifier(network).save(tmp_path / "model.skv")
    assert not list(tmp_path.iterdir())


# -- functions are imported only when trusted -----------------------------------
SCHEDULE_MODULE = """
import pathlib
pathlib.Path(__file__).with_name("imported").touch()

def halving(epoch, rate):
    return rate / 2 if epoch else rate
"""


def test_a_function_parameter_is_imported_only_when_trusted(
    data, tmp_path, monkeypatch
):
    (tmp_path / "skv_schedules.py").write_text(SCHEDULE_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import skv_schedules

    X, y = data
    clf = skvision.DenseNetClassifier(
        hidden_layer_sizes=(4,), learning_rate=skv_schedules.halving, **TRAINING
    ).fit(X[:100], y[:100])
    path = clf.save(tmp_path / "model.skv")
    monkeypatch.delitem(sys.modules, "skv_schedules")
    (tmp_path / "imported").unlink()

    with pytest.raises(UnsafeFileError, match="skv_schedules.halving. Pass trusted"):
        skvision.load(path)
    assert "skv_schedules" not in sys.modules
    assert not (tmp_path / "imported").exists()

    loaded = skvision.load(path, trusted=["skv_schedules.halving"])
    assert loaded.learning_rate is sys.modules["skv_schedules"].halving
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


# -- custom Keras objects load only when named -------------------------------------
@keras.saving.register_keras_serializable(package="skvision_tests")
class Doubling(keras.layers.Layer):
    def call(self, inputs):
        return 2 * inputs


def test_a_registered_custom_layer_loads_only_when_named(data, tmp_path):
    X, y = data
    network = keras.Sequential(
        [keras.Input((64,)), Doubling(), keras.layers.Dense(10, activation="softmax")]
    )
    clf = skvision.KerasClassifier(network, **TRAINING).fit(X[:100], y[:100])
    path = clf.save(tmp_path / "model.skv")
    with pytest.raises(
        UnsafeFileError, match="custom object 'skvision_tests>Doubling'"
    ):
        skvision.load(path)  # registered in this process, but not named
    loaded = skvision.load(path, custom_objects={"skvision_tests>Doubling": Doubling})
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


# -- crafted files ------------------------------------------------------------
@pytest.fixture(scope="module")
def saved_bytes(data, tmp_path_factory):
    """A genuine file's members: skvision.json and models/0.keras."""
    X, y = data
    clf = skvision.DenseNetClassifier(hidden_layer_sizes=(4,), **TRAINING)
    path = clf.fit(X[:100], y[:100]).save(tmp_path_factory.mktemp("a") / "m.skv")
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write_archive(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content)
    return path


class _Payload:
    """Pickled, it makes the directory ``marker`` when unpickled."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def test_a_pickle_is_refused_without_running_it(saved_bytes, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    (tmp_path / "pickle.skv").write_bytes(payload)
    with pytest.raises(UnsafeFileError, match="not a zip archive.*never pickles"):
        skvision.load(tmp_path / "pickle.skv")
    # The payload as a member of an otherwise genuine archive.
    members = {**saved_bytes, "models/0.pkl": payload}
    with pytest.raises(UnsafeFileError, match="'models/0.pkl'"):
        skvision.load(_write_archive(tmp_path / "member.skv", members))
    # A pickle in place of the Keras model.
    members = {**saved_bytes, "models/0.keras": payload}
    with pytest.raises(UnsafeFileError, match="is not a Keras model"):
        skvision.load(_write_archive(tmp_path / "model.skv", members))
    assert not marker.exists()


def test_a_lambda_layer_in_a_file_is_refused_without_running_it(saved_bytes, tmp_path):
    marker = tmp_path / "pwned"
    code = f"lambda x: (__import__('os').makedirs({str(marker)!r}), x)[1]"
    network = keras.Sequential(
        [keras.Input((64,)), keras.layers.Lambda(eval(code)), keras.layers.Dense(10)]
    )
    marker.rmdir()  # made while the model was built here
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        config = keras.saving.serialize_keras_object(network)
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", saved_bytes_metadata(saved_bytes))
    members = {**saved_bytes, "models/0.keras": buffer.getvalue()}
    with pytest.raises(UnsafeFileError, match="Lambda layer holds Python bytecode"):
        skvision.load(_write_archive(tmp_path / "lambda.skv", members))
    assert not marker.exists()


def saved_bytes_metadata(saved_bytes):
    with zipfile.ZipFile(io.BytesIO(saved_bytes["models/0.keras"])) as archive:
        return archive.read("metadata.json")


@pytest.mark.parametrize(
    "member", ["../escaped", "/tmp/escaped", "models/../../escaped.keras"]
)
def test_a_path_traversal_member_is_refused(saved_bytes, tmp_path, member):
    target = tmp_path / "target"
    target.mkdir()
    path = _write_archive(target / "m.skv", {**saved_bytes, member: b"x"})
    with pytest.raises(UnsafeFileError, match="not a skvision file"):
        skvision.load(path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["m.skv", "target"]


def test_a_path_traversal_member_in_the_keras_model_is_refused(saved_bytes, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        with zipfile.ZipFile(io.BytesIO(saved_bytes["models/0.keras"])) as genuine:
            for name in genuine.namelist():
                archive.writestr(name, genuine.read(name))
        archive.writestr("assets/../../../escaped", b"x")
    members = {**saved_bytes, "models/0.keras": buffer.getvalue()}
    with pytest.raises(UnsafeFileError, match="'assets/../../../escaped'"):
        skvision.load(_write_archive(tmp_path / "m.skv", members))
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["m.skv"]


def _edited(saved_bytes, edit):
    document = json.loads(saved_bytes["skvision.json"])
    edit(document)
    return {**saved_bytes, "skvision.json": json.dumps(document)}


def test_a_file_from_a_newer_skvision_is_refused_clearly(saved_bytes, tmp_path):
    def newer(document):
        document["versions"]["skvision"] = "99.0.0"

    path = _write_archive(tmp_path / "m.skv", _edited(saved_bytes, newer))
    with pytest.raises(
        ValueError, match="written by skvision 99.0.0.*upgrade skvision"
    ):
        skvision.load(path)

    def new_format(document):
        document["format_version"] = 2

    path = _write_archive(tmp_path / "m.skv", _edited(saved_bytes, new_format))
    with pytest.raises(ValueError, match=r"file format 2\), newer"):
        skvision.load(path)


def test_only_skvision_estimator_classes_are_built(saved_bytes, tmp_path):
    def other_class(document):
        document["estimator"]["__estimator__"]["class"] = "load"

    path = _write_archive(tmp_path / "m.skv", _edited(saved_bytes, other_class))
    with pytest.raises(UnsafeFileError, match="not one of skvision's estimator"):
        skvision.load(path)

    def unknown_tag(document):
        attributes = document["estimator"]["__estimator__"]["attributes"]
        attributes["classes_"] = {"__reduce__": ["os", "system"]}

    path = _write_archive(tmp_path / "m.skv", _edited(saved_bytes, unknown_tag))
    with pytest.raises(UnsafeFileError, match="unknown entry '__reduce__'"):
        skvision.load(path)


# -- pipelines with other libraries' models: skops ----------------------------------
def test_a_pipeline_with_xgboost_round_trips_through_skops(data, tmp_path):
    import skops.io
    from sklearn.pipeline import make_pipeline
    from xgboost import XGBClassifier

    X, y = data
    pipeline = make_pipeline(
        skvision.DenseAutoencoder(latent_dim=4, hidden_layer_sizes=(16,), **TRAINING),
        XGBClassifier(n_estimators=5, max_depth=2),
    ).fit(X, y)
    skops.io.dump(pipeline, tmp_path / "pipeline.skops")
    untrusted = skops.io.get_untrusted_types(file=tmp_path / "pipeline.skops")
    assert untrusted == [
        "skvision.autoencoders._dense.DenseAutoencoder",
        "xgboost.core.Booster",
        "xgboost.sklearn.XGBClassifier",
    ]
    loaded = skops.io.load(tmp_path / "pipeline.skops", trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(X), pipeline.predict_proba(X))
