# nnfs-conformance: `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LEARNER_STAMP := $(VENV)/.installed-learner  # the runner and the book's nnfs (.[book])
STAMP := $(VENV)/.installed                  # and the maintainer's tools (.[dev]: tests, lint...)
BYTECODE := $(VENV)/.compiled                # the repository's Python compiled (see its rule)
PY_SOURCES := reference generator runners tools tests benchmarks ports/python kits/python
PY_FILES := $(shell find $(PY_SOURCES) -name '*.py' ! -path '*/template/*' 2>/dev/null)
PORT ?= python3 ports/python/port.py
ARGS ?=

.DEFAULT_GOAL := help
.NOTPARALLEL:  # both stamps install into one .venv: two pip runs at once could break it
.PHONY: help setup vectors validate test conform book conform-all matrix mistakes bench screenshot dist lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: $(STAMP) $(BYTECODE) ## create .venv with pinned dependencies, and what the tests need beyond pip
	$(PYTHON) tools/system_deps.py chromium

$(LEARNER_STAMP): EXTRAS := book
$(STAMP): EXTRAS := dev
$(LEARNER_STAMP) $(STAMP): pyproject.toml constraints.txt
	PYTHON=$(PYTHON) sh tools/venv.sh $(VENV)
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]'
	touch $@ $(if $(filter dev,$(EXTRAS)),$(LEARNER_STAMP))

# pip byte-compiles what it installs, but not an editable install's sources, and where
# PYTHONDONTWRITEBYTECODE is set (as on many CI and container images) no process writes them:
# each run of the runner would compile it again (its import: 0.20 s, 0.11 s compiled), and
# each of the tests' child processes what it imports. Compiled once here, again when a source
# changes (`$?`: the files newer than the stamp); a file that does not compile is only not
# cached (`-`: its import says why). The kits' templates are copied by `new-port`, never imported.
$(BYTECODE): $(PY_FILES) | $(LEARNER_STAMP)
	@echo "byte-compiling the repository's Python, files changed: $(words $?)"
	@-$(BIN)/python -m compileall -q $?
	@touch $@

vectors: $(STAMP) $(BYTECODE) ## regenerate and certify vectors/ (byte-identical on any machine)
	$(BIN)/python -m generator --out vectors --schema schema

validate: $(LEARNER_STAMP) $(BYTECODE) ## check vectors/ against the schema, manifest hashes and counts
	$(BIN)/nnfs-conform validate

test: $(STAMP) $(BYTECODE) ## run the suite's own tests (pytest, 2 workers; installs Chromium as root)
	$(PYTHON) tools/system_deps.py chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

conform: $(LEARNER_STAMP) $(BYTECODE) ## check the bundled plain-Python port (PORT="cmd" for yours, ARGS="runner options")
	$(BIN)/nnfs-conform run $(ARGS) -- $(PORT)

book: $(LEARNER_STAMP) $(BYTECODE) ## grade a Python module written with the book's classes (FILE=my_nn.py)
	@test -n "$(FILE)" || { echo 'make book: say which module: make book FILE=my_nn.py'; exit 2; }
	$(BIN)/nnfs-conform book $(ARGS) $(FILE)

conform-all: $(STAMP) $(BYTECODE) ## build every bundled port and run the suite on each (port x stage)
	$(BIN)/python -m tools.conform_all

matrix: $(STAMP) $(BYTECODE) ## print the soundness/sharpness matrix (variant x stage)
	$(BIN)/python -m tools.variants

mistakes: $(STAMP) $(BYTECODE) ## print the mistakes matrix: every catalogued mistake killed and named
	$(BIN)/python -m tools.mistakes_matrix --ports

bench: $(STAMP) $(BYTECODE) ## time the runner: generation, transports, scale, conform-all (BENCH_QUICK=1: smoke run)
	$(BIN)/python benchmarks/bench.py

screenshot: $(STAMP) $(BYTECODE) ## regenerate docs/report.png: the HTML report of three real runs, in headless Chromium
	$(BIN)/python -m tools.report_screenshot

dist: $(STAMP) ## build the wheel, the sdist and the vector bundle into dist/
	rm -rf dist
	$(BIN)/python -m build --quiet --outdir dist .
	$(BIN)/python -m tools.bundle --out dist

lint: $(STAMP) ## ruff (lint, formatting: `ruff format` rewrites, this only checks) and mypy on the package
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)
	$(BIN)/mypy

clean: ## remove the virtual environment, caches and built packages
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info build dist out
	find $(PY_SOURCES) -name __pycache__ -prune -exec rm -rf {} +
