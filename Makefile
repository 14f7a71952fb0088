# Two commands set up and run everything: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

# Verified offline copies of the datasets, when the machine has them.
ifneq ($(wildcard ../shared/data),)
export SKVISION_DATA ?= $(abspath ../shared/data)
endif

.PHONY: demo test lint docs docs-full benchmark clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[tests]"
	touch $@

demo: $(VENV)/.installed
	$(PY) examples/demo.py --figures figures

test: $(VENV)/.installed
	$(PY) -m pytest -n 2

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check skvision tests examples benchmarks
	$(VENV)/bin/ruff format --check skvision tests examples benchmarks

$(VENV)/.docs-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $@

# Examples shrink data and epochs unless SKVISION_EXAMPLES_QUICK=0 (docs-full).
docs: $(VENV)/.docs-installed
	SKVISION_EXAMPLES_QUICK=$${SKVISION_EXAMPLES_QUICK:-1} $(VENV)/bin/sphinx-build \
		-W --keep-going -b html docs docs/_build/html

docs-full:
	$(MAKE) docs SKVISION_EXAMPLES_QUICK=0

benchmark: $(VENV)/.installed
	$(PY) benchmarks/bench_dense.py

clean:
	rm -rf $(VENV) figures docs/_build
