# Two commands on a fresh clone:
#   make book   build the HTML book into _build/html
#   make test   unit tests, property tests, doctests and strict nbval
# Both create .venv from requirements.txt the first time and reuse it after.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed

.PHONY: help venv book test bench lint clean

help:
	@echo "make book   build the HTML book into _build/html"
	@echo "make test   run unit, property and doctests, and strict nbval on every notebook"
	@echo "make bench  run the benchmarks (prints timings and ratios)"
	@echo "make lint   ruff check and format check"
	@echo "make clean  remove _build (keeps .venv)"

# Re-install only when the requirements or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@if [ ! -x $(PY) ]; then echo ">> creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); fi
	@echo ">> installing requirements.txt into $(VENV)"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP)
	@echo ">> using $(VENV) ($$($(PY) --version))"

test: venv
	@echo ">> pytest: unit and property tests, doctests, strict nbval"
	$(PY) -m pytest

book: venv
	@echo ">> building the book (warnings are errors)"
	$(VENV)/bin/jupyter-book build -W -n --keep-going .
	@echo ">> open $(CURDIR)/_build/html/index.html"

bench: venv
	@for f in benchmarks/bench_*.py; do echo ">> $$f"; $(PY) $$f || exit 1; done

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf _build
