# Helm charts (`kubemap convert --format helm`, docs/helm.md): real Helm built from the Go module
# proxy (scripts/build-helm.sh, cached in ${KUBEMAP_CACHE:-~/.cache/kubemap}/helm-<version>), and
# the chart tests: the stack's chart, every corpus project's chart (lint + template vs convert),
# install / upgrade / uninstall on the test control plane.
.PHONY: helm test-helm chart
TEST_TARGETS += test-helm

helm: ## build (or find cached) Helm v4 from the Go module proxy
	@scripts/build-helm.sh

test-helm: setup control-plane helm ## chart tests with real Helm: lint, template = convert (stack, corpus, golden), install/upgrade/uninstall
	$(PY) -m pytest -q tests/helm

chart: setup ## the stack as a Helm chart in chart/ (not committed; see docs/helm.md)
	$(KUBEMAP) convert -f compose/compose.yaml --env-file compose/.env.example --format helm -o chart
