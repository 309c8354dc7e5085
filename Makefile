# tsrnn: `make test` and `make demo` work on a fresh clone (they create .venv themselves).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
TORCH_VERSION ?= 2.13.0

.PHONY: test demo lint bench bench-peers clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; run 'make PYTHON=python3 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned, so pip never pulls a multi-GB CUDA build on CPU machines
	$(PY) -m pip install --quiet torch==$(TORCH_VERSION)
	# torch named again so that resolving the extras (sktime, onnx) can never swap it for
	# another build
	$(PY) -m pip install --quiet -e ".[dev,parquet,sktime,onnx]" torch==$(TORCH_VERSION)
	touch $@

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# The suite runs in two worker processes (pytest-xdist), one torch thread each.
TEST_WORKERS ?= 2
test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	OMP_NUM_THREADS=1 $(PY) -m pytest -n $(TEST_WORKERS) --durations=20

# The main job on bundled real data: monthly median house prices of 20 Texas cities
# (ggplot2's txhousing), a year ahead, one global LSTM with every setting at its "auto" default.
DEMO := demo-out
demo: $(VENV)/.installed
	@mkdir -p $(DEMO)
	$(VENV)/bin/tsrnn datasets export house_prices $(DEMO)/house_prices.csv
	$(VENV)/bin/tsrnn fit $(DEMO)/house_prices.csv --id-col city --target median -o $(DEMO)/model
	$(VENV)/bin/tsrnn forecast $(DEMO)/model -o $(DEMO)/forecast.csv --plot $(DEMO)/forecast.png
	@echo ""
	@echo "Forecasts: $(DEMO)/forecast.csv"
	@echo "Plot:      $(DEMO)/forecast.png"
	@echo "Model:     $(DEMO)/model/ (try: $(VENV)/bin/tsrnn info $(DEMO)/model)"

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_train.py

# Side by side with Darts and NeuralForecast on M4 Hourly (benchmarks/peers.py) in a separate
# venv, so that `make test` never needs the peers. Pass options with PEERS_ARGS="--steps 50 ...".
PEERS_VENV := .venv-peers
PEERS_PY := $(PEERS_VENV)/bin/python
PEERS_ARGS ?=

$(PEERS_VENV)/.installed: pyproject.toml benchmarks/requirements-peers.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; run 'make PYTHON=python3 ...'"; exit 1; }
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_PY) -m pip install --quiet --upgrade pip
	$(PEERS_PY) -m pip install --quiet torch==$(TORCH_VERSION)
	$(PEERS_PY) -m pip install --quiet -e .
	# torch named again so that resolving the peers can never swap it for another build
	$(PEERS_PY) -m pip install --quiet -r benchmarks/requirements-peers.txt torch==$(TORCH_VERSION)
	touch $@

bench-peers: $(PEERS_VENV)/.installed
	$(PEERS_PY) benchmarks/peers.py $(PEERS_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info
