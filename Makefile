# Leerling in beeld — the two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
export FLASK_APP := wsgi

.PHONY: run test lint format install system-deps translations i18n-extract i18n-update \
        i18n-compile serve bench shots help-videos clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) i18n-compile

# run and serve hand HOST and PORT to the app too: in development its public address
# (PUBLIC_BASE_URL, unless set) follows them, so `PORT=8080 make run` announces port 8080.
run serve: export HOST := $(HOST)
run serve: export PORT := $(PORT)

## make run: set everything up (venv, install, migrations, demo data) and serve on SQLite,
## with the background job worker beside the web server (both stop with Ctrl+C).
run: install
	$(VENV)/bin/flask setup
	$(VENV)/bin/flask jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(VENV)/bin/flask run --host $(HOST) --port $(PORT)

## make serve: production-style serving with gunicorn and deploy/gunicorn.conf.py (settings
## from the environment, WORKERS processes). Run the job worker as a service of its own beside
## it: `flask --app wsgi jobs worker` (deploy/leerling-in-beeld-worker.service).
serve: install
	$(VENV)/bin/flask setup
	$(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

## make test: lint, then the whole suite on SQLite, then (with TEST_DATABASE_URL) on PostgreSQL.
test: install system-deps lint
	env -u TEST_DATABASE_URL LIB_POSTGRES_NEXT=$${TEST_DATABASE_URL:+1} $(PY) -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "=== The same suite on PostgreSQL ($$TEST_DATABASE_URL) ==="; \
	  $(PY) -m pytest -m "not browser" $(PYTEST_ARGS); \
	else \
	  echo "PostgreSQL skipped: TEST_DATABASE_URL is not set (CI sets it in .ci/run)."; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Debian packages the browser and QR tests need: Chromium and the zbar library; ffmpeg for the
## help videos (make help-videos and its test); and nginx for
## the `nginx -t` test of deploy/, but only where installing it starts no service (a container
## whose policy-rc.d forbids it): elsewhere Debian would start a web server on port 80.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ldconfig -p | grep -q libzbar.so || missing="$$missing libzbar0"; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	if ! PATH="$$PATH:/usr/sbin" command -v nginx >/dev/null; then \
	  if [ -x /usr/sbin/policy-rc.d ] && { /usr/sbin/policy-rc.d nginx start >/dev/null 2>&1; \
	       [ $$? = 101 ]; }; then \
	    missing="$$missing nginx"; \
	  else \
	    echo "nginx is not installed (installing it here would start it): the nginx -t test skips."; \
	  fi; \
	fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing (install them with apt-get; tests needing them will say so)"; \
	  fi; \
	fi

## Translations: extract the English msgids, update the catalogues, compile them.
translations: i18n-extract i18n-update i18n-compile

i18n-extract: $(STAMP)
	$(VENV)/bin/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext \
	  -o translations/messages.pot .

i18n-update: $(STAMP)
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot \
	  -d translations

i18n-compile: $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -d translations 2>&1 | grep -v "^compiling" || true

bench: install
	$(PY) -m bench $(BENCH)

## make shots: screenshots of every main page at 1280 and 390 px (SHOTS=folder to choose where).
shots: install system-deps
	$(PY) -m tests.browser.shots $(SHOTS)

## make help-videos: record a captioned help video of the demo per help part (Chromium, ffmpeg)
## into instance/help-videos (HELP_VIDEO_DIR); PARTS="dashboard nakijken" records only those.
help-videos: install system-deps
	$(PY) -m instructions.videos $(PARTS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
