# Bakohumas — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BAKOHUMAS := $(BIN)/bakohumas

.PHONY: run test test-browser lint typecheck bench install messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the SQLite database, load work units and demo data, serve.
run: $(STAMP)
	mkdir -p var
	$(BAKOHUMAS) migrate --no-input
	$(BAKOHUMAS) seed_demo
	$(BAKOHUMAS) run_dev

## make test: the whole suite (unit, integration; browser tests too where chromium exists).
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser" tests
	@if [ -x /usr/bin/chromium ]; then $(BIN)/python -m pytest -q -m browser tests/browser; \
	else echo "chromium not found: browser tests run in CI (.ci/run installs it)"; fi

test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -m browser tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy src

bench: $(STAMP)
	$(BIN)/python bench/run.py

messages: $(STAMP)
	cd src/bakohumas && ../../$(BAKOHUMAS) makemessages -l id --no-obsolete --ignore '*/migrations/*' && ../../$(BAKOHUMAS) compilemessages -l id

clean:
	rm -rf $(VENV) var
