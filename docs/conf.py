"""Sphinx configuration: numpydoc API pages and a sphinx-gallery of the studies."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# The benchmark-results directive of benchmarks.rst (docs/_ext).
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import skvision  # noqa: E402

project = "skvision"
author = "the skvision developers"
copyright = "2026, the skvision developers"
release = version = skvision.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "benchmark_results",
]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]

html_theme = "pydata_sphinx_theme"
html_title = "skvision"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"demo\.py",
    "doc_module": ("skvision",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skvision": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}
