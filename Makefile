# Two entry points: `make run` (default scenario) and `make test` (whole suite).
# Both create .venv if it is missing and install the project into it. Also: `make mc`
# (Monte Carlo replications, python -m sim.mc), `make headline` (experiments/headline.py), `make app` (the managers' web page),
# `make bench` (benchmarks/run.py), `make calibrate` (the calibration walk-through of docs/calibration.md on a
# synthetic history) and `make ci` (.ci/run). Extra arguments go through ARGS.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test mc headline app bench calibrate ci clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m sim $(ARGS)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

mc: $(STAMP)
	$(PY) -m sim.mc $(ARGS)

headline: $(STAMP)
	$(PY) experiments/headline.py $(ARGS)

app: $(STAMP)
	$(PY) -m sim.app $(ARGS)

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	$(PY) benchmarks/run.py

calibrate: $(STAMP)
	$(PY) experiments/synthetic_history.py --out outputs/history
	$(PY) -m sim.calibrate outputs/history/interval_report.csv --kind intervals --columns outputs/history/interval_map.yaml --out outputs/calibration/intervals --name calibrated_intervals $(ARGS)
	$(PY) -m sim.calibrate outputs/history/call_log.csv --kind calls --columns outputs/history/call_map.yaml --out outputs/calibration/calls --name calibrated_calls $(ARGS)

ci:
	.ci/run

clean:
	rm -rf $(VENV) outputs multirun
