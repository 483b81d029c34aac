# End-to-end tests of the stack: the four services as local processes (real Redis and PostgreSQL,
# through the gateway, incl. a browser test of the UI), and the whole stack under Docker Compose.
.PHONY: test-stack-processes test-stack-compose
TEST_TARGETS += test-stack-processes test-stack-compose

test-stack-processes: setup servers-up browser-deps $(ORCH_STAMP) frontend-build ## e2e: services as processes, through the gateway
	$(PY) -m pytest -q tests/stack/test_e2e_processes.py tests/stack/test_browser_processes.py

test-stack-compose: setup browser-deps $(FRONTEND)/node_modules/.installed ## e2e under Docker Compose from scratch: stack-up, stack-test, down -v
	$(MAKE) stack-up
	status=0; $(PY) -m pytest -q tests/stack/test_compose_stack.py || status=$$?; \
		scripts/compose.sh down -v --remove-orphans >/dev/null 2>&1; exit $$status

.PHONY: bench-stack
BENCH_TARGETS += bench-stack
bench-stack: setup servers-up $(ORCH_STAMP) ## GET /tasks/{id} latency through the gateway vs directly (p50/p99, ratio)
	$(PY) bench/stack_latency.py
