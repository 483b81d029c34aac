# Shared settings of the kind scripts (sourced). Every value can be overridden from the environment.
kind_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KIND_CLUSTER_NAME="${KIND_CLUSTER_NAME:-kubemap}"
KUBE_CONTEXT="kind-$KIND_CLUSTER_NAME"
LOCAL_NODE_IMAGE="$("$kind_repo/scripts/kind/build-node-image.sh" --print-tag)"

kind_log() { printf '[kind-up %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
kind_die() { printf '[kind-up] error: %s\n' "$*" >&2; exit 2; }

# kind: on PATH, else the cached build (scripts/kind/build-kind.sh), else build it when Go exists.
find_kind() {
  if command -v kind >/dev/null; then command -v kind; return; fi
  local cached; cached="$("$kind_repo/scripts/kind/build-kind.sh" --print-path)"
  if [[ ! -x "$cached" ]]; then
    command -v go >/dev/null || kind_die "kind is not installed: see https://kind.sigs.k8s.io/docs/user/quick-start/#installation (or install Go and re-run: the repo builds kind from the module proxy)"
    "$kind_repo/scripts/kind/build-kind.sh"
  fi
  echo "$cached"
}

# kubectl: on PATH, else the control plane's build.
find_kubectl() {
  if command -v kubectl >/dev/null; then command -v kubectl; return; fi
  local bin; bin="$("$kind_repo/scripts/build-control-plane.sh" --print-bin-dir)"
  [[ -x "$bin/kubectl" ]] && { echo "$bin/kubectl"; return; }
  kind_die "kubectl is not installed: see https://kubernetes.io/docs/tasks/tools/#kubectl (or run make control-plane)"
}

# The probe image: /bin/true and the libraries it links, imported into Docker by the repo, so the
# provider test never depends on which images a machine happens to have (or on any at all).
PROBE_IMAGE="kubemap/privileged-probe:1"
ensure_probe_image() {
  docker image inspect "$PROBE_IMAGE" >/dev/null 2>&1 && return 0
  local files; files="$(ldd /bin/true | grep -oE '/[^ ]+' | sort -u | tr '\n' ' ')"
  # shellcheck disable=SC2086  # one path per word
  tar -c --dereference -f - /bin/true $files 2>/dev/null | docker import - "$PROBE_IMAGE" >/dev/null
}

# The container engine for kind's nodes, decided by what kind's docker provider needs: a
# privileged container. KIND_EXPERIMENTAL_PROVIDER wins when set; else Docker when it runs a
# privileged container of the repo's probe image; else Podman. The choice and its reason go to
# the log (stderr); the answer to stdout.
pick_provider() {
  if [[ -n "${KIND_EXPERIMENTAL_PROVIDER:-}" ]]; then
    kind_log "kind provider: $KIND_EXPERIMENTAL_PROVIDER (KIND_EXPERIMENTAL_PROVIDER is set)"
    echo "$KIND_EXPERIMENTAL_PROVIDER"; return
  fi
  local why
  if ! command -v docker >/dev/null; then
    why="docker is not installed"
  elif ! docker info >/dev/null 2>&1; then
    why="the Docker engine does not answer"
  elif ! ensure_probe_image; then
    why="cannot import the probe image $PROBE_IMAGE into Docker"
  else
    local out
    if out="$(docker run --rm --privileged --network none --entrypoint /bin/true "$PROBE_IMAGE" 2>&1)"; then
      kind_log "kind provider: docker (it runs privileged containers)"
      echo docker; return
    fi
    why="docker cannot run privileged containers here: $(head -n1 <<<"$out")"
  fi
  command -v podman >/dev/null || [[ $(id -u) -eq 0 ]] \
    || kind_die "kind needs Docker (able to run --privileged containers) or Podman ($why): https://docs.docker.com/engine/install/ or apt-get install podman"
  kind_log "kind provider: podman ($why)"
  echo podman
}

# Use the locally built node image when asked (KIND_LOCAL_NODE=1), when it has been built, or
# when kind's image cannot be pulled (its registry, Docker Hub, does not even resolve);
# otherwise kind's own default image for its version.
use_local_node() {
  [[ "${KIND_LOCAL_NODE:-}" == 1 ]] && return 0
  [[ "${KIND_LOCAL_NODE:-}" == 0 ]] && return 1
  [[ -n "${KIND_NODE_IMAGE:-}" ]] && { [[ "$KIND_NODE_IMAGE" == "$LOCAL_NODE_IMAGE" ]]; return; }
  docker image inspect "$LOCAL_NODE_IMAGE" >/dev/null 2>&1 && return 0
  if ! timeout 5 getent hosts registry-1.docker.io >/dev/null 2>&1; then
    kind_log "registry-1.docker.io does not resolve: building and using $LOCAL_NODE_IMAGE"
    return 0
  fi
  return 1
}
