# Two commands set up and run everything: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
comma := ,
# Exact, tested versions of everything installed (pyproject.toml keeps ranges).
LOCK := requirements/lock.txt
LATEST_VENV := .venv-latest

# Verified offline copies of the datasets, when the machine has them.
ifneq ($(wildcard ../shared/data),)
export SKVISION_DATA ?= $(abspath ../shared/data)
endif

.PHONY: demo test test-kernels test-latest lock lint docs docs-full benchmark bench-gpu bench-peers clean

# The build tools come from the lock too, so skvision is built without
# isolation: nothing unpinned enters the venv. -qq: setuptools' notice about
# editable installs is not for our users; errors still show.
define install_locked
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet -c $(LOCK) pip setuptools wheel
	$(1)/bin/python -m pip install -qq --no-build-isolation -c $(LOCK) -e ".[$(2)]"
endef

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(call install_locked,$(VENV),tests$(comma)distributed)
	touch $@

demo: $(VENV)/.installed
	$(PY) examples/demo.py --figures figures

test: $(VENV)/.installed
	$(PY) -m pytest -n 2 --dist worksteal

# The suite under other TensorFlow CPU kernels, which sum in other orders:
# oneDNN's off and on, then one intra-op and one inter-op thread (TensorFlow
# reads these variables when it starts). Tests that compare two computations
# must hold under all three; each run goes on after a failure. Another CPU's
# oneDNN kernels: ONEDNN_MAX_CPU_ISA=AVX2 make test-kernels.
test-kernels: $(VENV)/.installed
	status=0; \
	for kernels in TF_ENABLE_ONEDNN_OPTS=0 TF_ENABLE_ONEDNN_OPTS=1 \
			"TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1"; do \
		echo "== $$kernels"; \
		env $$kernels $(PY) -m pytest -n 2 --dist worksteal || status=1; \
	done; \
	exit $$status

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check skvision tests examples benchmarks
	$(VENV)/bin/ruff format --check skvision tests examples benchmarks

$(VENV)/.docs-installed: $(VENV)/.installed
	$(call install_locked,$(VENV),tests$(comma)distributed$(comma)docs)
	touch $@

# Examples shrink data and epochs unless SKVISION_EXAMPLES_QUICK=0 (docs-full).
docs: $(VENV)/.docs-installed
	SKVISION_EXAMPLES_QUICK=$${SKVISION_EXAMPLES_QUICK:-1} $(VENV)/bin/sphinx-build \
		-W --keep-going -b html docs docs/_build/html

docs-full:
	$(MAKE) docs SKVISION_EXAMPLES_QUICK=0

# The suite on the newest releases of everything, in a venv of its own: what
# a `pip install skvision` user gets today, and the first sign of a lock to
# refresh.
test-latest:
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade pip setuptools wheel
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade -e ".[tests,distributed]"
	$(LATEST_VENV)/bin/python -m pip list --format=freeze
	$(LATEST_VENV)/bin/python -m pytest -n 2 --dist worksteal

# Rewrite the lock with the newest releases (then `make clean test demo`).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip setuptools wheel
	.venv-lock/bin/python -m pip install --quiet -e ".[tests,distributed,docs]"
	sed -n '/^#/p' $(LOCK) > $(LOCK).new
	.venv-lock/bin/python -m pip freeze --all --exclude-editable >> $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf .venv-lock

benchmark: $(VENV)/.installed
	$(PY) benchmarks/bench_dense.py

# On a machine with an NVIDIA GPU: the demo CNN, the reference CNN and
# MobileNetV3Small from JPEG files, in float32 and mixed precision
# (BENCH_ARGS=--quick: a smoke run on a CPU, saved under results/quick/).
bench-gpu: $(VENV)/.installed
	$(PY) benchmarks/bench_gpu.py $(BENCH_ARGS)

# skvision against raw Keras and skorch (PyTorch, CPU build) on the same
# network, in a venv of its own: the peers never enter the test venv, and
# skvision depends on none of them. benchmarks/requirements-peers.txt pins
# them; PEERS_PIP_OPTIONS tells pip where the CPU torch wheel is, when
# PIP_FIND_LINKS does not (see that file). BENCH_ARGS go to the script
# (e.g. BENCH_ARGS=--quick).
PEERS_VENV := .venv-peers
PEERS_LOCK := benchmarks/requirements-peers.txt
PEERS_PIP_OPTIONS ?=

$(PEERS_VENV)/.installed: pyproject.toml $(LOCK) $(PEERS_LOCK)
	test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet -c $(LOCK) pip setuptools wheel
	$(PEERS_VENV)/bin/python -m pip install -qq --no-build-isolation -c $(LOCK) -e .
	$(PEERS_VENV)/bin/python -m pip install --quiet $(PEERS_PIP_OPTIONS) \
		-c $(LOCK) -c $(PEERS_LOCK) torch skorch
	touch $@

bench-peers: $(PEERS_VENV)/.installed
	$(PEERS_VENV)/bin/python benchmarks/bench_peers.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(LATEST_VENV) $(PEERS_VENV) figures docs/_build
