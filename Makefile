# KeepCert: `make run` (demo site on SQLite) and `make test` (the whole suite) set up
# everything they need on a fresh machine. See the README.

PYTHON ?= $(shell ./scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: install setup run test test-postgres security security-extras lint typecheck migrations-check bench ci messages translations-check

$(VENV)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

# Compiled catalogs (.mo) are built here, never committed.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

locale/%.mo: locale/%.po
	./scripts/ensure-gettext
	msgfmt --check -o $@ $<

install: $(VENV)/.installed $(CATALOGS)

# Updates locale/es from the marked strings (then translate the new, empty entries).
messages: install
	$(MANAGE) makemessages -l es --ignore=.venv --ignore=bench --ignore=var --ignore='*/tests/*' --add-location=file --no-obsolete

translations-check: install
	./scripts/check-translations

setup: install
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) load_program programs/amt-ccp.toml

run: export DEBUG ?= 1
run: export KEEPCERT_STAFF_REQUIRE_MFA ?= 0
run: setup
	$(MANAGE) load_demo
	@echo "\nKeepCert is starting at http://127.0.0.1:8000 (Ctrl+C stops it)\n"
	$(MANAGE) runserver 127.0.0.1:8000

test: install
	./scripts/ensure-chromium
	./scripts/ensure-nginx
	$(BIN)/python -m pytest -n auto -q $(PYTEST_ARGS)

test-postgres: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
test-postgres: test

# Issue 5's attack tests (marked `security`, schemathesis included), the OpenAPI fuzzing,
# Django's deploy checks under production settings and the lock file's freshness.
security: install
	./scripts/ensure-chromium
	$(BIN)/python -m pytest -n auto -q -m security $(PYTEST_ARGS)
	$(MAKE) --no-print-directory security-extras

# What `make security` runs besides the attack tests (CI runs the attack tests in its suite).
security-extras: install
	$(BIN)/python -m pytest -n auto -q keepcert/api/tests/test_fuzz.py
	./scripts/check-deploy
	$(BIN)/python scripts/check-lock-fresh requirements.lock

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy keepcert

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

bench: install
	./scripts/ensure-wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/load.py

ci: lint typecheck migrations-check translations-check test
