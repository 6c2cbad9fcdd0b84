# make run   the chat page and a local Directus with demo users (Ctrl-C stops both)
# make test  installs the test dependencies, then runs the whole suite
# make lint  ruff
# make bench the performance benchmark (~30 min; BENCH_ARGS="--reps 1" for a quick look)
# make clean removes what run/test installed (keeps data/, the local database)

PYTHON ?= python3
VENV := .venv
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run test lint bench clean

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
	@echo "== pytest"
	@$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed
	@$(VENV)/bin/python -m tools.chromium --install >/dev/null
	@$(VENV)/bin/python -m tools.vendor
	@$(VENV)/bin/python -m server.local
	@$(VENV)/bin/python -m bench.run $(BENCH_ARGS)

lint: $(VENV)/.installed
	@$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .tools node_modules server/node_modules static/vendor \
		.pytest_cache .ruff_cache test-results build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
