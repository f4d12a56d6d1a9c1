# The README's commands. Everything runs from .venv, which `make` creates.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test e2e lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Zero-setup local run: SQLite under var/, an on-disk broker, mail to the console.
run: install
	mkdir -p var
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=1 $(BIN)/python -m core.dev

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Browser tests only (Debian's chromium at /usr/bin/chromium); `make test` runs them too.
e2e: install
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark runs even when one misses its target; the exit status says
# whether any did.
bench: install
	@failed=0; found=0; for script in bench/*.py; do \
		[ -e "$$script" ] || continue; found=1; \
		echo "== $$script"; $(BIN)/python "$$script" $(BENCH_ARGS) || failed=1; \
	done; [ $$found = 1 ] || echo "no benchmarks yet"; exit $$failed

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
