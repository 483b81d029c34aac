# End-to-end test of the four services as local processes against the real Redis and PostgreSQL.
.PHONY: test-stack-processes
test-stack-processes: setup servers-up orchestrator-venv ## e2e: services as processes, through the gateway
	$(PY) -m pytest -q tests/stack/test_e2e_processes.py
