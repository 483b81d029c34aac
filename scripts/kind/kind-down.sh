#!/usr/bin/env bash
# `make kind-down`: deletes the kind cluster made by kind-up.sh (its volumes go with it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
kind_bin="$(find_kind)"
export KIND_EXPERIMENTAL_PROVIDER="$(pick_provider)"
"$kind_bin" delete cluster --name "$KIND_CLUSTER_NAME"
