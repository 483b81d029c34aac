"""`kubemap up`, `down` and `status`, step by step. The local tools run from here (converter/up);
every request to the API server goes through converter.cluster.

up:   build images (docker compose build) → with --registry, tag and push them → find or
      create the kind cluster (provider, node image, the project's port mappings; recorded in
      the cluster as made by kubemap) → load the images the node lacks (with --registry: the
      built ones are pulled by the node from the registry instead, converter/up/registry.py) →
      server-side apply (+ prune) → wait with a per-service table → URLs. With --context: an
      existing cluster, nothing kind-specific (no cluster, no loading).
down: the project's namespace (or, if kubemap did not create it, the project's objects) → the
      kind cluster, when `up` created it for this project and no other project is left in it
      (or always with --cluster).
status: one round of the table, and the URLs.
Every step can be interrupted and run again: each converges to the same end state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from converter import __version__
from converter.cluster import (
    ApplyOptions,
    Client,
    WaitError,
    WorkloadStatus,
    apply_objects,
    connect,
    observe,
    wait_for,
    workloads_of,
)
from converter.cluster.endpoints import node_addresses, node_port_holders, published_ports
from converter.cluster.record import projects_in_cluster, read_record, write_record
from converter.cluster.teardown import Removal, remove_project
from converter.errors import ClusterError
from converter.up import engines, kind, registry
from converter.up.images import (
    BuildPlan,
    LoadResult,
    SavedInBackground,
    build,
    images_of,
    load_missing,
    local_image_ids,
)
from converter.up.process import ToolError, capture
from converter.up.progress import Reporter
from converter.up.tools import find_kind, require_docker
from converter.up.urls import Url, cluster_urls, kind_urls

DEFAULT_CLUSTER = "kubemap"


@dataclass(frozen=True)
class Target:
    """Where the project goes: an existing cluster (context) or a local kind cluster (name)."""

    context: str | None = None
    kubeconfig: str | None = None
    cluster_name: str = DEFAULT_CLUSTER


@dataclass(frozen=True)
class Deployable:
    """The project as objects, and what is needed to build and host it."""

    objects: list[dict[str, Any]]
    project: str | None
    namespace: str
    kind_config: dict[str, Any] | None = None  # kind config with the project's port mappings
    build: BuildPlan | None = None


@dataclass(frozen=True)
class UpOptions:
    wait: bool = True
    timeout: float = 300.0
    prune: bool = True
    force_conflicts: bool = False
    build: bool = True
    node_image: str | None = None  # --node-image / KIND_NODE_IMAGE
    local_node: str | None = None  # KIND_LOCAL_NODE: "1" kubemap's node image, "0" kind's
    host_port_offset: int = 0
    registry: str | None = None  # built images go through this registry instead of `kind load`


@dataclass
class UpResult:
    context: str
    namespace: str
    created_cluster: bool = False
    applied: int = 0
    pruned: int = 0
    images: LoadResult | None = None
    pushed: list[str] = field(default_factory=list)  # --registry: pushed there
    pulled: list[str] = field(default_factory=list)  # --registry: pulled from there by the kind nodes
    statuses: list[WorkloadStatus] = field(default_factory=list)
    urls: list[Url] = field(default_factory=list)


@dataclass(frozen=True)
class DownOptions:
    cluster: bool | None = None  # True: delete the kind cluster; False: keep it; None: if up made it
    wait: bool = True
    timeout: float = 300.0


@dataclass
class DownResult:
    context: str
    removal: Removal | None = None
    cluster_deleted: bool = False
    cluster_kept_because: str = ""
    nothing_there: bool = False


@dataclass
class StatusResult:
    context: str
    namespace: str
    statuses: list[WorkloadStatus]
    urls: list[Url]


def up(target: Target, deployable: Deployable, options: UpOptions, reporter: Reporter) -> UpResult:
    cluster: kind.Cluster | None = None
    created = False
    pushed: list[str] = []
    if deployable.build and options.build:
        build(deployable.build, reporter)
    if deployable.build and options.registry:
        pushed = [p.image for p in registry.tag_and_push(deployable.build.built, True, reporter)]
    pulled: list[str] = []
    if target.context:
        client = connect(target.kubeconfig, target.context)
        _say_images_must_be_pullable(client.context, deployable, options, reporter)
        loaded = None
    else:
        saved: SavedInBackground | None = None
        try:
            cluster, created, saved = _kind_cluster(target, deployable, options, reporter)
            try:
                client = _connect_kind(cluster)
                if created:
                    write_record(client, {"cluster": cluster.name, "provider": cluster.provider,
                                          "created-for": deployable.project or deployable.namespace,
                                          "kubemap-version": __version__})
            except BaseException:
                if created:  # a cluster nobody recorded would outlive every `kubemap down`: take it back
                    reporter.note(f"removing the cluster {cluster.name} again: it was created but not recorded")
                    capture([cluster.kind, "delete", "cluster", "--name", cluster.name, *cluster.kubeconfig_args()],
                            env=cluster.env(), timeout=300)
                raise
            _check_port_mappings(cluster, deployable, options, reporter)
            nodes = _nodes(cluster)
            loaded = _load_images(cluster, nodes, deployable, options, reporter, saved=saved)
            if options.registry:
                pulled = _pull_from_registry(cluster, nodes, deployable, options.registry, reporter)
        finally:
            if saved is not None:
                saved.close()
    result = UpResult(client.context, deployable.namespace, created_cluster=created, images=loaded,
                      pushed=pushed, pulled=pulled)
    _check_node_ports_free(client, deployable)

    with reporter.step(f"applying {len(deployable.objects)} objects to namespace {deployable.namespace} "
                       f"(context {client.context})"):
        applied = apply_objects(client, deployable.objects, ApplyOptions(
            namespace=deployable.namespace, project=deployable.project, prune=options.prune and bool(deployable.project),
            force_conflicts=options.force_conflicts), reporter.applied)
    result.applied, result.pruned = len(applied.applied), len(applied.pruned)

    if options.wait:
        workloads = workloads_of(deployable.objects, deployable.namespace)
        try:
            result.statuses = wait_for(client, workloads, options.timeout, reporter.statuses, give_up_when_stuck=True)
        except WaitError as error:
            raise ClusterError(error.message, hint=_stuck_hint(error.stuck, cluster, error.hint)) from None
    result.urls = _urls(client, cluster, deployable.namespace)
    return result


def down(target: Target, deployable: Deployable, options: DownOptions, reporter: Reporter) -> DownResult:
    wait_seconds = options.timeout if options.wait else None
    if target.context:
        if options.cluster:
            raise ToolError("--cluster deletes a kind cluster by name; with --context kubemap down removes only "
                            "the project", hint="drop --context (and use --cluster-name), or drop --cluster")
        client = connect(target.kubeconfig, target.context)
        with reporter.step(f"removing {deployable.namespace} (context {client.context})"):
            removal = remove_project(client, deployable.namespace, deployable.project, wait_seconds=wait_seconds,
                                     on_progress=reporter.output)
        return DownResult(client.context, removal)

    provider = engines.find_cluster(target.cluster_name)
    if provider is None:
        return DownResult(f"kind-{target.cluster_name}", nothing_there=True)
    cluster = kind.Cluster(target.cluster_name, provider, find_kind(reporter), target.kubeconfig)
    result = DownResult(cluster.context)
    if options.cluster:
        with reporter.step(f"deleting the kind cluster {cluster.name} ({provider}) with everything in it"):
            kind.delete(cluster, reporter)
        result.cluster_deleted = True
        return result
    client = _connect_kind(cluster)
    with reporter.step(f"removing {deployable.namespace} (context {client.context})"):
        result.removal = remove_project(client, deployable.namespace, deployable.project, wait_seconds=wait_seconds,
                                        on_progress=reporter.output)
    mine = deployable.project or deployable.namespace
    others = sorted({p for p in projects_in_cluster(client).values() if p != mine})
    result.cluster_kept_because = keep_cluster_because(options.cluster, read_record(client), mine, others)
    if not result.cluster_kept_because:
        with reporter.step(f"deleting the kind cluster {cluster.name} (kubemap up created it for {mine})"):
            kind.delete(cluster, reporter)
        result.cluster_deleted = True
    return result


def keep_cluster_because(option: bool | None, record: dict[str, str] | None, project: str,
                         other_projects: list[str]) -> str:
    """Why `kubemap down` keeps the kind cluster; empty: delete it. It goes only when kubemap up
    created it for this project and no other kubemap project is left in it (--keep-cluster:
    never; --cluster is handled before, without looking at the cluster at all)."""
    if option is False:
        return "--keep-cluster"
    if not record:
        return "kubemap up did not create it"
    if record.get("created-for") != project:
        return f"kubemap up created it for project {record.get('created-for')}"
    if other_projects:
        return f"project(s) {', '.join(other_projects)} still run in it"
    return ""


def status(target: Target, deployable: Deployable, reporter: Reporter) -> StatusResult:
    cluster = None
    if target.context:
        client = connect(target.kubeconfig, target.context)
    else:
        provider = engines.find_cluster(target.cluster_name)
        if provider is None:
            raise ClusterError(f"there is no kind cluster named {target.cluster_name}",
                               hint="kubemap up creates it (or pass --context for another cluster)")
        cluster = kind.Cluster(target.cluster_name, provider, find_kind(reporter), target.kubeconfig)
        client = _connect_kind(cluster)
    statuses = observe(client, workloads_of(deployable.objects, deployable.namespace))
    return StatusResult(client.context, deployable.namespace, statuses, _urls(client, cluster, deployable.namespace))


# -- kind ------------------------------------------------------------------------------------

def _kind_cluster(target: Target, deployable: Deployable, options: UpOptions,
                  reporter: Reporter) -> tuple[kind.Cluster, bool, SavedInBackground | None]:
    """The kind cluster to use, created when there is none (True); a new cluster lacks every
    image, so their `docker save` starts before the cluster is created and runs alongside."""
    require_docker()
    kind_bin = find_kind(reporter)
    provider = engines.find_cluster(target.cluster_name)
    if provider is not None:
        cluster = kind.Cluster(target.cluster_name, provider, kind_bin, target.kubeconfig)
        stopped = {n: s for n, s in engines.node_containers(provider, cluster.name).items()
                   if not engines.is_running(s)}
        if stopped:
            names = ", ".join(f"{n} ({s})" for n, s in sorted(stopped.items()))
            raise ToolError(f"the kind cluster {cluster.name} exists but its node is not running: {names}",
                            hint=f"`{provider} start {' '.join(sorted(stopped))}`, or `kubemap down --cluster` "
                                 "and kubemap up again")
        reporter.note(f"using the existing kind cluster {cluster.name} ({provider})")
        return cluster, False, None
    choice = engines.choose_provider(reporter)
    reporter.note(f"kind provider: {choice.provider} ({choice.reason})")
    cluster = kind.Cluster(target.cluster_name, choice.provider, kind_bin, target.kubeconfig)
    node = kind.choose_node_image(options.node_image, options.local_node)
    reporter.note(f"node image: {node.image or 'kind default'} ({node.reason})")
    image = kind.prepare_node_image(node, cluster.provider, reporter)
    config = kind.cluster_config(deployable.kind_config, port_offset=options.host_port_offset, local_node=node.local)
    local = sorted(local_image_ids(_loadable(deployable, options)))
    saved = SavedInBackground(local) if local else None
    try:
        with reporter.step(f"creating the kind cluster {cluster.name} ({cluster.provider})"
                           + (f"; saving {len(local)} image(s) meanwhile" if local else "")):
            kind.create(cluster, config, image, reporter)
    except BaseException:
        if saved is not None:
            saved.close()
        raise
    return cluster, True, saved


def _connect_kind(cluster: kind.Cluster) -> Client:
    """A client for kind-<name>; the context is (re)written into the kubeconfig when missing."""
    try:
        return connect(cluster.kubeconfig, cluster.context)
    except ClusterError:
        kind.export_kubeconfig(cluster)
        return connect(cluster.kubeconfig, cluster.context)


def _check_port_mappings(cluster: kind.Cluster, deployable: Deployable, options: UpOptions,
                         reporter: Reporter) -> None:
    """kind fixes a node's published ports when it creates it: say which of the project's host
    ports an existing cluster does not publish (they stay reachable on the node's address)."""
    wanted = kind.wanted_host_ports(kind.cluster_config(deployable.kind_config, port_offset=options.host_port_offset))
    bindings = engines.port_bindings(cluster.provider, cluster.control_plane)
    for node_port, (host_port, protocol, _address) in sorted(wanted.items()):
        bound = bindings.get((node_port, protocol))
        if bound is None or bound[1] != host_port:
            now = f"publishes it on {bound[1]}" if bound else "does not publish it"
            reporter.warn(f"host port {host_port} (nodePort {node_port}): the cluster {cluster.name} {now}, since "
                          "kind fixes port mappings when it creates a cluster; `kubemap down --cluster` and "
                          "kubemap up again recreate it with this project's ports")


def _nodes(cluster: kind.Cluster) -> list[str]:
    code, out = capture([cluster.kind, "get", "nodes", "--name", cluster.name], env=cluster.env())
    return out.split() if code == 0 and out.split() else [cluster.control_plane]


def _from_registry(deployable: Deployable, registry_name: str | None) -> list[str]:
    """The images the manifests name in --registry: the nodes pull them from there."""
    if not registry_name:
        return []
    return [image for image in images_of(deployable.objects) if image.startswith(registry_name + "/")]


def _loadable(deployable: Deployable, options: UpOptions) -> list[str]:
    """The images `kind load` brings to the nodes: all but those the registry serves."""
    served = set(_from_registry(deployable, options.registry))
    return [image for image in images_of(deployable.objects) if image not in served]


def _load_images(cluster: kind.Cluster, nodes: list[str], deployable: Deployable, options: UpOptions,
                 reporter: Reporter, *, saved: SavedInBackground | None) -> LoadResult:
    result = load_missing(cluster, nodes, _loadable(deployable, options), reporter, saved)
    if result.present and not result.loaded:
        reporter.note(f"images: all {len(result.present)} already on the node")
    elif result.present:
        reporter.note(f"images: {len(result.present)} already on the node")
    if result.missing:
        reporter.warn(f"image(s) neither in the local Docker engine nor on the node: {', '.join(result.missing)}; "
                      "the node will try to pull them")
    return result


def _pull_from_registry(cluster: kind.Cluster, nodes: list[str], deployable: Deployable, registry_name: str,
                        reporter: Reporter) -> list[str]:
    images = _from_registry(deployable, registry_name)
    if not images:
        return []
    endpoint = registry.point_nodes_at(cluster, nodes, registry_name, reporter)
    registry.pull_on_nodes(cluster, nodes, images, registry_name, endpoint=endpoint, reporter=reporter)
    return images


def _say_images_must_be_pullable(context: str, deployable: Deployable, options: UpOptions,
                                 reporter: Reporter) -> None:
    images = images_of(deployable.objects)
    built = sorted(set(deployable.build.images) & set(images)) if deployable.build else []
    if options.registry:
        built = [image for image in built if not image.startswith(options.registry + "/")]
    reporter.note(f"context {context}: kubemap loads no images into this cluster; it pulls the {len(images)} "
                  "image(s) itself" + (f". Built here: {', '.join(built)}: push them to a registry it can reach "
                                       "(--registry), unless it shares this Docker engine" if built else ""))


def _check_node_ports_free(client: Client, deployable: Deployable) -> None:
    wanted = {int(p["nodePort"]): str(o["metadata"]["name"]) for o in deployable.objects if o.get("kind") == "Service"
              for p in (o.get("spec") or {}).get("ports") or [] if p.get("nodePort")}
    held = node_port_holders(client, set(wanted), deployable.namespace)
    if held:
        taken = "; ".join(f"nodePort {port} (Service {wanted[port]}) is held by Service {who}"
                          for port, who in sorted(held.items()))
        raise ClusterError(f"published port(s) already taken in this cluster: {taken}",
                           hint="a nodePort, like a host port, serves one project at a time: `kubemap down` the "
                                "other project first, or publish another port")


def _urls(client: Client, cluster: kind.Cluster | None, namespace: str) -> list[Url]:
    ports = published_ports(client, namespace)
    if not ports:
        return []
    addresses = node_addresses(client)
    if cluster is None:
        return cluster_urls(ports, addresses)
    return kind_urls(ports, engines.port_bindings(cluster.provider, cluster.control_plane), addresses)


def _stuck_hint(stuck: list[WorkloadStatus], cluster: kind.Cluster | None, default: str | None) -> str | None:
    problems = [s.problem for s in stuck if s.problem]
    pulls = sorted({p.image for p in problems if p.reason in ("ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull")})
    if pulls and cluster is not None:
        return (f"kubemap up loads into the node the images the local Docker engine has; {', '.join(pulls)} "
                "is not there and the node cannot pull it: build or pull it locally, or fix the image name")
    if pulls:
        return (f"the cluster cannot pull {', '.join(pulls)}: kubemap up loads images only into kind clusters; "
                "push the image to a registry the cluster can reach and name it so in `image:`")
    if any(p.reason == "CrashLoopBackOff" for p in problems):
        return "the container keeps exiting: see its last log lines above, fix it and run kubemap up again"
    if any(p.reason == "Unschedulable" for p in problems):
        return "no node can take the Pod (the scheduler's message says why): lower deploy.resources or add capacity"
    return default
