# The two commands of the README, and what they need.
#   make demo   the demo production on the embedded SQLite store, dashboard on http://127.0.0.1:8050
#   make test   every check and test (SQLite and PostgreSQL, bots, scheduler, dashboard in Chromium)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test system-deps postgres lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e ".[test]"
	npm ci --prefix tests/dashboard --silent --no-audit --no-fund  # axe-core, injected by the browser tests

demo: install
	$(BIN)/greenslate demo

# Debian packages the tests drive for real: Chromium (dashboard), espeak-ng and Opus tools (voice
# notes), libfaketime (clock tests). Installed only when missing.
system-deps:
	@missing=""; \
	for c in chromium espeak-ng opusenc ffmpeg faketime npm; do command -v $$c >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q \
	    chromium chromium-driver espeak-ng opus-tools ffmpeg faketime nodejs npm; \
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
