# Self-installing entry points, each into the local virtual environment $(VENV), in stages:
#   make verify      the verification report (python -m proofs_check); installs the package with
#                    only what the report needs: numpy, scipy, sympy, matplotlib (no torch)
#   make test        the whole test suite; adds the test tools, torch (CPU build) and the `oracle`
#                    extra (the third-party optimizers that tests/oracle checks), pinned by constraints.txt
#   make notebooks   opens notebooks/ in Jupyter; adds the `notebooks` extra
# Each stage leaves a stamp in $(VENV); a later stage only adds packages to the same environment.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Project machines keep the CPU build of torch on local disk.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
PIP    := $(PY) -m pip install --quiet $(FIND_LINKS) -c constraints.txt
STAMP_BASE := $(VENV)/.installed-base
STAMP_TEST := $(VENV)/.installed-test
STAMP_NB   := $(VENV)/.installed-notebooks

.PHONY: verify test notebooks install bench clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_BASE): $(PY) pyproject.toml constraints.txt
	$(PIP) -e .
	@touch $@

$(STAMP_TEST): $(STAMP_BASE)
	$(PIP) -e '.[test,torch,oracle]'
	@touch $@

$(STAMP_NB): $(STAMP_BASE)
	$(PIP) -e '.[notebooks]'
	@touch $@

install: $(STAMP_TEST)

verify: $(STAMP_BASE)
	$(PY) -m proofs_check $(ARGS)

test: $(STAMP_TEST)
	$(PY) -m pytest $(ARGS)

# Jupyter refuses to run as root unless told (containers)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

notebooks: $(STAMP_NB)
	$(VENV)/bin/jupyter notebook $(ALLOW_ROOT) $(ARGS) notebooks

bench: $(STAMP_TEST)
	$(PY) -m benchmarks.s3_step_cost
	$(PY) -m benchmarks.reference_speed
	$(PY) -m gpu.bench

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis
