"""cluster: the only part of kubemap that talks to a Kubernetes API server.

- connect(kubeconfig, context) -> Client
- apply_objects(client, objects, ApplyOptions) -> ApplyResult   (server-side apply + prune)
- wait_for(client, workloads_of(objects, ns), timeout, on_progress) / observe(...)   (rollout)
- remove_project(client, namespace, project, ...)               (kubemap down)
- diff_live(client, objects, namespace) / diff_sets(old, new) -> [ObjectDiff]
- read_manifests(path) -> ManifestSet                           (kustomization folders)
"""

from converter.cluster.apply import ApplyOptions, ApplyResult, ObjectResult, apply_objects
from converter.cluster.connection import ApiError, Client, connect
from converter.cluster.diff import ObjectDiff, diff_live, diff_sets, differs
from converter.cluster.manifests import ManifestSet, read_manifests
from converter.cluster.objects import ObjectRef, project_of
from converter.cluster.teardown import Removal, remove_project
from converter.cluster.wait import WaitError, WorkloadStatus, observe, wait_for, workloads_of

__all__ = [
    "ApiError",
    "ApplyOptions",
    "ApplyResult",
    "Client",
    "ManifestSet",
    "ObjectDiff",
    "ObjectRef",
    "ObjectResult",
    "Removal",
    "WaitError",
    "WorkloadStatus",
    "apply_objects",
    "connect",
    "diff_live",
    "diff_sets",
    "observe",
    "differs",
    "project_of",
    "read_manifests",
    "remove_project",
    "wait_for",
    "workloads_of",
]
