# Two entry points, both self-installing into a local virtual environment:
#   make verify   the verification report (python -m proofs_check)
#   make test     the whole test suite (also installs the `oracle` extra: the third-party
#                 optimizers that tests/oracle checks with reference.oracle)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Project machines keep the CPU build of torch on local disk.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
STAMP  := $(VENV)/.installed
STAMP_ORACLE := $(VENV)/.installed-oracle

.PHONY: verify test install bench clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(FIND_LINKS) -c constraints.txt -e '.[test,torch]'
	@touch $(STAMP)

$(STAMP_ORACLE): $(STAMP)
	$(PY) -m pip install --quiet $(FIND_LINKS) -c constraints.txt -e '.[test,torch,oracle]'
	@touch $(STAMP_ORACLE)

install: $(STAMP_ORACLE)

verify: $(STAMP)
	$(PY) -m proofs_check $(ARGS)

test: $(STAMP_ORACLE)
	$(PY) -m pytest $(ARGS)

bench: $(STAMP)
	$(PY) -m benchmarks.s3_step_cost
	$(PY) -m benchmarks.reference_speed
	$(PY) -m gpu.bench

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis
