# Every target sets itself up: a local .venv with the kit and the tested versions of its dependencies
# (constraints.txt, resolved from pyproject.toml by `make pins`).
PYTHON ?= python3
JOBS ?= 2
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lab explore practice sweeps bench claims notebooks pins clean

run: $(INSTALLED)  ## execute every notebook with default parameters into runs/<timestamp>/
	$(BIN)/mlsd run --all --jobs $(JOBS)

test: $(INSTALLED)  ## the whole test suite: unit, CLI, benchmarks at tiny scale, nbval on every notebook
	$(BIN)/python -m pytest

lab: $(INSTALLED)  ## JupyterLab on 127.0.0.1 (open the URL with the token that it prints)
	env $$($(BIN)/python -m mlsd.threads) $(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(CURDIR) \
		$(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True) notebooks/00_start_here.ipynb

explore: $(INSTALLED)  ## every explorer as a standalone web app (Voilà) on 127.0.0.1; open the URL it prints
	$(BIN)/mlsd explore

practice: $(INSTALLED)  ## the interview practice app (Voilà) on 127.0.0.1: a prompt, timers, the design form, its review
	$(BIN)/mlsd practice

sweeps: $(INSTALLED)  ## run the shipped parameter sweeps (resumable) and write their reports
	$(BIN)/mlsd sweep notebooks/03_ad_click/2_metrics.ipynb --grid sweeps/ad_click_downsampling.yaml --jobs $(JOBS)
	$(BIN)/mlsd report runs/sweeps/ad_click_downsampling --x negative_rate --hue base_ctr \
		--y downsampled_raw_calibration_ratio --y downsampled_corrected_calibration_ratio --y lr_ne
	$(BIN)/mlsd sweep notebooks/01_video_recs/4_tradeoffs.ipynb --grid sweeps/video_exploration.yaml --jobs $(JOBS)
	$(BIN)/mlsd report runs/sweeps/video_exploration --x epsilon --hue rounds \
		--y explore_coverage --y popular_coverage --y popular_log_top_decile_last

claims: $(INSTALLED)  ## every notebook over seeds 1-5 at its defaults: which claims hold, into notebooks/CLAIMS.md
	$(BIN)/mlsd claims --all --seeds 1 2 3 4 5 --jobs $(JOBS)

bench: $(INSTALLED)  ## benchmarks against reference implementations, ratios printed
	$(BIN)/python benchmarks/run.py

# The committed outputs are made with 2 BLAS/OpenMP threads per kernel and the tests re-execute them
# with 1, so every test run also checks that no result depends on the thread count.
notebooks: $(INSTALLED)  ## re-execute the committed notebooks in place after changing the package
	MLSD_THREADS=2 OMP_WAIT_POLICY=passive $(BIN)/mlsd refresh --all --jobs $(JOBS)

pins:  ## resolve the newest versions pyproject.toml allows into constraints.txt (then: make clean notebooks test)
	rm -rf .pins-venv && $(PYTHON) -m venv .pins-venv
	.pins-venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	{ sed -n '/^#/p' constraints.txt; .pins-venv/bin/python -m pip freeze --exclude-editable; } > constraints.txt.partial
	mv constraints.txt.partial constraints.txt && rm -rf .pins-venv

clean:
	rm -rf $(VENV) runs .pytest_cache .pins-venv

$(INSTALLED): pyproject.toml constraints.txt tests/references.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "mlsd needs Python >= 3.11 as '$(PYTHON)'; run e.g. 'make PYTHON=python3.12 $(MAKECMDGOALS)'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r tests/references.txt
	touch $(INSTALLED)
