# The README's commands. Everything runs from .venv, which `make` creates.

# Any Python from 3.11 to 3.13 (pyproject.toml's requires-python). Without
# PYTHON=..., the newest of these that runs is taken; a pyenv shim of a
# version pyenv has not selected fails to run and is passed over.
PYTHON_CANDIDATES := python3.13 python3.12 python3.11 python3
PYTHON_IN_RANGE := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))
in_range = $(if $(1),$(shell $(1) -c '$(PYTHON_IN_RANGE)' >/dev/null 2>&1 && echo $(1)))
ifndef PYTHON
PYTHON := $(firstword $(foreach c,$(PYTHON_CANDIDATES),$(call in_range,$(c))))
endif
INSTALL_PYTHON := install Python 3.13 (apt install python3.13, pyenv install 3.13 or python.org) or pass PYTHON=/path/to/python3.x
# Expanded only by a recipe that needs an interpreter: stops make with one line.
require_python = $(if $(call in_range,$(PYTHON)),,$(error $(if $(PYTHON),$(PYTHON) is not Python 3.11 to 3.13,No Python 3.11 to 3.13 found (tried $(PYTHON_CANDIDATES))); $(INSTALL_PYTHON)))

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test e2e smoke lint format bench clean

$(STAMP): pyproject.toml
	$(if $(wildcard $(BIN)/python),,$(require_python))test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
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

# Two pytest-xdist workers, each with its own test database: a serial run
# leaves the second core idle while it waits on subprocesses, PostgreSQL and
# the browser. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Browser tests only (Debian's chromium at /usr/bin/chromium); `make test` runs them too.
e2e: install
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

# A smoke run on another Python, e.g. `make smoke PYTHON=python3.13` (CI runs it
# on the newest): a venv of its own (.venv-3.13) with the pinned set, the system
# checks, complete migrations, migrate on a fresh SQLite file, then the profile,
# consent and settings tests on SMOKE_DATABASE_URL (SQLite unless set; CI gives
# a PostgreSQL database of its own).
SMOKE_TESTS := tests/profiles tests/consent tests/test_settings.py
smoke:
	$(require_python)@set -e; \
	version=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	venv=.venv-$$version; \
	if [ ! -f $$venv/.installed-stamp ] || [ pyproject.toml -nt $$venv/.installed-stamp ]; then \
		echo "== $$venv: the pinned set on $$($(PYTHON) --version)"; \
		$(PYTHON) -m venv --clear $$venv; \
		$$venv/bin/python -m pip install --quiet --upgrade pip; \
		$$venv/bin/python -m pip install --quiet -e ".[dev]"; \
		touch $$venv/.installed-stamp; \
	fi; \
	mkdir -p var; db=$(CURDIR)/var/smoke-$$version.sqlite3; rm -f $$db; \
	echo "== $$($$venv/bin/python --version): check, makemigrations --check, migrate on $$db"; \
	export DJANGO_DEBUG=1 DATABASE_URL=sqlite:///$$db; \
	$$venv/bin/python manage.py check; \
	$$venv/bin/python manage.py makemigrations --check --dry-run; \
	$$venv/bin/python manage.py migrate --noinput -v 0; \
	unset DJANGO_DEBUG; \
	export DATABASE_URL="$${SMOKE_DATABASE_URL:-sqlite:///$$db}"; \
	echo "== pytest $(SMOKE_TESTS) on $${DATABASE_URL##*/}"; \
	$$venv/bin/python -m pytest -q -p no:cacheprovider $(SMOKE_TESTS) $(PYTEST_ARGS)

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
	rm -rf $(VENV) $(VENV)-3.* var .pytest_cache .ruff_cache
