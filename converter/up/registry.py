"""Built images through a registry instead of `kind load`: tag and push them (`kubemap build
--push`, `kubemap up --registry`), and let kind nodes pull from a registry on this machine.

kind's documented local-registry set-up, as kubemap does it:
1. containerd on every node reads registry hosts from /etc/containerd/certs.d (`config_path`,
   set by a containerdConfigPatch when kubemap creates a cluster; see kind.cluster_config);
2. for a registry on this machine's loopback (127.0.0.1:PORT, localhost:PORT), which a node
   cannot reach under that address, `certs.d/<registry>/hosts.toml` sends the node's pulls to
   http://<gateway>:PORT, the address the node reaches this machine at (the default gateway of
   its network: 10.89.0.1 under Podman, 172.18.0.1 under Docker), so the registry must listen
   there too (e.g. on 0.0.0.0). A hosts.toml kubemap did not write (kind's own script for a
   registry container on the kind network) is left alone; a registry elsewhere needs nothing;
3. every node pulls the images at once (`crictl pull`, through containerd's CRI as the kubelet
   would), so a registry the node cannot reach fails here, naming the address, not later as
   ImagePullBackOff.
"""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import dataclass

from converter.model.bundle import BuiltImage
from converter.model.registry import is_loopback, registry_host
from converter.up.kind import Cluster
from converter.up.process import ToolError, capture, run
from converter.up.progress import Reporter

CERTS_DIR = "/etc/containerd/certs.d"
MARK = "# written by kubemap up --registry"


@dataclass(frozen=True)
class Pushed:
    image: str
    digest: str  # sha256:… as the registry knows it ("" when docker did not say)


def tag_and_push(images: list[BuiltImage], push: bool, reporter: Reporter) -> list[Pushed]:
    """Tag each built image with the name the manifests use (when it differs) and push it."""
    for image in images:
        if capture(["docker", "image", "inspect", image.local])[0] != 0:
            raise ToolError(f"the image {image.local} of service {image.service} is not built",
                            hint="build it first (kubemap build, or drop --no-build)")
        if image.local != image.deployed:
            run(["docker", "tag", image.local, image.deployed], what=f"docker tag {image.local} {image.deployed}")
    if not push:
        return []
    for image in images:
        if "/" not in image.deployed.split("@", 1)[0]:
            raise ToolError(f"nowhere to push {image.deployed} (service {image.service}): its name names no "
                            "registry, and Docker Hub's library/ is not yours",
                            hint="give --registry REGISTRY, or name the image with image: REGISTRY/NAME:TAG")
    pushed = []
    for image in images:
        with reporter.step(f"pushing {image.deployed}"):
            lines = run(["docker", "push", image.deployed], what=f"docker push {image.deployed}",
                        on_line=reporter.output,
                        hint="is the registry running and reachable from this machine? Docker pushes over "
                             "plain HTTP only to loopback registries (127.0.0.0/8) unless the engine lists "
                             "the registry in insecure-registries")
        pushed.append(Pushed(image.deployed, _digest(lines)))
    return pushed


def _digest(lines: list[str]) -> str:
    """`latest: digest: sha256:… size: 1234` is docker push's last word."""
    for line in reversed(lines):
        words = line.split()
        if "digest:" in words and words.index("digest:") + 1 < len(words):
            return words[words.index("digest:") + 1]
    return ""


def node_gateway(cluster: Cluster, node: str) -> str:
    """The address `node` reaches this machine at: its default route's gateway (read from
    /proc/net/route, which every node has; `ip` may not be installed)."""
    code, out = capture([cluster.provider, "exec", node, "cat", "/proc/net/route"])
    gateway = default_gateway(out) if code == 0 else None
    if gateway is None:
        raise ToolError(f"cannot find the kind node {node}'s default gateway (/proc/net/route: {out.strip()[:200]})",
                        hint="pass a registry the node can reach by name")
    return gateway


def default_gateway(route_table: str) -> str | None:
    """The gateway of the default route in a /proc/net/route table (addresses are little-endian hex)."""
    for line in route_table.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 2 and fields[1] == "00000000" and fields[2] != "00000000":
            raw = bytes.fromhex(fields[2])
            return ".".join(str(b) for b in reversed(raw))
    return None


def has_certs_dir(cluster: Cluster, node: str) -> bool:
    """Does containerd on the node read registry hosts from certs.d (CRI registry config_path)?"""
    code, out = capture([cluster.provider, "exec", node, "containerd", "config", "dump"], timeout=60)
    if code != 0:
        return False
    try:
        config = tomllib.loads(out)
    except tomllib.TOMLDecodeError:  # a dump Python's parser refuses: the line itself says it
        return f'config_path = "{CERTS_DIR}"' in out
    registry = ((config.get("plugins") or {}).get("io.containerd.grpc.v1.cri") or {}).get("registry") or {}
    return registry.get("config_path") == CERTS_DIR


def hosts_toml(registry: str, endpoint: str) -> str:
    """containerd's hosts.toml: pulls of `registry/...` go to `endpoint` over plain HTTP."""
    return (f"{MARK}: this machine's {registry} as the node reaches it\n"
            f'server = "http://{registry_host(registry)}"\n\n'
            f'[host."{endpoint}"]\n  capabilities = ["pull", "resolve"]\n')


def point_nodes_at(cluster: Cluster, nodes: list[str], registry: str, reporter: Reporter) -> str | None:
    """Make every node pull `registry/...` from where it can reach it; the endpoint used, or
    None when nothing was needed (a registry off this machine, or a hosts.toml of the user's)."""
    if not is_loopback(registry):
        return None
    host = registry_host(registry)
    port = host.rsplit(":", 1)[1] if ":" in host.rsplit("]", 1)[-1] else "80"
    folder = f"{CERTS_DIR}/{host}"
    endpoint = None
    for node in nodes:
        if not has_certs_dir(cluster, node):
            raise ToolError(f"the kind node {node} does not read registry settings from {CERTS_DIR} (containerd's "
                            "registry config_path), so it cannot be pointed at a registry on this machine",
                            hint=f"kubemap creates clusters with it: `kubemap down --cluster` and kubemap up "
                                 f"--registry {registry} again; or give the cluster kind's containerdConfigPatches "
                                 "(kind.sigs.k8s.io/docs/user/local-registry)")
        code, existing = capture([cluster.provider, "exec", node, "cat", f"{folder}/hosts.toml"])
        if code == 0 and existing.strip() and MARK not in existing:
            reporter.note(f"{node}: {folder}/hosts.toml is not kubemap's; left as it is")
            continue
        endpoint = f"http://{node_gateway(cluster, node)}:{port}"
        content = hosts_toml(registry, endpoint)
        if existing != content:
            script = f"mkdir -p {shlex.quote(folder)} && printf %s {shlex.quote(content)} > {shlex.quote(folder)}/hosts.toml"
            run([cluster.provider, "exec", node, "sh", "-c", script], what=f"writing {folder}/hosts.toml on {node}")
        reporter.note(f"{node} pulls {registry}/... from {endpoint} (this machine as the node reaches it)")
    return endpoint


def pull_on_nodes(cluster: Cluster, nodes: list[str], images: list[str], registry: str, *, endpoint: str | None,
                  reporter: Reporter) -> None:
    """Every node pulls the images now, as the kubelet would (crictl, containerd's CRI)."""
    for node in nodes:
        for image in images:
            with reporter.step(f"{node}: pulling {image}"):
                try:
                    run([cluster.provider, "exec", node, "crictl", "pull", image], what=f"pulling {image} on {node}",
                        on_line=reporter.output)
                except ToolError as error:
                    where = f" through {endpoint}" if endpoint else ""
                    raise ToolError(f"the kind node {node} cannot pull {image} from {registry}{where}: {error.message}",
                                    hint=_unreachable_hint(registry, endpoint)) from None


def _unreachable_hint(registry: str, endpoint: str | None) -> str:
    if endpoint:
        return (f"a registry on this machine must listen where the node reaches it ({endpoint.removeprefix('http://')}),"
                " not only on 127.0.0.1: e.g. on 0.0.0.0; or run it as a container on the kind network as "
                "kind.sigs.k8s.io/docs/user/local-registry shows")
    return f"the node must reach {registry_host(registry)} itself (DNS, TLS, credentials)"
