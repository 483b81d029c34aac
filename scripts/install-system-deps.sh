#!/usr/bin/env bash
# Install the Debian packages a part of the test suite needs, only when they are missing.
# Usage: scripts/install-system-deps.sh GROUP...   (groups: servers, browser, docker, podman, build)
# On a machine that already has them (a laptop), it does nothing.
set -euo pipefail

declare -A GROUP_PACKAGES=(
  [servers]="redis-server postgresql"
  [browser]="chromium"
  [docker]="docker.io docker-compose debootstrap"
  [podman]="podman"
  [build]="build-essential"
  [cluster]="openssl"
)
declare -A PACKAGE_PROBE=(
  [redis-server]="redis-server" [postgresql]="/usr/lib/postgresql/15/bin/postgres"
  [chromium]="chromium" [docker.io]="dockerd" [docker-compose]="docker-compose"
  [debootstrap]="debootstrap" [podman]="podman" [build-essential]="gcc" [openssl]="openssl"
)

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
