# Cluster side: a real control plane built from the Go module proxy (scripts/build-control-plane.sh,
# cached in ${KUBEMAP_CACHE:-~/.cache/kubemap}), `kubemap apply` / `kubemap diff` tests against it,
# and the apply benchmark.
.PHONY: control-plane test-cluster bench-apply
TEST_TARGETS += test-cluster

control-plane: ## build (or find cached) kube-apiserver, controller-manager, scheduler, kubectl, etcd, kwok
	@scripts/install-system-deps.sh cluster
	@scripts/build-control-plane.sh

test-cluster: setup control-plane ## apply/diff/prune/wait tests against a real API server (+ kwok)
	$(PY) -m pytest -q tests/cluster

bench-apply: setup control-plane ## kubemap apply vs kubectl apply --server-side, 200 services + the stack
	$(PY) -m tests.cluster.bench_apply --services 200

BENCH_TARGETS += bench-apply
