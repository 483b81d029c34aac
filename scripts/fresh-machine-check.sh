#!/usr/bin/env bash
# Rehearse CI on a fresh machine: clone main into a new folder beside this one (so ../shared is the
# same), stop and remove what the repo starts and creates, then run `CI=true bash .ci/run` there and
# print the wall time of each part.
#
#   scripts/fresh-machine-check.sh [--go-caches] [--keep-packages] [--no-clean] [--dir DIR]
#
# Removed before the run (a new machine has none of it):
#   - running: the kind cluster(s), the Compose stack, the test Redis/PostgreSQL, dockerd;
#   - Docker: the stack's containers, volumes and images (agents-*), the base-image stand-ins, every
#     kubemap* image (kind node, probe, debian); Podman: kind node containers, localhost/kubemap* images;
#   - ${KUBEMAP_CACHE:-~/.cache/kubemap} (control plane, kind, node binaries, Compose, Helm builds, the
#     debootstrap tarball) and the Docker CLI plugin the repo installs;
#   - the Debian packages the repo installed (/var/lib/kubemap/apt-installed.txt, plus the ones a new
#     machine of our kind lacks: Docker engine, Compose, Podman, Redis, PostgreSQL server, Chromium,
#     debootstrap); --keep-packages keeps them;
#   - with --go-caches: Go's build and module caches, npm's and pip's caches (slow to refill).
# A new clone has no venvs or node_modules. This machine's own tools (Go, Node, Python) stay.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
go_caches= keep_packages= clean=1
dir="$(dirname "$ROOT")/fresh-check-$(date -u +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
  case $1 in
    --go-caches) go_caches=1 ;;
    --keep-packages) keep_packages=1 ;;
    --no-clean) clean= ;;
    --dir) dir=$2; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -d "$(dirname "$dir")/shared/corpus" ]] || { echo "no shared/corpus beside $dir: CI runs with a copy of ../shared" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "run as root (it stops services and removes packages, as a new machine starts without them)" >&2; exit 2; }
log() { printf '[fresh %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
t0=$SECONDS

clean_machine() {
  log "stopping what the repo starts"
  if command -v podman >/dev/null; then
    mapfile -t nodes < <(podman ps -aq --filter label=io.x-k8s.kind.cluster 2>/dev/null)
    [[ ${#nodes[@]} -gt 0 ]] && podman rm -f "${nodes[@]}" >/dev/null
    mapfile -t images < <(podman images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -E '^localhost/(kubemap|agents-)' || true)
    [[ ${#images[@]} -gt 0 ]] && podman rmi -f "${images[@]}" >/dev/null
  fi
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    mapfile -t containers < <(docker ps -aq --filter label=io.x-k8s.kind.cluster; docker ps -aq --filter label=com.docker.compose.project=agents)
    [[ ${#containers[@]} -gt 0 ]] && docker rm -f "${containers[@]}" >/dev/null
    mapfile -t volumes < <(docker volume ls -q --filter label=com.docker.compose.project=agents; docker volume ls -q | grep -E '^agents_' || true)
    [[ ${#volumes[@]} -gt 0 ]] && docker volume rm -f "${volumes[@]}" >/dev/null
    mapfile -t images < <({ docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^(kubemap|agents-)' || true
                            "$ROOT/scripts/build-base-images.sh" --list; } | sort -u)
    for image in "${images[@]}"; do docker rmi -f "$image" >/dev/null 2>&1 || true; done
    docker image prune -f >/dev/null
  fi
  redis-cli -h 127.0.0.1 -p "${KUBEMAP_TEST_REDIS_PORT:-6390}" shutdown nosave >/dev/null 2>&1 || true
  pkill -INT -f "postgres -D .* -p ${KUBEMAP_TEST_PG_PORT:-5440}" 2>/dev/null || true
  pkill dockerd 2>/dev/null || true
  for _ in $(seq 1 60); do pgrep -x dockerd >/dev/null || break; sleep 1; done
  pkill -f 'containerd --config /var/run/docker' 2>/dev/null || true

  log "removing caches"
  rm -rf "${KUBEMAP_CACHE:-$HOME/.cache/kubemap}" "$HOME/.docker/cli-plugins/docker-compose"
  if [[ -n $go_caches ]]; then
    go clean -cache -modcache 2>/dev/null || true
    rm -rf "$HOME/.npm/_cacache" "$HOME/.cache/pip"
  fi

  if [[ -z $keep_packages ]]; then
    local recorded=() packages
    [[ -f /var/lib/kubemap/apt-installed.txt ]] && mapfile -t recorded </var/lib/kubemap/apt-installed.txt
    packages=$(printf '%s\n' "${recorded[@]}" docker.io containerd runc docker-compose podman redis-server redis-tools \
               postgresql postgresql-15 postgresql-contrib chromium chromium-common debootstrap \
               | sort -u | { xargs -r dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 2>/dev/null || true; } \
               | awk '$1 == "ii" {print $2}')  # dpkg-query fails on packages never installed: those are not wanted
    if [[ -n $packages ]]; then
      log "purging Debian packages: $(echo $packages)"
      DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $packages >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq >/dev/null
      rm -f /etc/containers/containers.conf.d/50-kubemap-kind-ulimits.conf
      for state in /var/lib/docker /var/lib/containers; do
        # Some machines mount these (a disk of their own): empty them, keep the mount point.
        if mountpoint -q "$state"; then find "$state" -mindepth 1 -delete; else rm -rf "$state"; fi
      done
    fi
    rm -f /var/lib/kubemap/apt-installed.txt
  fi
  log "clean in $((SECONDS - t0))s"
}

[[ -n $clean ]] && clean_machine
log "cloning main into $dir"
git clone --quiet --branch main "$ROOT" "$dir"
t1=$SECONDS
set +e
(cd "$dir" && CI=true bash .ci/run) 2>&1 | tee "$dir.log"
status=${PIPESTATUS[0]}
set -e
echo
echo "== fresh-machine check: $( [[ $status -eq 0 ]] && echo green || echo RED ) (exit $status), log $dir.log"
[[ -f $dir/.cache/test-parts.tsv ]] && awk -F'\t' '{printf "  %-22s %-7s %6ds\n", $1, $2, $3}' "$dir/.cache/test-parts.tsv"
echo "  cleaning $((t1 - t0))s, .ci/run $((SECONDS - t1))s, total $((SECONDS - t0))s"
exit "$status"
