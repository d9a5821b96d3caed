# AI+ 供需对接平台 — the two commands: `make run` and `make test`.
# Both work on a fresh machine with only Python 3.11+: they create .venv and install
# the pinned requirements first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and calendar files point where the site is served: `make run PORT=8123`
# links to :8123 (config/settings.py reads SITE_URL; a deployment sets its own).
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: help install requirements run serve migrate seed test test-fast lint architecture format messages worker beat bench clean

help:
	@echo "make run     set up and serve the site with demo data on http://$(HOST):$(PORT)"
	@echo "make test    set up and run the whole test suite (and ruff)"
	@echo "make test-fast  ruff, architecture + the suite in parallel without browser, reliability and slow tests"
	@echo "make worker  run a Celery worker (needs REDIS_URL)"
	@echo "make beat    run Celery beat with the database scheduler (needs REDIS_URL)"
	@echo "make lint    ruff check + format check"
	@echo "make architecture  the import contracts (.importlinter) and the house rules"
	@echo "make bench   run the matching and scheduling benchmarks"
	@echo "make requirements  recompile requirements*.txt from requirements*.in (pip-tools)"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

# The chosen packages are in requirements.in (runtime) and requirements-dev.in (tools),
# one line each on why; pip-tools pins them and everything they pull in. Existing pins
# are kept; to upgrade one package add `--upgrade-package NAME` to the pip-compile line.
PIP_COMPILE := $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links
requirements: install
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo --site $(SITE_URL)

# Local serving over plain HTTP on the embedded default (SQLite, eager Celery).
run: export DJANGO_DEBUG ?= 1
run: seed
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# What docs/ARCHITECTURE.md promises, checked: the import contracts between the apps
# and inside them (.importlinter), modules under 600 lines, no block of 8 lines twice.
architecture: install
	$(BIN)/lint-imports --no-cache
	$(BIN)/python tools/house_rules.py

test: install lint architecture
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fast loop while developing: ruff and the architecture checks, then the suite in parallel (pytest-xdist, one
# process per core) without the browser, reliability and slow tests, which `make test`
# and CI still run. Prints how long it took.
TEST_WORKERS ?= auto
FAST_MARKERS := not browser and not reliability and not slow
test-fast: install
	@start=$$(date +%s); \
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && \
	$(BIN)/lint-imports --no-cache && $(BIN)/python tools/house_rules.py && \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "$(FAST_MARKERS)" $(PYTEST_ARGS); \
	status=$$?; \
	echo "make test-fast: $$(( $$(date +%s) - start )) s (ruff + pytest -n $(TEST_WORKERS), exit $$status)"; \
	exit $$status

# Re-extract translatable strings after changing them; commit the .po and .mo files.
messages: install
	$(BIN)/python manage.py makemessages --locale zh_Hans --locale en --no-obsolete --ignore ".venv/*" --ignore "staticfiles/*" --ignore "tests/*" --ignore "loadtest/*" --ignore "var/*"
	$(BIN)/python manage.py makemessages --domain djangojs --locale zh_Hans --locale en --no-obsolete --ignore ".venv/*" --ignore "staticfiles/*" --ignore "tests/*" --ignore "loadtest/*" --ignore "var/*"
	$(BIN)/python manage.py compilemessages --ignore ".venv/*"

worker: install
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run a worker" && exit 2)
	SITE_URL=$(SITE_URL) $(BIN)/celery -A config.celery_app worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

beat: install
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL to run beat" && exit 2)
	SITE_URL=$(SITE_URL) $(BIN)/celery -A config.celery_app beat --loglevel=INFO

# The benchmark commands live in bench/ (figures in docs/BENCHMARKS.md); none is a timed test.
bench: migrate
	$(BIN)/python manage.py bench_matching
	$(BIN)/python manage.py bench_engine_peer
	$(BIN)/python manage.py bench_scheduling

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
