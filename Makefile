# Verbs people and CI share. Every target creates .venv itself on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: screenshots install demo test test-fast test-milvus lint format audit eval bench scale load reliability encoder clean

install: $(STAMP)

# torch first, pinned to the CPU build on disk: a bare "torch" would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(VENV)/bin/cocok demo

test: install
	$(PY) -m pytest -q -m "not reliability"

test-fast: install
	$(PY) -m pytest -q -m "not slow and not reliability"

# Fault injection, load, soak and fuzzing: minutes, not seconds; CI runs a fast subset in `make test`.
reliability: install
	$(PY) -m pytest -q -m reliability

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Quality: the real-data benchmarks (skipped without ../shared/data/eval), the learned scorer on
# simulated BKK outcomes, and the fairness report on the demo data.
eval: install
	$(PY) -m benchmarks.quality
	$(PY) -m benchmarks.learning
	$(PY) -m benchmarks.fairness

# Speed: HTTP against the in-process engine and raw faiss/BM25, encoder backends, Milvus.
bench: install
	$(PY) -m benchmarks.speed
	$(PY) -m benchmarks.encoders
	$(PY) -m benchmarks.milvus_bench

# The engine alone at 10k, 100k and 1M candidates (latency, recall, memory; results/scale.*).
scale: install
	$(PY) -m benchmarks.scale

# 50k candidates, 20 clients for 5 minutes, then a 10-minute soak (results/load.*).
load: install
	$(PY) -m benchmarks.load

# The engine, contract, restart and role suites again on an embedded Milvus (milvus-lite).
test-milvus: install
	COCOK_TEST_VECTOR_BACKEND=milvus $(PY) -m pytest -q -m "not slow" tests/test_engine.py \
		tests/service/test_api_contract.py tests/service/test_api_restart.py tests/service/test_api_roles.py

# Known vulnerabilities in the installed packages (warns only when the audit service is unreachable).
audit: install
	scripts/audit.sh

# The bundled model as an int8 ONNX graph for COCOK_ENCODER=onnx (offline, deterministic).
encoder: install
	$(VENV)/bin/cocok encoder build

# The staff workspace at phone and desktop width, for the README (needs /usr/bin/chromium).
screenshots: install
	COCOK_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q tests/e2e

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
