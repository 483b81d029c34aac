"""What the cluster serves: kind -> REST path; which kinds kubemap applies together and may prune.
The order of kinds is model.kinds.KIND_ORDER."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from converter.cluster.connection import ApiError, Client
from converter.errors import ClusterError

# Kinds kubemap may delete with --prune (never Namespace: it holds everything else).
PRUNABLE_KINDS: dict[str, str] = {
    "ServiceAccount": "v1",
    "Role": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "Secret": "v1",
    "ConfigMap": "v1",
    "PersistentVolumeClaim": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
    "Ingress": "networking.k8s.io/v1",
}


# Kinds in one tier do not need each other (references by name are resolved later, by the
# workloads' Pods), so a tier is applied concurrently; tiers one after another.
_TIERS: tuple[frozenset[str], ...] = (
    frozenset({"Namespace"}),
    frozenset({"ResourceQuota", "LimitRange"}),
    frozenset({"ServiceAccount", "Role", "RoleBinding", "NetworkPolicy", "Secret", "ConfigMap",
               "PersistentVolumeClaim", "Service"}),
    frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}),
)


def apply_tier(kind: str) -> int:
    return next((i for i, tier in enumerate(_TIERS) if kind in tier), len(_TIERS))


@dataclass(frozen=True)
class Resource:
    api_version: str
    kind: str
    plural: str
    namespaced: bool

    def collection_path(self, namespace: str | None) -> str:
        base = "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"
        if self.namespaced:
            return f"{base}/namespaces/{namespace}/{self.plural}"
        return f"{base}/{self.plural}"

    def path(self, name: str, namespace: str | None) -> str:
        return f"{self.collection_path(namespace)}/{name}"


class Discovery:
    """Resolves (apiVersion, kind) with one discovery request per group version, cached."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._by_version: dict[str, dict[str, Resource]] = {}

    def prefetch(self, api_versions: set[str]) -> None:
        """Discover several group versions at once (one round trip instead of one each)."""
        missing = sorted(v for v in api_versions if v not in self._by_version)
        if len(missing) > 1:
            with ThreadPoolExecutor(max_workers=len(missing)) as pool:
                list(pool.map(self.serves, missing, [""] * len(missing)))

    def resolve(self, api_version: str, kind: str) -> Resource:
        resources = self._group_version(api_version)
        if kind not in resources:
            raise ClusterError(
                f"the cluster does not serve kind {kind} in apiVersion {api_version}",
                hint="is a CRD or API group missing, or is the apiVersion misspelt?",
            )
        return resources[kind]

    def serves(self, api_version: str, kind: str) -> bool:
        try:
            return kind in self._group_version(api_version)
        except ClusterError:
            return False

    def _group_version(self, api_version: str) -> dict[str, Resource]:
        if api_version not in self._by_version:
            path = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
            try:
                body = self._client.request("GET", path).body
            except ApiError as error:
                if error.status == 404:
                    raise ClusterError(
                        f"the cluster does not serve apiVersion {api_version}",
                        hint="check the apiVersion against `kubectl api-versions`",
                    ) from None
                raise
            self._by_version[api_version] = _parse(api_version, body)
        return self._by_version[api_version]


def _parse(api_version: str, body: dict[str, Any]) -> dict[str, Resource]:
    found: dict[str, Resource] = {}
    for item in body.get("resources", []):
        if "/" in item["name"]:  # subresources such as deployments/scale
            continue
        found[item["kind"]] = Resource(api_version, item["kind"], item["name"], bool(item["namespaced"]))
    return found
