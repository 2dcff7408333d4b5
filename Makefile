# The single entry point (see README). `make run` and `make test` do all the set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# The local demo runs as production does (DEBUG off: hashed static files served by WhiteNoise
# from var/static, the product's own error pages), except: a secret generated into
# var/secret_key on the first run (mode 0600, reused after), the local host as ALLOWED_HOSTS,
# plain-HTTP cookies, and e-mail printed to the console (the worker's go to var/worker.log).
# benchmarks/_serving.py (the benchmarks' and tests' server) reads RUN_ENV from `make -n run`.
SECRET_KEY_FILE ?= $(CURDIR)/var/secret_key
# The addresses the server answers to (e.g. RUN_HOSTS=192.168.1.10 with HOST=0.0.0.0:8000).
RUN_HOSTS ?= $(firstword $(subst :, ,$(HOST))),localhost
RUN_ENV := SECRET_KEY_FILE=$(SECRET_KEY_FILE) ALLOWED_HOSTS=$(RUN_HOSTS) \
  SECURE_COOKIES=false EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

.PHONY: run test setup install lint format check bench vendor lock messages clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Made once; never printed, never in the environment of `make`'s own output.
$(SECRET_KEY_FILE):
	@mkdir -p $(dir $@)
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.tmp && mv $@.tmp $@
	@echo "A new secret key was written to $@"

# Migrations, catalogues, regions, reference data, collectstatic and the demo network.
setup: $(STAMP) $(SECRET_KEY_FILE)
	$(RUN_ENV) $(BIN)/jejaring setup --demo

# The production server, gunicorn (`jejaring serve`, jejaring/gunicorn_conf.py: workers from
# the cores, WEB_CONCURRENCY to override), with the background worker (django-tasks,
# database backend) beside it; the worker stops with it. `jejaring worker` is `db_worker` after recovering the imports a killed
# worker left behind (docs/imports.md).
run: setup
	@mkdir -p var
	@echo "Serving Jejaring on http://$(HOST)/ — stop with Ctrl+C"
	$(RUN_ENV) $(BIN)/jejaring worker --no-startup-delay > var/worker.log 2>&1 & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(RUN_ENV) $(BIN)/jejaring serve --bind $(HOST)

# The suite on every CPU (pytest-xdist; PYTEST_WORKERS=0 runs it in one process). The test
# databases and their demo are reused while the demo's sources are unchanged, and tests
# marked slow are left out unless CI=true or --run-slow (tests/conftest.py, tests/demo_db.py).
PYTEST_WORKERS ?= auto
test: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(STAMP) $(SECRET_KEY_FILE)
	$(RUN_ENV) $(BIN)/jejaring check
	$(RUN_ENV) $(BIN)/jejaring makemigrations --check --dry-run

# The benchmarks (docs/performance.md); synth.py, synth_field.py, febrl.py, splink_run.py
# and _common.py are their helpers, not benchmarks of their own.
BENCHMARKS := person_search spm_dashboard import_pipeline linkage
bench: $(STAMP)
	for b in $(BENCHMARKS); do $(BIN)/python benchmarks/$$b.py || exit 1; done

# Front-end assets are committed under jejaring/core/static/vendor; this refreshes them
# from the npm lockfile (needs node and npm, which a plain run does not).
vendor:
	npm ci --ignore-scripts
	cp node_modules/htmx.org/dist/htmx.min.js jejaring/core/static/vendor/htmx/htmx.min.js
	cp node_modules/htmx.org/LICENSE jejaring/core/static/vendor/htmx/LICENSE
	cp node_modules/chart.js/dist/chart.umd.min.js jejaring/core/static/vendor/chartjs/chart.umd.min.js
	cp node_modules/chart.js/LICENSE.md jejaring/core/static/vendor/chartjs/LICENSE.md
	cp node_modules/cytoscape/dist/cytoscape.min.js jejaring/core/static/vendor/cytoscape/cytoscape.min.js
	cp node_modules/cytoscape/LICENSE jejaring/core/static/vendor/cytoscape/LICENSE

# Re-pin exact versions after changing pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

# Extract new UI strings into the .po catalogues (needs GNU gettext).
messages: $(STAMP)
	cd jejaring && ../$(BIN)/jejaring makemessages -l id -l en --no-location --ignore "static/vendor/*"

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var
