#!/usr/bin/env bash
# Install the Debian packages a part of the test suite needs, only when they are missing.
# Usage: scripts/install-system-deps.sh GROUP...   (groups: servers, registry, browser, docker, podman, build, cluster)
#        scripts/install-system-deps.sh --list      (every package of every group)
# On a machine that already has them (a laptop), it does nothing. What it installs is recorded in
# /var/lib/kubemap/apt-installed.txt (scripts/fresh-machine-check.sh removes exactly that).
set -euo pipefail

declare -A GROUP_PACKAGES=(
  [servers]="redis-server postgresql"
  [registry]="docker-registry"  # the CNCF distribution server: kubemap build --push / up --registry tests
  [browser]="chromium"
  [docker]="docker.io debootstrap"  # Compose: the v5 plugin scripts/build-compose.sh builds
  [podman]="podman"
  [build]="build-essential"
  [cluster]="openssl"
)
declare -A PACKAGE_PROBE=(
  [redis-server]="redis-server" [postgresql]="/usr/lib/postgresql/15/bin/postgres"
  [chromium]="chromium" [docker.io]="dockerd"
  [debootstrap]="debootstrap" [podman]="podman" [build-essential]="gcc" [openssl]="openssl"
  [docker-registry]="/usr/bin/docker-registry"
)

if [[ ${1:-} == --list ]]; then printf '%s\n' ${GROUP_PACKAGES[@]} | sort -u; exit 0; fi

missing=()
for group in "$@"; do
  packages=${GROUP_PACKAGES[$group]:?unknown group: $group}
  for package in $packages; do
    probe=${PACKAGE_PROBE[$package]:-$package}
    if [[ $probe == /* ]]; then [[ -x $probe ]] && continue
    else command -v "$probe" >/dev/null 2>&1 && continue; fi
    missing+=("$package")
  done
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
# A lock shared by parallel callers; apt itself refuses concurrent runs.
exec 9>/tmp/kubemap-apt.lock
flock 9
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
mkdir -p /var/lib/kubemap
printf '%s\n' "${missing[@]}" >>/var/lib/kubemap/apt-installed.txt
