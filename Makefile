# nixlint — `make run` scans the bundled demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint format bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Findings are the point of the demo, so exit code 1 (findings) counts as success here.
run: setup
	$(BIN)/nixlint check fixtures/demo || [ $$? -eq 1 ]

lint: setup
	$(BIN)/ruff check nixlint tests bench grammars
	$(BIN)/ruff format --check nixlint tests bench grammars

format: setup
	$(BIN)/ruff format nixlint tests bench grammars
	$(BIN)/ruff check --fix nixlint tests bench grammars

test: lint
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/hook.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
