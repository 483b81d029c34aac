# The worker service (Go): unit tests and integration tests against the real test Redis and
# PostgreSQL (scripts/test-servers.sh), and a throughput benchmark with 1 and 2 worker processes.
.PHONY: test-worker bench-worker
TEST_TARGETS += test-worker
BENCH_TARGETS += bench-worker

WORKER_DIR := compose/services/worker
# Go comes from the machine (Debian's is too old); /usr/local/go is where the official tarball goes.
GO ?= $(shell command -v go || echo /usr/local/go/bin/go)
# Pure Go everywhere (the container image will be static), and one setting keeps one build cache.
WORKER_GO := cd $(WORKER_DIR) && export CGO_ENABLED=0 $$(../../../scripts/test-servers.sh env) && $(GO)
WORKER_BENCH_BIN := $(CURDIR)/.cache/worker-bench/worker

test-worker: servers-up ## worker: go vet and go test ./... on the real Redis and PostgreSQL
	$(WORKER_GO) vet ./...
	$(WORKER_GO) test -count=1 ./...

bench-worker: servers-up ## worker: jobs per second with 1 and 2 worker processes, and the ratio
	$(WORKER_GO) build -o $(WORKER_BENCH_BIN) ./cmd/worker
	@echo "== the stack's setting: WORKER_CONCURRENCY=2, 300-word jobs (PostgreSQL and Redis share the 2 cores)"
	$(WORKER_GO) run ./cmd/worker-bench -worker $(WORKER_BENCH_BIN)
	@echo "== worker-bound: one job at a time per process, 5,000-word jobs (the worker's own CPU is the limit)"
	$(WORKER_GO) run ./cmd/worker-bench -worker $(WORKER_BENCH_BIN) -concurrency 1 -words 5000 -jobs 1000
