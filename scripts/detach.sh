#!/usr/bin/env bash
# Run a long-lived server with only stdin, stdout and stderr open. Whoever starts it may hold a lock
# on an inherited descriptor (`flock /tmp/kubemap-heavy.lock make ...`, the apt lock of
# install-system-deps.sh); a server that kept it would hold the lock for as long as it runs.
#   scripts/detach.sh COMMAND [ARG...]
for fd in /proc/self/fd/*; do
  fd=${fd##*/}
  # 255: bash's own handle on this script (close-on-exec already)
  if [[ $fd =~ ^[0-9]+$ ]] && (( fd > 2 && fd != 255 )); then eval "exec ${fd}>&-" 2>/dev/null || true; fi
done
exec "$@"
