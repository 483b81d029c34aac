# The stack on a real local Kubernetes: kind, through `kubemap up` / `kubemap down` (which find
# or build kind, pick Docker or Podman, and use kind's node image where it can be pulled or
# kubemap's own, built here from Debian packages and the Go module proxy). See docs/kind.md.
.PHONY: kind kind-node-image kind-up kind-down parity test-up
# How kind-up / parity install the stack: apply (kubemap up), helm (the chart of `kubemap convert
# --format helm`, on a cluster kubemap up made ready); parity's default runs both on one cluster.
INSTALLER ?=
# REGISTRY=1: the images go to the node through the test registry (kubemap up --registry).
REGISTRY ?=

# The bundled stack exactly as `make k8s` converts it.
KIND_STACK := -f compose/compose.yaml --env-file compose/.env.example

kind: ## build kind from the Go module proxy (cached in $KUBEMAP_CACHE)
	@scripts/kind/build-kind.sh

kind-node-image: ## build kubemap/kind-node:<k8s version> (no registry needed; cached)
	@scripts/kind/build-node-image.sh

# kubemap up builds with `docker compose` (v2+): the repo's Compose build (make compose), where
# this checkout has it.
COMPOSE_PLUGIN := $(if $(wildcard scripts/build-compose.sh),compose)

kind-up: setup $(COMPOSE_PLUGIN) ## the stack on a local kind cluster: kubemap up (build, cluster, load, apply, wait, URLs); INSTALLER=helm: the chart
	@scripts/ensure-docker.sh
	@if [ -z "$(PULL_BASE_IMAGES)" ]; then scripts/build-base-images.sh; fi
	@if [ "$(INSTALLER)" = helm ]; then scripts/kind/stack.sh on helm; else $(KUBEMAP) up $(KIND_STACK); fi

kind-down: setup ## kubemap down: the stack's namespace, and the cluster if kubemap up created it for the stack
	$(KUBEMAP) down $(KIND_STACK)

parity: setup $(COMPOSE_PLUGIN) ## the stack's scenarios under Compose and on kind (kubemap up, then helm; INSTALLER=apply|helm: one; REGISTRY=1: images through the test registry, not kind load), then tests/up there
	@INSTALLER=$(INSTALLER) REGISTRY=$(REGISTRY) scripts/kind/parity.sh

test-up: setup $(COMPOSE_PLUGIN) ## kubemap up → requests → up again → down for tests/up/project; build --push of the stack; a CronJob through the registry (a kind cluster is reused or made)
	@scripts/build-base-images.sh
	@scripts/test-servers.sh up >/dev/null
	$(PY) -m pytest -q -p no:cacheprovider tests/up

# Green here with caches in about 7 min with both installers (about 17 min more cold: kubelet/
# kubeadm/kube-proxy, CoreDNS and crictl builds ≈ 10 min, node image ≈ 2.5 min, podman install).
# tests/up runs inside parity, on its cluster.
TEST_TARGETS += parity

# Heavy (the shared kind cluster, Docker): run as `flock /tmp/kubemap-heavy.lock make bench-up`.
.PHONY: bench-up
BENCH_TARGETS += bench-up
bench-up: setup $(COMPOSE_PLUGIN) ## kubemap up of compose/ on kind, cold and warm, vs make kind-up before kubemap up (ratios)
	@bench/up_bench.sh
