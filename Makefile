# Pasboks: the two commands of the quick start, and a few more for developers.
#   make run    start the kiosk on the built-in simulator (sets everything up on first use)
#   make test   run the whole test suite (sets everything up on first use)
# Setup: a private venv holding uv (from PyPI), then `uv sync --frozen` from uv.lock into .venv.

# mediapipe (face models) has wheels for CPython 3.11 and 3.12 only: pick one of those.
PYTHON ?= $(shell for p in python3 python3.12 python3.11; do \
	  $$p -c 'import sys; sys.exit(not (3,11) <= sys.version_info[:2] <= (3,12))' 2>/dev/null \
	  && command -v $$p && break; done)
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
STAMP := $(VENV)/.synced-$(UV_VERSION)
ARGS ?=

.PHONY: run test setup simulate check lint bench clean texts

run: $(STAMP)
	$(VENV)/bin/kiosk run $(ARGS)

# The type check is part of the tests: mypy --strict over kiosk, drivers and simulator.
test: $(STAMP)
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest $(ARGS)

setup: $(STAMP)

$(UV):
	@test -n "$(PYTHON)" || { echo "Pasboks needs Python 3.11 or 3.12 (python3.11/python3.12 on PATH)."; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): $(UV) uv.lock pyproject.toml
	UV_PYTHON_DOWNLOADS=never $(UV) sync --frozen --python $(PYTHON)
	@touch $@

simulate: $(STAMP)
	$(VENV)/bin/kiosk simulate --scenario happy --headless $(ARGS)

check: $(STAMP)
	$(VENV)/bin/kiosk devices check $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check kiosk drivers simulator tests evaluation

clean:
	rm -rf $(VENV) $(TOOLS)

# Translators: templates from the English catalogue, merged into every language (pybabel
# update: new keys empty, changed ones fuzzy), then each catalogue's statistics.
texts: $(STAMP)
	$(VENV)/bin/python -m kiosk.texts_tool
