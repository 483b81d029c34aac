# The API gateway (Go, compose/services/gateway): vet, tests against real loopback upstreams,
# and a latency benchmark (gateway vs direct).
GATEWAY_DIR := compose/services/gateway
GO ?= go
# Pure Go: the container image is built with CGO_ENABLED=0 too.
GATEWAY_GO := cd $(GATEWAY_DIR) && CGO_ENABLED=0 $(GO)

.PHONY: test-gateway bench-gateway build-gateway
TEST_TARGETS += test-gateway
BENCH_TARGETS += bench-gateway

build-gateway: ## build the gateway binary into compose/services/gateway/bin/
	$(GATEWAY_GO) build -trimpath -o bin/gateway ./cmd/gateway

test-gateway: ## gateway: gofmt, go vet, go test (real loopback upstreams, the built binary as a process)
	@unformatted="$$(cd $(GATEWAY_DIR) && gofmt -l .)"; \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed in $(GATEWAY_DIR): $$unformatted" >&2; exit 1; fi
	$(GATEWAY_GO) vet ./...
	$(GATEWAY_GO) test -count=1 ./...

# Two runs: a fixed JSON answered at once (the raw cost of the extra hop) and one that takes 2 ms
# like a small real handler (the ratio the acceptance goal is about).
bench-gateway: ## gateway: p50/p99 of GET through the gateway vs directly (loopback, bounded)
	$(GATEWAY_GO) build -o bin/gateway-bench ./cmd/gateway-bench
	$(GATEWAY_DIR)/bin/gateway-bench -requests 3000 -max-seconds 60
	$(GATEWAY_DIR)/bin/gateway-bench -requests 2000 -max-seconds 60 -upstream-delay 2ms
