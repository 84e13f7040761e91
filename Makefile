# The workbench's commands. `make report` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      ?= .venv
PY        := $(VENV)/bin/python
PARAMS    ?= params/demo.yaml
CI_PARAMS ?= params/ci.yaml
STAMP     := $(VENV)/.installed-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Compiled PyMC/PyTensor code is cached per user; keep it out of the repository.
export PYTENSOR_FLAGS ?= base_compiledir=$(HOME)/.pytensor

.PHONY: help venv report test test-slow lab golden bench clean

help:
	@echo "make report   set up .venv if needed, run $(PARAMS), print where the report is"
	@echo "make test     set up .venv if needed, run the whole test suite (unit, notebooks, nbval golden)"
	@echo "make test-slow  the real-data fits of several minutes each that make test leaves out"
	@echo "make lab      JupyterLab on 127.0.0.1 with a token"
	@echo "make golden   re-execute the golden notebooks in tests/golden/ with $(CI_PARAMS)"
	@echo "make bench    run the scripts in benchmarks/"
	@echo "make clean    remove outputs/ runs and caches (keeps .venv)"

venv: $(STAMP)

# Installs the pinned stack; importing matplotlib builds its font cache here rather than in a notebook's stderr.
$(STAMP): pyproject.toml requirements.lock
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
	  base=$$(PYTHON="$(PYTHON)" scripts/find-python.sh) || exit 1; \
	  echo "creating $(VENV) with $$base ($$($$base --version))"; \
	  "$$base" -m venv "$(VENV)"; \
	fi; \
	echo "installing the pinned stack into $(VENV) (about a minute on a fresh machine)"; \
	"$(PY)" -m pip install --quiet --upgrade pip; \
	"$(PY)" -m pip install --quiet -c requirements.lock -e '.[test]'; \
	"$(PY)" -c "import matplotlib.pyplot"; \
	touch "$(STAMP)"

report: $(STAMP)
	$(VENV)/bin/workbench run $(PARAMS)

# Unit tests, every notebook through the runner with $(CI_PARAMS), and nbval over tests/golden/.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/golden/sanitize.cfg
test: $(STAMP)
	$(PY) -m pytest $(NBVAL) -m "not slow" --durations=30 $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

lab: $(STAMP)
	@token=$${JUPYTER_TOKEN:-$$($(PY) -c 'import secrets; print(secrets.token_hex(16))')}; \
	root=$$([ "$$(id -u)" = 0 ] && echo --allow-root); \
	echo "JupyterLab on http://127.0.0.1:$${PORT:-8888}/lab/tree/notebooks?token=$$token"; \
	WORKBENCH_PROGRESS_BAR=1 $(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$${PORT:-8888} --no-browser $$root \
	  --IdentityProvider.token="$$token" --ServerApp.root_dir="$(CURDIR)"

golden: $(STAMP)
	$(VENV)/bin/workbench golden $(CI_PARAMS)

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) "$$b" || exit 1; done

clean:
	rm -rf outputs/*/ .pytest_cache
