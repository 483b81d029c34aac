"""Facts about Kubernetes that every layer shares.

KIND_ORDER is the one order of kinds for the Bundle, the files, `apply` and `diff`:
dependencies first, so that a workload finds its policies, ConfigMaps, Secrets, claims and
Service account already there and its first Pods start without errors."""

from __future__ import annotations

import re

KIND_ORDER: tuple[str, ...] = (
    "Namespace",
    "ResourceQuota",
    "LimitRange",
    # Before anything runs, so no Pod is ever reachable in a way the policies forbid.
    "NetworkPolicy",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Service",
    "DaemonSet",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "Job",
    "Ingress",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
)
_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}

# Kinds without a namespace: a namespace is never set on them.
CLUSTER_SCOPED_KINDS = frozenset(
    {"Namespace", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
     "PriorityClass", "CustomResourceDefinition", "IngressClass", "RuntimeClass"}
)


def kind_rank(kind: str) -> int:
    """Position of `kind` in KIND_ORDER; kinds kubemap does not know come after all of them."""
    return _RANK.get(kind, len(KIND_ORDER))


# Access modes that let one node at a time mount a claim (so a Deployment must not roll).
RWO_MODES = ("ReadWriteOnce", "ReadWriteOncePod")

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def valid_namespace(name: str) -> bool:
    """A namespace name is an RFC 1123 label: lower case, digits and '-', at most 63 characters."""
    return bool(_DNS_LABEL.fullmatch(name))
