#!/usr/bin/env bash
# Makes this machine able to run kind's node containers with Podman (used when Docker cannot run
# privileged containers, as on the project's CI machines):
#   - installs podman (Debian package) when missing;
#   - caps the containers' default rlimits at the machine's hard limits (podman would otherwise
#     ask for more open files / processes than the kernel allows and fail to start the node);
#   - creates /lib/modules, which kind mounts read-only into every node.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$repo/scripts/install-system-deps.sh" podman

nofile="$(ulimit -Hn)"; nproc="$(ulimit -Hu)"
[[ "$nofile" == unlimited || "$nofile" -gt 1048576 ]] && nofile=1048576
# podman refuses nproc above 32768 on these machines even when the hard limit is higher.
[[ "$nproc" == unlimited || "$nproc" -gt 32768 ]] && nproc=32768
dropin=/etc/containers/containers.conf.d/50-kubemap-kind-ulimits.conf
want="[containers]
default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]"
if [[ "$(cat "$dropin" 2>/dev/null)" != "$want" ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "podman needs default ulimits within this machine's hard limits; as root write $dropin:" >&2
    echo "$want" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$dropin")"
  printf '%s\n' "$want" >"$dropin"
fi
if [[ ! -d /lib/modules ]]; then
  if [[ $(id -u) -ne 0 ]]; then echo "kind mounts /lib/modules into its nodes: run sudo mkdir -p /lib/modules" >&2; exit 1; fi
  mkdir -p /lib/modules
fi
