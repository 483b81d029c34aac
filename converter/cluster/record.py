"""What `kubemap up` records in a cluster it created, so that `kubemap down` deletes only a
cluster kubemap made, and only when no other kubemap project still runs in it.

The record lives in the cluster itself (a ConfigMap in kube-system): it goes when the cluster
goes, so it can never outlive or contradict it, and every checkout or shell sees the same one.
"""

from __future__ import annotations

from converter.cluster.apply import APPLY_PATCH
from converter.cluster.connection import ApiError, Client
from converter.model.ownership import FIELD_MANAGER, PROJECT_LABEL

RECORD_NAMESPACE = "kube-system"
RECORD_NAME = "kubemap-up"
_PATH = f"/api/v1/namespaces/{RECORD_NAMESPACE}/configmaps/{RECORD_NAME}"


def write_record(client: Client, data: dict[str, str]) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": RECORD_NAME, "namespace": RECORD_NAMESPACE,
                         "labels": {"app.kubernetes.io/managed-by": "kubemap"}},
            "data": dict(sorted(data.items()))}
    client.request("PATCH", _PATH, body=body, query={"fieldManager": FIELD_MANAGER, "force": "true"},
                   content_type=APPLY_PATCH)


def read_record(client: Client) -> dict[str, str] | None:
    try:
        body = client.request("GET", _PATH).body
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return {str(k): str(v) for k, v in (body.get("data") or {}).items()}


def projects_in_cluster(client: Client) -> dict[str, str]:
    """namespace -> project, for every namespace kubemap created and that is not going away."""
    items = client.request("GET", "/api/v1/namespaces", query={"labelSelector": PROJECT_LABEL}).body.get("items") or []
    return {item["metadata"]["name"]: item["metadata"]["labels"][PROJECT_LABEL] for item in items
            if not item["metadata"].get("deletionTimestamp")
            and (item.get("status") or {}).get("phase") != "Terminating"}
