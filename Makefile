# kubemap: top-level tasks. Each part of the repo adds its own targets in mk/*.mk and appends
# its test target to TEST_TARGETS, so `make test` runs everything.
SHELL := /bin/bash
# Some machines set this; every kubemap process the tests start would then compile its modules again.
unexport PYTHONDONTWRITEBYTECODE
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
KUBEMAP := $(VENV)/bin/kubemap
STAMP := $(VENV)/.installed

TEST_TARGETS :=
BENCH_TARGETS :=

include $(sort $(wildcard mk/*.mk))

.PHONY: help setup demo test bench stress clean
help: ## list targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv and install kubemap with its test tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

demo: setup k8s ## the main job: convert the bundled stack in compose/ to k8s/ and show the mapping report
	$(KUBEMAP) report -f compose/compose.yaml --env-file compose/.env.example

test: ## run every test suite (what CI runs), each part timed, all parts even after a failure
	@scripts/run-parts.sh $(TEST_TARGETS)

bench: $(BENCH_TARGETS) ## run the benchmarks and print ratios

stress: setup ## run the stream/timer/subprocess suites STRESS_RUNS times (default 20): N passed, M failed each
	@scripts/stress.sh

clean: ## remove the venv and caches
	rm -rf $(VENV) .pytest_cache .hypothesis
