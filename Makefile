# The two commands of the README, and what they need.
#   make demo   the demo production on the embedded SQLite store, dashboard on http://127.0.0.1:8050
#   make test   every check and test (SQLite and PostgreSQL, bots, scheduler, dashboard in Chromium)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The locks: every package at the version (and hash) the suite ran with, pip and setuptools too.
# `make lock` refreshes them from pyproject.toml and requirements/build.in, keeping the versions
# already pinned that still fit; `make lock UPGRADE=1` moves every package to its newest release.
APP_LOCK  := requirements/app.lock
TEST_LOCK := requirements/test.lock
LOCK_OPTIONS := --quiet --strip-extras --allow-unsafe --generate-hashes --no-emit-index-url --no-emit-find-links \
                $(if $(UPGRADE),--upgrade)

.PHONY: demo test install install-test system-deps postgres lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The locked packages first (hash-checked), then greenslate itself, built by the locked setuptools.
install: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(APP_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .

install-test: $(BIN)/python system-deps
	$(BIN)/pip install --quiet --require-hashes -r $(TEST_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	npm ci --prefix tests/dashboard --silent --no-audit --no-fund  # axe-core, injected by the browser tests

lock: $(BIN)/python
	$(BIN)/pip install --quiet "pip-tools>=7.4"
	$(BIN)/pip-compile $(LOCK_OPTIONS) --output-file $(APP_LOCK) pyproject.toml requirements/build.in
	$(BIN)/pip-compile $(LOCK_OPTIONS) --extra test --output-file $(TEST_LOCK) pyproject.toml requirements/build.in

demo: install
	$(BIN)/greenslate demo

# Debian packages the tests drive for real: Chromium (dashboard), espeak-ng and Opus tools (voice
# notes), libfaketime (clock tests), npm (axe-core). Only the packages whose command is missing are
# installed, so a Node.js from elsewhere (which conflicts with Debian's npm) is left alone.
system-deps:
	@pkgs=""; \
	for pair in chromium:chromium chromedriver:chromium-driver espeak-ng:espeak-ng opusenc:opus-tools \
	            ffmpeg:ffmpeg faketime:faketime npm:npm; do \
	  command -v $${pair%%:*} >/dev/null || pkgs="$$pkgs $${pair#*:}"; \
	done; \
	if [ -n "$$pkgs" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  echo "installing Debian packages:$$pkgs"; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$pkgs; \
	fi

# The storage tests run on PostgreSQL too: start the local cluster if it is down.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; \
	  echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: install-test postgres lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) tests/dashboard/node_modules test-artifacts
