# Two commands matter: `make demo` (run the app with demo data) and `make test` (run every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint bench clean

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

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var build *.egg-info src/*.egg-info
