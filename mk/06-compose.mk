# Docker Compose v5 (github.com/docker/compose/v5, pinned in scripts/compose-v5/go.mod), built
# from the Go module proxy by scripts/build-compose.sh into $KUBEMAP_CACHE (about 4 minutes cold,
# instant once cached) and installed as the `docker compose` plugin. The stack runs on it
# (scripts/compose.sh), and tests/corpus/test_compose_reference.py checks `kubemap config`
# against its `config`.
.PHONY: compose test-compose-reference

compose: ## build (or find cached) Docker Compose v5 and install it as the docker CLI plugin
	@scripts/build-compose.sh

test-compose-reference: setup compose ## kubemap config vs docker compose config on every corpus case (part of test-converter)
	$(PY) -m pytest -q tests/corpus/test_compose_reference.py

.PHONY: bench-startup
BENCH_TARGETS += bench-startup
bench-startup: setup compose ## kubemap version vs python -c pass; kubemap config vs docker compose config (3 largest corpus files)
	$(PY) bench/startup_bench.py
