"""A local kind cluster for `kubemap up`: its config (from the project's published ports), the
node image, creation and deletion.

Node image: `--node-image` (or KIND_NODE_IMAGE) when given; else kubemap's own node image
(`kubemap/kind-node:<kubernetes version>`, built in a kubemap checkout by
scripts/kind/build-node-image.sh from Debian packages and the Go module proxy) when KIND_LOCAL_NODE=1,
when it is already built, or when kind's registry does not even resolve; else kind's default.
"""

from __future__ import annotations

import copy
import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from converter.up.process import ToolError, capture, run
from converter.up.progress import Reporter
from converter.up.tools import repo_script

KIND_REGISTRY = "registry-1.docker.io"
# kubemap's node image gets storage from kube-controller-manager's host-path provisioner, which
# is off unless asked for; kind's own image brings its own provisioner.
HOSTPATH_PROVISIONER_PATCH = """kind: ClusterConfiguration
controllerManager:
  extraArgs:
    enable-hostpath-provisioner: "true"
"""
# containerd reads registry hosts from /etc/containerd/certs.d, so that `kubemap up --registry`
# can point the node at a registry on this machine later (kind's local-registry set-up; see
# converter/up/registry.py). Without hosts.toml files there it pulls as before.
REGISTRY_CONFIG_PATCH = """[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"
"""


@dataclass(frozen=True)
class Cluster:
    name: str
    provider: str
    kind: str  # the kind binary
    kubeconfig: str | None = None

    @property
    def context(self) -> str:
        return f"kind-{self.name}"

    @property
    def control_plane(self) -> str:
        return f"{self.name}-control-plane"

    def env(self) -> dict[str, str]:
        return {"KIND_EXPERIMENTAL_PROVIDER": self.provider}

    def kubeconfig_args(self) -> list[str]:
        return ["--kubeconfig", self.kubeconfig] if self.kubeconfig else []


@dataclass(frozen=True)
class NodeImage:
    image: str | None  # None: kind's default
    local: bool  # kubemap's own node image (needs the host-path provisioner patch)
    reason: str


def local_node_tag() -> str | None:
    """The tag of kubemap's own node image, known only in a checkout (its Kubernetes version
    is the one the repo builds)."""
    script = repo_script("kind/build-node-image.sh")
    if script is None:
        return None
    code, out = capture([str(script), "--print-tag"])
    return out.strip() if code == 0 and out.strip() else None


def choose_node_image(explicit: str | None, local_wanted: str | None) -> NodeImage:
    """explicit: --node-image / KIND_NODE_IMAGE. local_wanted: KIND_LOCAL_NODE ("1", "0" or None)."""
    local = local_node_tag()
    if explicit:
        return NodeImage(explicit, explicit == local, "--node-image")
    if local_wanted == "0" or local is None:
        return NodeImage(None, False, "kind's default node image" + (" (KIND_LOCAL_NODE=0)" if local_wanted == "0" else ""))
    if local_wanted == "1":
        return NodeImage(local, True, "KIND_LOCAL_NODE=1")
    if capture(["docker", "image", "inspect", local])[0] == 0:
        return NodeImage(local, True, "it is built")
    if not _resolves(KIND_REGISTRY):
        return NodeImage(local, True, f"{KIND_REGISTRY} does not resolve, so kind's image cannot be pulled")
    return NodeImage(None, False, "kind's default node image")


def _resolves(host: str, timeout: float = 5.0) -> bool:
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(socket.getaddrinfo, host, 443).result(timeout=timeout)
        return True
    except (OSError, FutureTimeout):
        return False
    finally:
        pool.shutdown(wait=False)


def prepare_node_image(choice: NodeImage, provider: str, reporter: Reporter) -> str | None:
    """The image reference kind should use: kubemap's own image built (or found up to date)
    and, under Podman, copied into Podman's image store."""
    if not choice.local or choice.image is None:
        return choice.image
    script = repo_script("kind/build-node-image.sh")
    if script is not None:
        with reporter.step(f"node image {choice.image} (scripts/kind/build-node-image.sh; long only the first time)"):
            run([str(script)], what="building kubemap's kind node image", on_line=reporter.output)
    elif capture(["docker", "image", "inspect", choice.image])[0] != 0:
        raise ToolError(f"the node image {choice.image} does not exist", hint="build it in a kubemap checkout "
                        "(make kind-node-image) or pass --node-image")
    if provider != "podman":
        return choice.image
    want = capture(["docker", "image", "inspect", "-f", "{{.Id}}", choice.image])[1].strip()
    have = capture(["podman", "image", "inspect", "-f", "{{.Id}}", f"localhost/{choice.image}"])
    have_id = have[1].strip() if have[0] == 0 else ""
    if have_id and want.removeprefix("sha256:") == have_id.removeprefix("sha256:"):
        return f"localhost/{choice.image}"
    with reporter.step("copying the node image into podman's image store"):
        run(["podman", "load", "-q"], stdin_from=["docker", "save", choice.image],
            what="copying the node image to podman", on_line=reporter.output)
        if have_id:  # the stale copy: about 1 GB nobody uses any more
            capture(["podman", "rmi", have_id])
    return f"localhost/{choice.image}"


def cluster_config(base: dict[str, Any] | None, *, port_offset: int = 0, local_node: bool = False) -> dict[str, Any]:
    """The kind config to create the cluster with: the generated one (port mappings of the
    project's published ports), host ports shifted by port_offset, containerd's registry
    config_path (for `kubemap up --registry`), plus the host-path provisioner for kubemap's node
    image. The generated file itself is never changed."""
    config = copy.deepcopy(base) if base else {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4",
                                               "nodes": [{"role": "control-plane"}]}
    if port_offset:
        for node in config.get("nodes") or []:
            for mapping in node.get("extraPortMappings") or []:
                mapping["hostPort"] = int(mapping["hostPort"]) + port_offset
    containerd = list(config.get("containerdConfigPatches") or [])
    if not any("config_path" in patch for patch in containerd):
        config["containerdConfigPatches"] = [*containerd, REGISTRY_CONFIG_PATCH]
    if local_node:
        patches = list(config.get("kubeadmConfigPatches") or [])
        if HOSTPATH_PROVISIONER_PATCH not in patches:
            patches.append(HOSTPATH_PROVISIONER_PATCH)
        config["kubeadmConfigPatches"] = patches
    return config


def wanted_host_ports(config: dict[str, Any]) -> dict[int, tuple[int, str, str]]:
    """nodePort -> (host port, protocol, listen address), from a kind config's port mappings."""
    wanted = {}
    for node in config.get("nodes") or []:
        for mapping in node.get("extraPortMappings") or []:
            wanted[int(mapping["containerPort"])] = (int(mapping["hostPort"]), str(mapping.get("protocol") or "TCP").upper(),
                                                     str(mapping.get("listenAddress") or "0.0.0.0"))
    return wanted


def read_kind_config(folder: Path) -> dict[str, Any] | None:
    """kind-config.yaml next to rendered manifests (what `kubemap convert` writes), if any."""
    path = folder / "kind-config.yaml"
    if not path.is_file():
        return None
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else None


def exists(cluster: Cluster) -> bool:
    code, out = capture([cluster.kind, "get", "clusters"], env=cluster.env())
    return code == 0 and cluster.name in out.split()


def create(cluster: Cluster, config: dict[str, Any], node_image: str | None, reporter: Reporter) -> None:
    """kind create cluster; on failure or Ctrl-C the half-made cluster is deleted again, so the
    next `kubemap up` starts clean."""
    with tempfile.TemporaryDirectory(prefix="kubemap-kind-") as folder:
        path = Path(folder) / "kind-config.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        argv = [cluster.kind, "create", "cluster", "--name", cluster.name, "--config", str(path), "--wait", "180s",
                *cluster.kubeconfig_args(), *(["--image", node_image] if node_image else [])]
        try:
            run(argv, what=f"creating the kind cluster {cluster.name}", env=cluster.env(), on_line=reporter.output,
                hint="a host port in use (`address already in use`)? stop what holds it (e.g. the Compose "
                     "stack) or pass --host-port-offset")
        except BaseException:
            reporter.note(f"removing the half-made cluster {cluster.name}")
            capture([cluster.kind, "delete", "cluster", "--name", cluster.name, *cluster.kubeconfig_args()],
                    env=cluster.env(), timeout=300)
            raise


def delete(cluster: Cluster, reporter: Reporter) -> None:
    run([cluster.kind, "delete", "cluster", "--name", cluster.name, *cluster.kubeconfig_args()],
        what=f"deleting the kind cluster {cluster.name}", env=cluster.env(), on_line=reporter.output)


def export_kubeconfig(cluster: Cluster) -> None:
    """Write the cluster's context into the kubeconfig (when it is missing there)."""
    run([cluster.kind, "export", "kubeconfig", "--name", cluster.name, *cluster.kubeconfig_args()],
        what=f"writing the kubeconfig context {cluster.context}", env=cluster.env())
