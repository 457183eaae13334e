# Two commands matter: `make demo` (run the app with demo data) and `make test` (run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint bench clean lock install-locked messages compilemessages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Demo secrets are generated once per checkout and never committed.
var/demo.env:
	mkdir -p var
	$(PYTHON) -c 'import base64, secrets; k = lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="); print(f"SECRET_KEY={secrets.token_urlsafe(50)}\nSIGHTLINE_FIELD_KEYS={k()}\nSIGHTLINE_SEARCH_KEY={k()}")' > var/demo.env
	chmod 600 var/demo.env

DEMO_ENV := set -a && . ./var/demo.env && set +a && DEBUG=1

## Start Sightline on http://$(HOST):$(PORT) with demo data on the embedded SQLite database.
demo: $(STAMP) var/demo.env
	$(DEMO_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEMO_ENV) $(BIN)/python manage.py demo_load
	$(DEMO_ENV) $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

## Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Regenerate the hashed lock files (requirements/lock.txt, lock-dev.txt) from pyproject.toml.
lock: $(STAMP)
	$(BIN)/python requirements/make_lock.py

## Install exactly the locked, hash-checked dependencies (deployments), then the project itself.
install-locked: | $(BIN)/python
	$(BIN)/python -m pip install --require-hashes --no-deps -r requirements/lock.txt
	$(BIN)/python -m pip install --no-deps --no-build-isolation .

bench: $(STAMP)
	$(BIN)/python -m benchmarks

## Translations (docs/i18n.md): refresh the catalogues from the code, then compile them. Both need GNU
## gettext (apt-get install gettext) at development time only: the compiled .mo files are committed.
I18N := cd src/sightline && DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=$(CURDIR) $(CURDIR)/$(BIN)/django-admin
messages: $(STAMP)
	$(I18N) makemessages --locale es --no-obsolete --add-location file

compilemessages: $(STAMP)
	$(I18N) compilemessages

clean:
	rm -rf $(VENV) var build *.egg-info src/*.egg-info
