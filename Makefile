# Two commands: `make run` launches the tool, `make test` runs the whole suite. Both are idempotent: they create
# .venv, install the package with its dev group, and make sure a pulumi CLI is available (found, installed, or
# built once per machine from its Go module and cached in ~/.cache/landingzone).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PULUMI_STAMP := $(VENV)/.pulumi

.PHONY: run test lint typecheck venv pulumi clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

pulumi: $(STAMP)
	$(PY) -m landingzone.toolchain ensure > $(PULUMI_STAMP)

run: pulumi
	LANDINGZONE_PULUMI=$$(cat $(PULUMI_STAMP)) $(VENV)/bin/landingzone $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: pulumi lint typecheck
	LANDINGZONE_PULUMI=$$(cat $(PULUMI_STAMP)) PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
