"""converter/up/kind.py: the kind config a new cluster is created with."""

from __future__ import annotations

from converter.model.bundle import HostPort
from converter.render.kind_config import kind_cluster_config
from converter.up.kind import HOSTPATH_PROVISIONER_PATCH, REGISTRY_CONFIG_PATCH, cluster_config, wanted_host_ports

GENERATED = kind_cluster_config([
    HostPort(service="gateway", host_port=8080, node_port=32544, protocol="tcp", host_ip="0.0.0.0"),
    HostPort(service="frontend", host_port=3000, node_port=30232, protocol="tcp", host_ip="127.0.0.1"),
])


def test_the_generated_config_is_used_plus_containerds_registry_folder() -> None:
    # certs.d lets `kubemap up --registry` point the node at a registry later (converter/up/registry.py)
    assert cluster_config(GENERATED) == {**GENERATED, "containerdConfigPatches": [REGISTRY_CONFIG_PATCH]}
    own = dict(GENERATED, containerdConfigPatches=['[plugins."io.containerd.grpc.v1.cri".registry]\n'
                                                   '  config_path = "/etc/containerd/certs.d"\n'])
    assert cluster_config(own)["containerdConfigPatches"] == own["containerdConfigPatches"]  # not twice
    assert wanted_host_ports(GENERATED) == {32544: (8080, "TCP", "0.0.0.0"), 30232: (3000, "TCP", "127.0.0.1")}


def test_an_offset_shifts_host_ports_only_and_leaves_the_generated_config_alone() -> None:
    shifted = cluster_config(GENERATED, port_offset=10000)
    assert wanted_host_ports(shifted) == {32544: (18080, "TCP", "0.0.0.0"), 30232: (13000, "TCP", "127.0.0.1")}
    assert wanted_host_ports(GENERATED)[32544][0] == 8080


def test_kubemaps_node_image_gets_the_host_path_provisioner_once() -> None:
    config = cluster_config(GENERATED, local_node=True)
    assert config["kubeadmConfigPatches"] == [HOSTPATH_PROVISIONER_PATCH]
    assert cluster_config(config, local_node=True)["kubeadmConfigPatches"] == [HOSTPATH_PROVISIONER_PATCH]
    own = dict(GENERATED, kubeadmConfigPatches=["kind: InitConfiguration\n"])
    assert cluster_config(own, local_node=True)["kubeadmConfigPatches"] == ["kind: InitConfiguration\n",
                                                                            HOSTPATH_PROVISIONER_PATCH]
    assert "kubeadmConfigPatches" not in cluster_config(GENERATED)


def test_without_published_ports_a_plain_one_node_cluster() -> None:
    assert cluster_config(None) == {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4",
                                    "nodes": [{"role": "control-plane"}],
                                    "containerdConfigPatches": [REGISTRY_CONFIG_PATCH]}
