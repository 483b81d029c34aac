# The orchestrator service (Python, FastAPI): its own venv, tests against the real Redis/PostgreSQL.
ORCH_DIR := compose/services/orchestrator
ORCH_VENV := $(ORCH_DIR)/.venv
ORCH_STAMP := $(ORCH_VENV)/.installed

.PHONY: test-orchestrator
TEST_TARGETS += test-orchestrator

$(ORCH_STAMP): $(ORCH_DIR)/requirements.txt $(ORCH_DIR)/requirements-dev.txt
	$(PYTHON) -m venv $(ORCH_VENV)
	$(ORCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(ORCH_VENV)/bin/python -m pip install --quiet -r $(ORCH_DIR)/requirements-dev.txt
	touch $@

test-orchestrator: servers-up $(ORCH_STAMP) ## orchestrator tests (pytest, real Redis + PostgreSQL)
	export $$(scripts/test-servers.sh env) && cd $(ORCH_DIR) \
		&& .venv/bin/python -m pytest -q
