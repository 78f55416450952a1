# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: demo test bench docs install install-test notebooks clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamp files so a second `make` does not reinstall.
$(VENV)/.installed: $(PY) pyproject.toml
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(PY) pyproject.toml
	$(PIP) install -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install
	$(PY) -m symsched demo

test: install-test
	$(VENV)/bin/ruff check symsched tests benchmarks docs
	$(PY) -m pytest -n 2 --nbmake --doctest-modules symsched tests notebooks

# The docs site (mkdocs-material + mkdocstrings + mkdocs-jupyter), built offline into build/site.
docs: install-test
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

bench: install-test
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
