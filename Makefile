# Crowdfunding Civico portal — the two commands a newcomer needs:
#   make run    set up, migrate, load the demo data, serve on http://127.0.0.1:5000
#   make test   install what the tests need and run the whole suite (SQLite, PostgreSQL, Chromium)
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# spid-sp-test (AgID's community checker of SPID/CIE service providers) in a venv of its own: its
# dependencies pin versions the portal's venv cannot hold.
SPID_VENV := .venv-spid
export PORTAL_ENV ?= development
# The demo's clock; `make run PORTAL_NOW=` runs on the real time.
export PORTAL_NOW ?= 2020-06-01T10:00:00+02:00

.PHONY: run run-2021 run-deps test test-sqlite test-postgres test-stripe spid-check system-deps node-deps translations translations-check assets lint clean bench bench-profile bench-lighthouse

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed-run
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(SPID_VENV)/.installed: requirements-spid-sp-test.txt
	$(PYTHON) -m venv $(SPID_VENV) && $(SPID_VENV)/bin/pip install --quiet -r requirements-spid-sp-test.txt
	touch $@

instance:
	mkdir -p instance

## make run: the portal on SQLite with the demo clock (1 June 2020, 10:00 Rome); PORTAL_NOW= for real time.
## Beside it, on a free port of 127.0.0.1, the demo payment provider (demo_provider/, development only).
run: run-deps $(VENV)/.installed-run | instance
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	BIN=$(BIN) scripts/run-demo.sh

## make run-2021: the demo on Monday 1 March 2021, 10:00 (Rome), after the 2020 campaigns (issue 19,
## README "Dopo la raccolta (2021)"), in its own SQLite file, instance/demo-2021.db, so that the
## June demo's instance/portal.db never holds what happened after its clock.
run-2021:
	PORTAL_NOW=2021-03-01T10:00:00+01:00 DATABASE_URL=sqlite:///$(CURDIR)/instance/demo-2021.db \
		$(MAKE) --no-print-directory run

## make test: everything the suite needs, then the suite on SQLite and on PostgreSQL.
## The two passes share nothing (own database, own Redis for the rate limits, uploads, ports),
## so they run side by side, one a core; each pass's output is printed whole when it ends
## (`--output-sync`). `make test-sqlite` or `make test-postgres` runs one of them alone.
test: system-deps node-deps $(VENV)/.installed-dev $(SPID_VENV)/.installed
	$(MAKE) --no-print-directory lint translations-check
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite: $(VENV)/.installed-dev
	@echo "== suite on SQLite =="
	PORTAL_ENV=testing TEST_DATABASE_URL= scripts/with-redis.sh $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev $(SPID_VENV)/.installed
	@echo "== suite on PostgreSQL =="
	PORTAL_ENV=testing scripts/with-redis.sh scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

## make spid-check SP_URL=https://…: spid-sp-test's metadata checks against a deployed portal's SP
## metadata (SP_URL: its address, e.g. https://crowdfunding.comune.example/spid/metadata.xml), with
## the production profile (SPID_PROFILE=spid-sp-public by default; cie-sp-public for /cie/metadata.xml).
## Run it before sending the metadata to AgID and after every change of keys; not part of `make test`.
SPID_PROFILE ?= spid-sp-public
spid-check: $(SPID_VENV)/.installed
	@if [ -z "$(SP_URL)" ]; then \
		echo "make spid-check needs SP_URL: the deployed SP metadata's address (…/spid/metadata.xml)." >&2; \
		exit 2; fi
	$(SPID_VENV)/bin/spid_sp_test --metadata-url "$(SP_URL)" --profile $(SPID_PROFILE) --extra

## make test-stripe: the Stripe contract test against Stripe's test mode instead of the local stand-in.
## Needs a test-mode key (STRIPE_SECRET_KEY=sk_test_…); not part of `make test`, which runs the same
## tests against tests/stripe_contract.py (Stripe's OpenAPI description, vendored) with no network.
test-stripe: $(VENV)/.installed-dev
	@if [ -z "$$STRIPE_SECRET_KEY" ]; then \
		echo "make test-stripe needs STRIPE_SECRET_KEY: a Stripe test-mode secret key (sk_test_...)." >&2; \
		echo "Without it, \`make test\` already runs the same tests against the local contract server." >&2; \
		exit 2; fi
	STRIPE_LIVE=1 PORTAL_ENV=testing $(BIN)/pytest -q tests/web/test_stripe_contract.py $(PYTEST_ARGS)

## make bench [SIZE=small|city|large] [REPEAT=3] [DURATION=10s]: the portal at city scale (issue 16), a
## benchmark, never part of `make test`. Seeds the synthetic city into a throwaway PostgreSQL, serves
## the portal (production settings, gunicorn, 2 sync workers) and a one-route "hello" app on
## 127.0.0.1, loads each page with wrk beside the hello yardstick, and prints the table with the goals
## (README, "Velocità a scala di città"); the figures also go to bench/results/. BENCH_KEEP=1 keeps the
## seeded database in bench/.data for the next run.
SIZE ?= small
REPEAT ?= 3
DURATION ?= 10s
bench: $(VENV)/.installed-dev
	scripts/bench-deps.sh
	PORTAL_NOW= SIZE=$(SIZE) scripts/with-redis.sh bench/postgres.sh \
		$(BIN)/python -m bench.run --size $(SIZE) --repeat $(REPEAT) --duration $(DURATION)

## make bench-profile PAGE=/it/progetti [SIZE=small] [REQUESTS=50]: one page's call tree (pyinstrument)
## on the seeded city, in-process; with BENCH_KEEP=1 the city seeded by an earlier run is reused.
PAGE ?= /it/progetti
REQUESTS ?= 50
bench-profile: $(VENV)/.installed-dev
	scripts/bench-deps.sh
	PORTAL_NOW= SIZE=$(SIZE) bench/postgres.sh \
		$(BIN)/python -m bench.profile --size $(SIZE) --page "$(PAGE)" --requests $(REQUESTS)

## make bench-lighthouse: Lighthouse (mobile, performance) on the public pages of the demo portal.
bench-lighthouse: $(VENV)/.installed-dev node-deps
	bench/lighthouse/run.sh

system-deps:
	scripts/system-deps.sh

## make run-deps: the Debian packages the portal needs to run (WeasyPrint's Pango for receipts).
run-deps:
	scripts/run-deps.sh

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

node-deps: node_modules/.package-lock.json

## Translations (Italian is the source language): extract, merge into en, compile.
translations: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d translations --statistics

translations-check: $(VENV)/.installed-dev
	$(BIN)/pytest -q tests/unit/test_translations.py

## Front-end assets (Bootstrap Italia subset, Titillium Web, htmx) are vendored; rebuild with:
assets: node-deps
	scripts/build_assets.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
