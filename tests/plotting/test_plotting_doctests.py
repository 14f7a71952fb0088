"""The Examples sections of the displays run and print what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "_comparison",
    "_confusion",
    "_gallery",
    "_gradcam",
    "_history",
    "_lr_finder",
    "_parameter_study",
    "_reconstruction",
    "_top_losses",
    "_topk",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"skvision.plotting.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
