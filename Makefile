# authmap: the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AUTHMAP := $(BIN)/authmap

.PHONY: demo test install system lint typecheck pytest clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system:
	scripts/bootstrap.sh java maven go samba

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

pytest: install system
	$(BIN)/pytest -q

test: system install lint typecheck pytest

demo: system install
	$(AUTHMAP) neo4j start
	$(AUTHMAP) db init
	$(BIN)/python -m demo.load
	@echo "Serving http://127.0.0.1:8000/ (Ctrl-C stops the service; 'authmap neo4j stop' the graph)."
	$(AUTHMAP) serve --host 127.0.0.1 --port 8000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
