# The stack on a real local Kubernetes: kind, with kind's own node image where it can be pulled,
# or kubemap's node image built here from Debian packages and the Go module proxy
# (KIND_LOCAL_NODE=1; used automatically once built). See docs/kind.md.
.PHONY: kind kind-node-image kind-up kind-down parity
# How kind-up / parity install the stack: apply (kubemap apply), helm (helm install of the chart
# from `kubemap convert --format helm`); parity's default runs both on one cluster.
INSTALLER ?=

kind: ## build kind from the Go module proxy (cached in $KUBEMAP_CACHE)
	@scripts/kind/build-kind.sh

kind-node-image: ## build kubemap/kind-node:<k8s version> (no registry needed; cached)
	@scripts/kind/build-node-image.sh

kind-up: setup ## the stack on a local kind cluster: create, build + load images, apply (INSTALLER=helm: helm install), wait, print URLs
	@INSTALLER=$(INSTALLER) scripts/kind/kind-up.sh

kind-down: ## delete the kind cluster
	@scripts/kind/kind-down.sh

parity: setup ## the stack's scenarios under Compose and on kind, installed by kubemap apply then helm (INSTALLER=apply|helm: one)
	@INSTALLER=$(INSTALLER) scripts/kind/parity.sh

# Green three times in a row here (about 3.5 min with caches; about 17 min cold: kubelet/kubeadm/
# kube-proxy, CoreDNS and crictl builds ≈ 10 min, node image ≈ 2.5 min, podman install, the rest).
TEST_TARGETS += parity
