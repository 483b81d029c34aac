#!/usr/bin/env bash
# `make kind-up`: the stack from compose/ on a local kind cluster.
#   1. checks for kind, kubectl and a container engine (Docker, or Podman where Docker cannot run
#      privileged containers), with install hints;
#   2. creates the cluster from k8s/kind-config.yaml (written by kubemap convert) unless it exists;
#   3. builds the stack's images and loads every image k8s/ names into the node;
#   4. applies k8s/ (kubemap apply --wait), or with INSTALLER=helm installs the chart of
#      `kubemap convert --format helm` (scripts/kind/helm-install.sh), and waits until every Pod is Ready;
#   5. prints the URLs (the published ports of compose/, mapped by kind to NodePorts).
# Environment: KIND_CLUSTER_NAME (default kubemap), KIND_NODE_IMAGE, KIND_LOCAL_NODE=1 (build and
# use kubemap's own node image, for machines that cannot pull kind's), KIND_EXPERIMENTAL_PROVIDER.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$kind_repo"
t0=$SECONDS
step() { kind_log "$1 (${2}s)"; }

kind_bin="$(find_kind)"
kubectl_bin="$(find_kubectl)"
provider="$(pick_provider)"
export KIND_EXPERIMENTAL_PROVIDER="$provider"
[[ "$provider" == podman ]] && scripts/kind/ensure-podman.sh
[[ -f k8s/kind-config.yaml ]] || kind_die "k8s/kind-config.yaml is missing: run make k8s (kubemap convert -f compose/compose.yaml -o k8s)"

config="$(mktemp --suffix=.yaml)"
trap 'rm -f "$config"' EXIT
cp k8s/kind-config.yaml "$config"
if [[ -n "${KIND_HOST_PORT_OFFSET:-}" ]]; then
  # Something else (e.g. the Compose stack) holds the published ports: shift them in the copy.
  awk -v off="$KIND_HOST_PORT_OFFSET" '/hostPort:/ {sub(/[0-9]+/, $2 + off)} {print}' k8s/kind-config.yaml >"$config"
  kind_log "host ports shifted by $KIND_HOST_PORT_OFFSET (KIND_HOST_PORT_OFFSET)"
fi
node_image_args=()
if use_local_node; then
  t=$SECONDS; scripts/kind/build-node-image.sh; step "node image $LOCAL_NODE_IMAGE ready" $((SECONDS - t))
  node_image="$LOCAL_NODE_IMAGE"
  if [[ "$provider" == podman ]]; then
    # Podman has its own image store: copy the image over when it is missing or stale.
    want_id="$(docker image inspect -f '{{.Id}}' "$node_image")"
    have_id="$(podman image inspect -f '{{.Id}}' "localhost/$node_image" 2>/dev/null || true)"
    if [[ "sha256:$have_id" != "$want_id" && "$have_id" != "$want_id" ]]; then
      t=$SECONDS; docker save "$node_image" | podman load -q >/dev/null
      if [[ -n "$have_id" ]]; then podman rmi "$have_id" >/dev/null 2>&1 || true; fi  # the stale copy
      step "node image copied to podman" $((SECONDS - t))
    fi
    node_image="localhost/$node_image"
  fi
  # kubemap's node image provides storage through kube-controller-manager's host-path
  # provisioner, which is off unless asked for; the generated kind config is left as it is and
  # this setting is added to a temporary copy.
  grep -q '^kubeadmConfigPatches:' "$config" && kind_die "k8s/kind-config.yaml already has kubeadmConfigPatches; merge them by hand with scripts/kind/kind-up.sh's"
  cat >>"$config" <<'YAML'
kubeadmConfigPatches:
- |
  kind: ClusterConfiguration
  controllerManager:
    extraArgs:
      enable-hostpath-provisioner: "true"
YAML
  node_image_args=(--image "$node_image")
elif [[ -n "${KIND_NODE_IMAGE:-}" ]]; then
  node_image_args=(--image "$KIND_NODE_IMAGE")
fi

if "$kind_bin" get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER_NAME"; then
  kind_log "cluster $KIND_CLUSTER_NAME exists"
  # Port mappings are fixed when a node is created: an old cluster may publish other ports.
  published="$("$provider" port "$KIND_CLUSTER_NAME-control-plane" 2>/dev/null || true)"
  for port in $(grep -oE 'hostPort: [0-9]+' "$config" | awk '{print $2}'); do
    grep -qE ":$port\$" <<<"$published" \
      || kind_die "cluster $KIND_CLUSTER_NAME does not publish host port $port (created from another config): make kind-down, then make kind-up"
  done
else
  t=$SECONDS
  "$kind_bin" create cluster --name "$KIND_CLUSTER_NAME" --config "$config" "${node_image_args[@]}" --wait 180s
  step "cluster $KIND_CLUSTER_NAME created ($provider)" $((SECONDS - t))
fi

t=$SECONDS
[[ -n "${PULL_BASE_IMAGES:-}" ]] || scripts/build-base-images.sh
scripts/compose.sh build --quiet
step "stack images built" $((SECONDS - t))

t=$SECONDS
mapfile -t images < <(grep -hoE '^\s+image:\s*\S+' k8s/*.yaml | awk '{print $2}' | sort -u)
if [[ "$provider" == docker ]]; then
  "$kind_bin" load docker-image --name "$KIND_CLUSTER_NAME" "${images[@]}"
else
  # The images live in Docker, the node in Podman: go through an archive, and only with the
  # images whose ID the node does not have yet (what `kind load docker-image` checks itself).
  stale=()
  for image in "${images[@]}"; do
    node_id="$(podman exec "$KIND_CLUSTER_NAME-control-plane" crictl inspecti -o go-template \
               --template '{{.status.id}}' "$image" 2>/dev/null || true)"
    [[ "$node_id" == "$(docker image inspect -f '{{.Id}}' "$image")" ]] || stale+=("$image")
  done
  if [[ ${#stale[@]} -gt 0 ]]; then
    archive="$(mktemp --suffix=.tar)"
    docker save -o "$archive" "${stale[@]}"
    "$kind_bin" load image-archive --name "$KIND_CLUSTER_NAME" "$archive"
    rm -f "$archive"
  fi
  images=("${stale[@]}")
fi
step "loaded ${#images[@]} new images: ${images[*]}" $((SECONDS - t))

t=$SECONDS
# kubemap apply puts the objects into the namespace named after the Compose project.
namespace="${KIND_NAMESPACE:-agents}"
if [[ "${INSTALLER:-apply}" == helm ]]; then
  scripts/kind/helm-install.sh "$kubectl_bin" "$KUBE_CONTEXT" "$namespace"
elif [[ -x .venv/bin/kubemap ]] && .venv/bin/kubemap apply --help >/dev/null 2>&1; then
  .venv/bin/kubemap apply -k k8s --context "$KUBE_CONTEXT" --namespace "$namespace" --wait \
    --timeout "${KIND_WAIT_SECONDS:-300}s"
else
  "$kubectl_bin" --context "$KUBE_CONTEXT" create namespace "$namespace" 2>/dev/null || true
  "$kubectl_bin" --context "$KUBE_CONTEXT" --namespace "$namespace" apply --server-side -k k8s
fi
# Every Pod that is not a Job's must be Ready (counted afresh each round: `kubectl wait` on a
# list of Pods hangs on one that a rollout replaced meanwhile).
kube() { "$kubectl_bin" --context "$KUBE_CONTEXT" --namespace "$namespace" "$@"; }
deadline=$((SECONDS + ${KIND_WAIT_SECONDS:-300}))
until
  not_ready="$(kube get pods --selector='!batch.kubernetes.io/job-name' --no-headers \
    -o custom-columns='NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,GONE:.metadata.deletionTimestamp' \
    | awk '$2 != "True" || $3 != "<none>"')"
  [[ -z "$not_ready" ]] && kube get pods --no-headers 2>/dev/null | grep -q .
do
  if (( SECONDS > deadline )); then
    kube get pods -o wide >&2
    kind_die "Pods not Ready after ${KIND_WAIT_SECONDS:-300}s: $(echo "$not_ready" | awk '{print $1}' | tr '\n' ' ')(kubectl --context $KUBE_CONTEXT -n $namespace describe pod NAME)"
  fi
  sleep 2
done
step "stack installed (${INSTALLER:-apply}), every Pod Ready" $((SECONDS - t))
kube get pods -o wide

ports="$(grep -oE 'hostPort: [0-9]+' "$config" | awk '{print $2}' | sort -n | tr '\n' ' ')"
kind_log "done in $((SECONDS - t0))s. Published ports (context $KUBE_CONTEXT):"
for p in $ports; do echo "  http://localhost:$p"; done
