# make run   the chat page and a local Directus with demo users (Ctrl-C stops both)
# make test  installs the test dependencies, then runs the whole suite
# make lint  ruff
# make bench the performance benchmark (~30 min; BENCH_ARGS="--reps 1" for a quick look)
# make load  the load test (LOAD_ARGS, see python -m stress.load --help; docs/RELIABILITY.md)
# make chaos the long chaos scenarios (~12 min; docs/RELIABILITY.md)
# make clean removes what run/test installed (keeps data/, the local database)

PYTHON ?= python3
VENV := .venv
PYTEST_ARGS ?=
BENCH_ARGS ?=
LOAD_ARGS ?=

.PHONY: run test lint bench load chaos clean

run:
	@$(PYTHON) -m tools.run

$(VENV)/.installed: pyproject.toml
	@echo "== Python test dependencies into $(VENV)/ (pip install .[test])"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -qq --disable-pip-version-check '.[test]'
	@touch $@

test: $(VENV)/.installed
	@echo "== Chromium for the browser tests"
	@$(VENV)/bin/python -m tools.chromium --install
	@echo "== Page runtime (PyScript, Pyodide) into static/vendor/"
	@$(VENV)/bin/python -m tools.vendor
	@echo "== Node 22 and Directus (first time: ~4 min)"
	@$(VENV)/bin/python -m server.local
	@echo "== PostgreSQL and Redis for the several-instances tests"
	@$(VENV)/bin/python -m server.cluster --install
	@echo "== pytest"
	@$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed
	@$(VENV)/bin/python -m tools.chromium --install >/dev/null
	@$(VENV)/bin/python -m tools.vendor
	@$(VENV)/bin/python -m server.local
	@$(VENV)/bin/python -m bench.run $(BENCH_ARGS)

load: $(VENV)/.installed
	@$(VENV)/bin/python -m server.local
	@$(VENV)/bin/python -m stress.load $(LOAD_ARGS)

chaos: $(VENV)/.installed
	@$(VENV)/bin/python -m server.local
	@for scenario in storm cut expiry ratelimit; do \
		$(VENV)/bin/python -m stress.chaos $$scenario || exit 1; done

lint: $(VENV)/.installed
	@$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .tools node_modules server/node_modules static/vendor \
		.pytest_cache .ruff_cache test-results build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
