"""What marks an object as kubemap's: the labels every generated object carries (the project
label is what `apply --prune` selects on, the service label what ties Pods to their Services),
the annotations kubemap writes for `kubemap lint`, and the field manager of server-side apply."""

from __future__ import annotations

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
PART_OF_LABEL = "app.kubernetes.io/part-of"
NAME_LABEL = "app.kubernetes.io/name"
MANAGER = "kubemap"  # the value of MANAGED_BY_LABEL
PROJECT_LABEL = "kubemap.io/project"  # prune selects on it
SERVICE_LABEL = "kubemap.io/service"  # the one selector label of a service's Pods
RESERVED_PREFIX = "kubemap.io/"  # labels users may not set: they would break the two above
FIELD_MANAGER = "kubemap"  # server-side apply's field manager
# Pod template annotation: the hostPaths the Compose file asked for, which `kubemap lint` accepts.
ACCEPT_HOST_PATHS = "lint.kubemap.io/accept-host-paths"
