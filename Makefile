# Verbs people and CI share. Every target creates .venv itself on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint format eval bench reliability clean

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

eval: install
	$(PY) -m benchmarks.quality

bench: install
	$(PY) -m benchmarks.speed

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
