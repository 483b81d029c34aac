#!/usr/bin/env bash
# The stack from compose/ installed with Helm instead of `kubemap apply` (INSTALLER=helm for
# scripts/kind/stack.sh, make kind-up and make parity; see docs/helm.md): the chart `kubemap convert --format helm` writes,
# the Compose secrets given at install time, release `agents`. A stack that `kubemap apply` put
# into the namespace is deleted first (Helm does not take over objects it did not create, and the
# Services' node ports are the same). The caller waits for the pods, as it does after apply.
# Usage: scripts/kind/helm-install.sh KUBECTL CONTEXT NAMESPACE
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 KUBECTL CONTEXT NAMESPACE" >&2; exit 2; }
kubectl_bin="$1" context="$2" namespace="$3"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
log() { printf '[helm-install %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

scripts/build-helm.sh
helm_bin="$(scripts/build-helm.sh --print-path)"
helm() { "$helm_bin" --kube-context "$context" --namespace "$namespace" "$@"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
.venv/bin/kubemap convert -f compose/compose.yaml --env-file compose/.env.example --format helm -o "$work/agents"

if "$kubectl_bin" --context "$context" get namespace "$namespace" >/dev/null 2>&1 && ! helm status agents >/dev/null 2>&1; then
  log "namespace $namespace holds a stack that is not a Helm release: deleting it first"
  "$kubectl_bin" --context "$context" delete namespace "$namespace" --wait=true --timeout=300s
fi
# Helm's default wait (hooks only) waits for the one-shot migrate Job; --wait would not (docs/helm.md).
helm upgrade --install agents "$work/agents" --create-namespace --timeout 10m \
  --set-file secrets.dbPassword.data.db_password=compose/secrets/db_password.txt \
  --set-file secrets.llmApiKey.data.llm_api_key=compose/secrets/llm_api_key.txt
