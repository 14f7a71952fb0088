"""Every docstring example runs, and every public name has one."""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import skvision

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(skvision.__path__, "skvision.")
    if ".tests" not in name
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, verbose=False)
    assert result.failed == 0


PUBLIC = [
    "skvision",
    "skvision.autoencoders",
    "skvision.datasets",
    "skvision.metrics",
    "skvision.model_selection",
    "skvision.plotting",
    "skvision.regressors",
    "skvision.transfer",
    "skvision.wrappers",
]


@pytest.mark.parametrize("package", PUBLIC)
def test_public_names_have_examples(package):
    module = importlib.import_module(package)
    missing = [
        name
        for name in module.__all__
        if not name.startswith("__")
        and "Examples" not in (inspect.getdoc(getattr(module, name)) or "")
    ]
    assert not missing


ESTIMATORS = {
    "classifier": [
        "DenseNetClassifier",
        "ConvNetClassifier",
        "BackboneClassifier",
        "KerasClassifier",
    ],
    "regressor": ["DenseNetRegressor", "ConvNetRegressor", "KerasRegressor"],
    "autoencoder": ["DenseAutoencoder", "ConvAutoencoder"],
    "embedding": ["EmbeddingNet"],
}


@pytest.mark.parametrize(
    "family, name", [(f, n) for f, names in ESTIMATORS.items() for n in names]
)
def test_shared_training_parameters_are_documented_in_the_shared_words(family, name):
    from skvision._base import KerasEstimator
    from skvision._docstrings import training_parameters

    doc = getattr(skvision, name).__doc__
    assert training_parameters(family) in doc  # drifted, or the marker is gone
    for parameter in KerasEstimator._parameter_constraints:
        assert doc.count(f"\n    {parameter} : ") == 1, parameter


@pytest.mark.parametrize("name", ESTIMATORS["autoencoder"])
def test_autoencoder_parameters_are_documented_in_the_shared_words(name):
    from skvision._docstrings import AUTOENCODER_PARAMETERS

    assert AUTOENCODER_PARAMETERS in getattr(skvision, name).__doc__


@pytest.mark.parametrize("architecture", ["dense", "conv"])
def test_architecture_parameters_are_documented_once(architecture):
    from skvision._docstrings import ARCHITECTURE_PARAMETERS

    text = ARCHITECTURE_PARAMETERS[architecture]
    for task in ("Classifier", "Regressor"):
        estimator = getattr(skvision, f"{architecture.capitalize()}Net{task}")
        assert text in estimator.__doc__
        for line in text.splitlines():  # every documented name is a parameter
            if line.startswith("    ") and not line.startswith("     "):
                name = line.split(" : ")[0].strip()
                assert name in inspect.signature(estimator).parameters, name


LOADERS = [
    "fetch_mnist",
    "fetch_fashion_mnist",
    "fetch_cifar10",
    "fetch_omniglot",
    "fetch_oxford_pets",
]


@pytest.mark.parametrize("name", LOADERS)
def test_loader_parameters_are_documented_in_the_shared_words(name):
    from skvision import datasets
    from skvision.datasets._docstrings import LOADER_PARAMETERS

    loader = getattr(datasets, name)
    doc = loader.__doc__
    assert "<loader parameters" not in doc  # a marker left unfilled
    for parameter in inspect.signature(loader).parameters:
        assert doc.count(f"\n    {parameter} : ") == 1, parameter
        shared = [
            text
            for text in LOADER_PARAMETERS.values()
            if text.startswith(f"    {parameter} : ")
        ]
        assert not shared or any(text in doc for text in shared), parameter
