# Two commands on a fresh clone:
#   make book   build the HTML book into _build/html
#   make test   unit tests, property tests, doctests and strict nbval
# Both create .venv from requirements.txt the first time and reuse it after;
# `make book` also installs MathJax from npm (package-lock.json) into
# node_modules so the book renders equations offline.
#   make check-html   open every built page in headless Chromium (after make book)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
NPM_STAMP := node_modules/.installed

.PHONY: help venv mathjax book check-html test test-floor explore mutation bench lint clean

help:
	@echo "make book   build the HTML book into _build/html"
	@echo "make check-html  check every page of _build/html in headless Chromium, save screenshots"
	@echo "make test   run unit, property and doctests, and strict nbval on every notebook"
	@echo "make test-floor  fast tests against the minimum numpy and scipy"
	@echo "make explore  the property tests on freshly drawn examples"
	@echo "make mutation  share of 100 seeded mutants the tests kill"
	@echo "make bench  run the benchmarks (prints timings and ratios)"
	@echo "make lint   ruff check and format check, mypy on kltools/"
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

# MathJax, pinned in package-lock.json, served from the book's own _static/.
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to install MathJax for the book"; exit 1; }
	@echo ">> installing package-lock.json into node_modules (MathJax)"
	npm ci --no-audit --no-fund
	@touch $(NPM_STAMP)

mathjax: $(NPM_STAMP)

# The book's notebooks run under strict nbval on top of the package tests.
PYTEST_BOOK := --nbval --nbval-current-env --nbval-sanitize-with=tests/nbval_sanitize.cfg
FLOOR_VENV ?= /tmp/kltools-floor-venv
# The oldest versions pyproject.toml allows, checked by `make test-floor`.
FLOOR_PINS := numpy==2.3.0 scipy==1.15.0 pytest==9.2.0 hypothesis==6.170.15 mpmath==1.4.1

test: venv
	@echo ">> pytest: unit and property tests, doctests, strict nbval"
	$(PY) -m pytest $(PYTEST_BOOK) tests kltools book

# The package's fast tests against the declared minimum numpy and scipy, in a
# second venv (created once, reused after).
test-floor:
	@if [ ! -x $(FLOOR_VENV)/bin/python ]; then $(PYTHON) -m venv $(FLOOR_VENV) && $(FLOOR_VENV)/bin/pip install --quiet $(FLOOR_PINS); fi
	$(FLOOR_VENV)/bin/pip install --quiet --no-deps -e .
	$(FLOOR_VENV)/bin/python -m pytest -q -p no:cacheprovider tests kltools \
		--ignore=tests/browser --ignore=kltools/_fitting.py --ignore=kltools/_plotting.py

# Seeded sample of one-token mutants of kltools against its fast tests.
# The property tests on freshly drawn examples (make test draws fixed ones).
explore: venv
	$(PY) -m pytest -q -p no:cacheprovider --hypothesis-profile=explore tests \
		--ignore=tests/browser --ignore=tests/test_book_text.py

mutation: venv
	$(PY) tools/mutation.py --n 100 --seed 0

# A fresh _build/html each time: Sphinx does not overwrite static files it
# copied before, so an edited book/_static file would otherwise go stale.
book: venv mathjax
	@echo ">> building the book (warnings are errors)"
	rm -rf _build/html
	$(VENV)/bin/jupyter-book build -W -n --keep-going .
	@echo ">> open $(CURDIR)/_build/html/index.html"

# Needs Debian's chromium (apt-get install chromium); fails, never skips,
# without it. First the checker's own tests on synthetic pages, then every
# page of _build/html; screenshots go to _build/screenshots/{desktop,phone}.
check-html: venv
	@echo ">> checking every page of _build/html in headless Chromium"
	rm -rf _build/screenshots
	KL_CHECK_HTML=1 $(PY) -m pytest tests/browser
	@echo ">> screenshots in $(CURDIR)/_build/screenshots"

bench: venv
	@for f in benchmarks/bench_*.py; do echo ">> $$f"; $(PY) $$f || exit 1; done

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean:
	rm -rf _build
