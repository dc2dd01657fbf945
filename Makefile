# Every target sets itself up: a local .venv with the kit and its dependencies from pyproject.toml.
PYTHON ?= python3
JOBS ?= 2
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lab bench notebooks clean

run: $(INSTALLED)  ## execute every notebook with default parameters into runs/<timestamp>/
	$(BIN)/mlsd run --all --jobs $(JOBS)

test: $(INSTALLED)  ## the whole test suite: unit, CLI, benchmarks at tiny scale, nbval on every notebook
	$(BIN)/python -m pytest

lab: $(INSTALLED)  ## JupyterLab on 127.0.0.1 (open the URL with the token that it prints)
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(CURDIR) \
		$(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True) notebooks/00_start_here.ipynb

bench: $(INSTALLED)  ## benchmarks against reference implementations, ratios printed
	$(BIN)/python benchmarks/run.py

notebooks: $(INSTALLED)  ## re-execute the committed notebooks in place after changing the package
	$(BIN)/mlsd refresh --all --jobs $(JOBS)

clean:
	rm -rf $(VENV) runs .pytest_cache

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "mlsd needs Python >= 3.11 as '$(PYTHON)'; run e.g. 'make PYTHON=python3.12 $(MAKECMDGOALS)'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(INSTALLED)
