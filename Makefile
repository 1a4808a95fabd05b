# govkg: `make run` sets up, ingests corpus/ and serves the app; `make test` runs the tests.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip
KG      := $(VENV)/bin/kg
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 7860

.PHONY: install assets run test test-quick lint format bench browser servers clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0   # pinned: the CPU build; a looser pin pulls GBs of CUDA
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Browser assets (SPARQL editor, graph picture) from npm, pinned by package-lock.json and
# served by `kg serve` from the same origin: nothing is fetched from a CDN at run time.
VENDOR := assistant/static/vendor
$(VENDOR)/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is needed for the app's browser assets (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css \
	   node_modules/cytoscape/dist/cytoscape.min.js $(VENDOR)/
	cp node_modules/@zazuko/yasgui/LICENSE $(VENDOR)/LICENSE.yasgui 2>/dev/null || true
	cp node_modules/cytoscape/LICENSE $(VENDOR)/LICENSE.cytoscape 2>/dev/null || true
	touch $@

assets: $(VENDOR)/.installed

run: install assets
	$(KG) ingest corpus
	$(KG) serve --host $(HOST) --port $(PORT)

# The browser test drives Debian's chromium through chromedriver; install them if missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	    apt-get update -q && apt-get install -y -q chromium chromium-driver; } || \
	  echo "warning: chromium/chromedriver not installed; the browser test will fail"

# The server tests and `make bench` start a Virtuoso 7 of Debian's (the -bin package: the
# server binary only, no system service); Oxigraph server and Chroma come from the venv.
servers:
	@command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null || \
	  { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	      virtuoso-opensource-7-bin; } || \
	  echo "warning: virtuoso-t not installed; the Virtuoso tests will fail"

test: install assets browser servers
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q

# A quick run: everything but the tests against real servers.
test-quick: install
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q -m "not server"

lint: install
	$(VENV)/bin/ruff check kg ingest assistant tests benchmarks
	$(VENV)/bin/ruff format --check kg ingest assistant tests benchmarks
	$(VENV)/bin/mypy kg ingest assistant

format: install
	$(VENV)/bin/ruff format kg ingest assistant tests benchmarks
	$(VENV)/bin/ruff check --fix kg ingest assistant tests benchmarks

bench: install servers
	$(PY) -m benchmarks --backends oxigraph-server,virtuoso --out benchmarks/out/results.md

clean:
	rm -rf .kg .pytest_cache .mypy_cache .ruff_cache .hypothesis node_modules $(VENDOR) tests/artifacts
