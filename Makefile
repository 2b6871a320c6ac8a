# authmap: the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AUTHMAP := $(BIN)/authmap

.PHONY: demo test install system frontend kube lint typecheck pytest clean

# The viewer (frontend/): npm ci only when the lock changed, esbuild only when a source did.
NPM_CACHE ?= $(HOME)/.cache/authmap/npm
FRONTEND_MODULES := frontend/node_modules/.package-lock.json
FRONTEND_DIST := frontend/dist/index.html

$(FRONTEND_MODULES): frontend/package-lock.json frontend/package.json
	npm ci --prefix frontend --cache $(NPM_CACHE) --no-audit --no-fund --loglevel=error
	touch $(FRONTEND_MODULES)

$(FRONTEND_DIST): $(FRONTEND_MODULES) frontend/build.mjs $(wildcard frontend/src/*)
	npm run build --prefix frontend --silent

frontend: $(FRONTEND_DIST)

# The editable install serves the viewer from frontend/dist in the checkout: build it first
# (a wheel, `pip install .`, builds it itself through hatch_build.py).
$(STAMP): pyproject.toml | $(FRONTEND_DIST)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system:
	scripts/bootstrap.sh java maven go samba node

# kube-apiserver + etcd + CRDs for the Kubernetes target tests, cached in ~/.cache/authmap/kube/
# (cold: ~12 min on 2 cores; afterwards a no-op). tests/support/kube.py would build it too.
kube: system install
	PYTHON=$(BIN)/python tools/kube/build.sh >/dev/null

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

pytest: install system frontend kube
	scripts/bootstrap.sh chromium
	$(BIN)/pytest -q --durations=30

test: system frontend install lint typecheck pytest

# Busy ports are fine: Neo4j takes its remembered port, else 7687, else a free one; serve takes
# 8000, else the next free port. Both print the port they really use.
demo: system frontend install
	$(AUTHMAP) neo4j start
	$(AUTHMAP) db init
	$(BIN)/python -m demo.load
	@echo "Ctrl-C stops the service; '$(AUTHMAP) neo4j stop' the graph."
	$(AUTHMAP) serve --host 127.0.0.1 --port 8000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache frontend/dist frontend/node_modules
