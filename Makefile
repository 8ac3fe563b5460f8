# Curate: `make run` builds the embedded sample, `make test` runs the suite.
# Both create the virtual environment and install what they need on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
LID_MODEL := build/models/lid.176.ftz
export PYTHONHASHSEED := 0

.PHONY: install run test test-all lint bench bench-scale bench-gpu bench-peer eval-pii eval-license eval-toxicity eval-dedup eval-quality clean

install: $(INSTALLED) $(LID_MODEL)

# The CPU build of torch is installed first: left to the resolver, detoxify would pull a CUDA
# build of several GB.
$(INSTALLED): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(LID_MODEL): $(INSTALLED)
	$(PY) -m pipelines.models --dest $(dir $@)

run: install
	$(VENV)/bin/curate run

test: install
	$(PY) -m pytest -m "not slow and not gpu"

test-all: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy schemas transforms pipelines

PEER_VENV := build/bench-peer

bench: install bench-peer
	$(PY) -m bench.bench_pipeline
	$(PY) -m bench.bench_toxicity
	$(PY) -m bench.bench_quality
	$(PY) -m bench.bench_pii
	$(PY) -m bench.bench_dedup --docs 100000 1000000 --peer-python $(PEER_VENV)/bin/python
	$(PY) -m bench.bench_explain
	$(PY) -m bench.bench_report
	$(PY) -m bench.bench_faults

# Peers measured side by side, installed only here, never in the project's environment.
bench-peer: $(PEER_VENV)/.installed
$(PEER_VENV)/.installed:
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet "datatrove[processing]==0.10.1" spacy==3.8.18
	touch $@

# Whole builds of 10k, 100k and 1M generated documents with 1 and 2 workers (docs/scale.md).
bench-scale: install
	$(PY) -m bench.bench_scale

# On a machine with a CUDA build of torch and a GPU.
bench-gpu: install
	$(PY) -m bench.bench_gpu

eval-license: install
	$(PY) -m bench.eval_license

eval-pii: install
	$(PY) -m bench.eval_pii

eval-dedup: install
	$(PY) -m bench.eval_dedup

eval-toxicity: install
	$(PY) -m bench.eval_toxicity
	$(PY) -m bench.eval_toxicity --probe

# curate train-quality on Davidson 'neither' vs 'offensive' tweets (docs/quality.md).
eval-quality: install
	$(PY) -m bench.eval_quality

clean:
	rm -rf out build/sample .pytest_cache
