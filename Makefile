# 案例评审工作台 — make run | make test | make bench
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8501
export PYTHONHASHSEED := 0

.PHONY: run test lint seed bench clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

seed: $(VENV)/.runtime
	$(PY) -m pipelines seed

run: seed
	$(VENV)/bin/streamlit run app.py --server.address localhost --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest -q -ra

bench: $(VENV)/.dev
	$(PY) benchmarks/run_all.py

clean:
	rm -rf data/runtime test-output .pytest_cache
