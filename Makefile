# `make demo` sets everything up and runs the default demo; `make test` runs the test suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Python 3.12: `python3.12` if it runs, else a pyenv or system install (override: make PYTHON=...)
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 \
	/usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null \
	&& { echo "$$p"; break; }; done)

.PHONY: setup demo docs-images notebook test test-fast lint clean

$(VENV)/.installed: pyproject.toml scripts/system-deps.sh
	@test -n "$(PYTHON)" || { echo "error: Python 3.12 not found (make PYTHON=/path/to/python3.12)"; exit 1; }
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/eisfem run configs/demo.yaml --out runs/demo

# Copy the demo's Nyquist plot and current map into docs/ (for the README): run `make demo` first.
docs-images:
	@test -f runs/demo/COMPLETE || { echo "error: no complete runs/demo: run 'make demo' first"; exit 1; }
	cp runs/demo/nyquist.png docs/demo-nyquist.png
	cp runs/demo/current_map.png docs/demo-current-map.png

# Re-execute docs/notebooks/quickstart.ipynb and store its outputs (about a minute).
notebook: setup
	$(BIN)/python scripts/execute_notebook.py docs/notebooks/quickstart.ipynb

test: setup
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not slow"

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) runs
