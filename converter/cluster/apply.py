"""Server-side apply of a set of objects into one namespace, with optional prune."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby

from converter.cluster.connection import ApiError, Client
from converter.cluster.objects import KubeObject, ObjectRef, in_namespace, ref_of
from converter.cluster.resources import PRUNABLE_KINDS, Discovery, Resource, apply_tier
from converter.errors import ClusterError
from converter.model.kube import kind_rank
from converter.model.ownership import FIELD_MANAGER, PROJECT_LABEL

APPLY_PATCH = "application/apply-patch+yaml"  # JSON is YAML, so the body is sent as JSON


@dataclass(frozen=True)
class ApplyOptions:
    namespace: str
    project: str | None = None
    dry_run: bool = False
    force_conflicts: bool = False
    prune: bool = False
    # Requests in flight at once within one kind; the API server handles them in parallel.
    workers: int = 8


@dataclass(frozen=True)
class ObjectResult:
    ref: ObjectRef
    action: str  # created | applied | pruned | namespace created (+ " (server dry run)")


@dataclass
class ApplyResult:
    applied: list[ObjectResult] = field(default_factory=list)
    pruned: list[ObjectResult] = field(default_factory=list)


Progress = Callable[[ObjectResult], None]


def apply_objects(
    client: Client,
    objects: list[KubeObject],
    options: ApplyOptions,
    on_result: Progress | None = None,
) -> ApplyResult:
    """Apply every object (Namespace first, then dependencies before workloads), then prune.

    Each object is one idempotent server-side apply, so an interrupted run leaves a subset
    applied and the next run converges.
    """
    report = on_result or (lambda _result: None)
    discovery = Discovery(client)
    discovery.prefetch({str(obj.get("apiVersion")) for obj in objects})
    placed = [_place(discovery, obj, options.namespace) for obj in objects]
    result = ApplyResult()

    namespace_action = ensure_namespace(client, options.namespace, options.project, options.dry_run)
    if namespace_action:
        created = ObjectResult(ObjectRef("Namespace", options.namespace), namespace_action)
        result.applied.append(created)
        report(created)

    failures: list[str] = []
    ordered = sorted(placed, key=lambda pair: (kind_rank(pair[1]["kind"]), pair[1]["kind"], ref_of(pair[1]).name))
    with ThreadPoolExecutor(max_workers=options.workers) as pool:
        for _tier, group in groupby(ordered, key=lambda pair: apply_tier(pair[1]["kind"])):
            futures = [(ref_of(obj), pool.submit(_apply_one, client, res, obj, options)) for res, obj in group]
            failures += _collect(futures, result, report)
            # Later tiers depend on earlier ones; stop a real apply at the first failing tier.
            if failures and not options.dry_run:
                break
    if failures:
        raise ClusterError(_summary(failures, options.dry_run))

    if options.prune:
        if not options.project:
            raise ClusterError(
                f"--prune needs the {PROJECT_LABEL} label on the objects to know what is kubemap's",
                hint="render the manifests with `kubemap convert`, which sets it",
            )
        keep = {(ref.kind, ref.name) for ref in (ref_of(obj) for _res, obj in placed)}
        for pruned in prune(client, discovery, options, keep):
            result.pruned.append(pruned)
            report(pruned)
    return result


def _place(discovery: Discovery, obj: KubeObject, namespace: str) -> tuple[Resource, KubeObject]:
    resource = discovery.resolve(obj["apiVersion"], obj["kind"])
    return resource, in_namespace(obj, namespace if resource.namespaced else None)


def _collect(
    futures: list[tuple[ObjectRef, Future[ObjectResult]]], result: ApplyResult, report: Progress
) -> list[str]:
    failures: list[str] = []
    try:
        for ref, future in futures:
            try:
                outcome = future.result()
            except ApiError as error:
                failures.append(describe_failure(ref, error))
                continue
            result.applied.append(outcome)
            report(outcome)
    except BaseException:
        # Ctrl-C or a lost connection: drop what has not started; in-flight requests finish.
        for _ref, future in futures:
            future.cancel()
        raise
    return failures


def _apply_one(client: Client, resource: Resource, obj: KubeObject, options: ApplyOptions) -> ObjectResult:
    ref = ref_of(obj)
    query = {"fieldManager": FIELD_MANAGER}
    if options.force_conflicts:
        query["force"] = "true"
    if options.dry_run:
        query["dryRun"] = "All"
    path = resource.path(ref.name, ref.namespace)
    replaced = False
    try:
        response = client.request("PATCH", path, body=obj, query=query, content_type=APPLY_PATCH)
    except ApiError as error:
        if not _is_immutable_job_change(ref, error):
            raise
        _replace_finished_job(client, path, ref, options.dry_run)
        response = client.request("PATCH", path, body=obj, query=query, content_type=APPLY_PATCH)
        replaced = True
    action = "replaced (finished Job)" if replaced else "created" if response.status == 201 else "applied"
    return ObjectResult(ref, action + (" (server dry run)" if options.dry_run else ""))


def _is_immutable_job_change(ref: ObjectRef, error: ApiError) -> bool:
    """A Job's pod template cannot change; Compose re-runs a one-shot service with the new
    definition, so kubemap replaces the Job when it has finished."""
    return ref.kind == "Job" and error.status == 422 and "field is immutable" in str(error.body.get("message", ""))


def _replace_finished_job(client: Client, path: str, ref: ObjectRef, dry_run: bool) -> None:
    live = client.request("GET", path).body
    status = live.get("status") or {}
    finished = any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
                   for c in status.get("conditions") or [])
    if not finished:
        raise ClusterError(
            f"{ref}: its pod template changed, and a Job's template cannot change while it runs",
            hint=f"wait for the Job to finish (or delete it: kubectl -n {ref.namespace} delete job {ref.name}) and re-run",
        )
    query = {"propagationPolicy": "Background"}
    if dry_run:
        query["dryRun"] = "All"
        return  # a dry run cannot show the re-created Job; the delete was accepted
    client.request("DELETE", path, query=query)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            client.request("GET", path)
        except ApiError as error:
            if error.status == 404:
                return
            raise
        time.sleep(0.5)
    raise ClusterError(f"{ref}: the finished Job was deleted but is still there after 60 s",
                       hint="check for finalizers on the Job, then re-run")


def ensure_namespace(client: Client, namespace: str, project: str | None, dry_run: bool) -> str | None:
    """Create the namespace when it is missing; returns what was done, or None."""
    try:
        client.request("GET", f"/api/v1/namespaces/{namespace}")
        return None
    except ApiError as error:
        if error.status != 404:
            raise
    if dry_run:
        raise ClusterError(
            f"namespace {namespace!r} does not exist, so the server cannot dry-run objects in it",
            hint="apply without --dry-run (it creates the namespace) or pick an existing --namespace",
        )
    labels = {PROJECT_LABEL: project} if project else {}
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": labels}}
    client.request("PATCH", f"/api/v1/namespaces/{namespace}", body=body,
                   query={"fieldManager": FIELD_MANAGER}, content_type=APPLY_PATCH)
    return "namespace created"


def prune(
    client: Client, discovery: Discovery, options: ApplyOptions, keep: set[tuple[str, str]]
) -> Iterable[ObjectResult]:
    """Delete objects of this project (label) that kubemap applied but no longer generates.

    Only objects whose managedFields show kubemap's own apply are touched, so objects that merely
    copy the label (a StatefulSet's claims, Pods of a ReplicaSet) are never deleted.
    """
    selector = f"{PROJECT_LABEL}={options.project}"
    kinds = sorted(PRUNABLE_KINDS.items(), key=lambda item: -kind_rank(item[0]))  # workloads first
    for kind, api_version in kinds:
        if not discovery.serves(api_version, kind):
            continue
        resource = discovery.resolve(api_version, kind)
        listing = client.request(
            "GET", resource.collection_path(options.namespace), query={"labelSelector": selector}
        ).body
        for item in listing.get("items", []):
            name = item["metadata"]["name"]
            if (kind, name) in keep or not applied_by_kubemap(item):
                continue
            query = {"propagationPolicy": "Background"}
            if options.dry_run:
                query["dryRun"] = "All"
            try:
                client.request("DELETE", resource.path(name, options.namespace), query=query)
            except ApiError as error:
                if error.status != 404:  # already gone is what we wanted
                    raise
            action = "pruned" + (" (server dry run)" if options.dry_run else "")
            yield ObjectResult(ObjectRef(kind, name, options.namespace, api_version), action)


def applied_by_kubemap(item: KubeObject) -> bool:
    entries = (item.get("metadata") or {}).get("managedFields") or []
    return any(e.get("manager") == FIELD_MANAGER and e.get("operation") == "Apply" for e in entries)


def describe_failure(ref: ObjectRef, error: ApiError) -> str:
    """One readable line for a refused object: conflicts name fields and managers, invalid
    objects name the fields and what is wrong."""
    details = error.body.get("details") or {}
    causes = details.get("causes") or []
    if error.status == 409 and causes:
        conflicts = "; ".join(_conflict(c) for c in causes)
        return (f"{ref}: {conflicts} (another field manager owns these fields; re-run with "
                "--force-conflicts to take them over)")
    if error.status == 422:
        fields = "; ".join(f"{c.get('field', '?')}: {c.get('message', '')}" for c in causes)
        return f"{ref} is invalid: {fields or error.body.get('message', '')}"
    if error.status == 404 and ref.namespace:
        return f"{ref}: {error.body.get('message', 'not found')}"
    return f"{ref}: {error.message}"


def _conflict(cause: dict[str, str]) -> str:
    message, field = cause.get("message", "conflict"), cause.get("field", "")
    return f"{message} on {field}" if field and field not in message else message


def _summary(failures: list[str], dry_run: bool) -> str:
    head = "server dry run rejected" if dry_run else "the API server rejected"
    shown = failures[:5] + ([f"... and {len(failures) - 5} more"] if len(failures) > 5 else [])
    return f"{head} {len(failures)} object(s): " + " | ".join(shown)
