"""write_output(): atomic, removes only its own stale files, never overwrites the user's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from render_bundles import deployment, make_bundle

from converter.errors import RenderError
from converter.model import Bundle, HostPort, ManifestObject
from converter.render import RenderOptions, render, write_output


def files_in(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_writes_a_new_directory_and_leaves_no_temporary_directory(tmp_path: Path, shop_bundle: Bundle) -> None:
    files = render(shop_bundle)
    result = write_output(files, tmp_path / "out" / "k8s")
    assert files_in(tmp_path / "out" / "k8s") == files
    assert result.written == sorted(files) and result.removed == []
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["k8s"]
    assert ((tmp_path / "out" / "k8s").stat().st_mode & 0o777) != 0o700  # not mkdtemp's mode


def test_rewriting_removes_stale_kubemap_files_and_keeps_user_files(tmp_path: Path, shop_bundle: Bundle) -> None:
    out = tmp_path / "k8s"
    write_output(render(shop_bundle), out)
    (out / "README.md").write_text("my notes\n")
    (out / "overlays").mkdir()
    smaller = make_bundle([o for o in shop_bundle.objects if o.service != "web"])
    result = write_output(render(smaller), out)
    assert result.removed == ["web.yaml"]
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "_shared.yaml", "api.yaml", "kind-config.yaml", "kustomization.yaml", "overlays",
    ]
    assert (out / "README.md").read_text() == "my notes\n"


def test_switching_to_json_removes_the_old_yaml_and_back_again(tmp_path: Path, shop_bundle: Bundle) -> None:
    out = tmp_path / "k8s"
    write_output(render(shop_bundle), out)
    write_output(render(shop_bundle, RenderOptions(format="json")), out)
    assert sorted(p.name for p in out.iterdir()) == [
        "_shared.json", "api.json", "kind-config.yaml", "kustomization.yaml", "web.json",
    ]
    # JSON files carry no header; the previous kustomization.yaml says kubemap wrote them
    write_output(render(shop_bundle), out)
    assert not list(out.glob("*.json"))


def test_refuses_to_overwrite_a_file_kubemap_did_not_write(tmp_path: Path, shop_bundle: Bundle) -> None:
    out = tmp_path / "k8s"
    out.mkdir()
    (out / "api.yaml").write_text("# my hand-written manifest\n")
    with pytest.raises(RenderError, match=r"api\.yaml exists and was not written by kubemap"):
        write_output(render(shop_bundle), out)
    assert files_in(out) == {"api.yaml": b"# my hand-written manifest\n"}
    assert [p.name for p in tmp_path.iterdir()] == ["k8s"]


def test_an_output_path_that_is_a_file_is_an_error(tmp_path: Path, shop_bundle: Bundle) -> None:
    (tmp_path / "k8s").write_text("x")
    with pytest.raises(RenderError, match="is not a directory"):
        write_output(render(shop_bundle), tmp_path / "k8s")


def test_an_invalid_object_fails_before_anything_is_written(tmp_path: Path, shop_bundle: Bundle) -> None:
    out = tmp_path / "k8s"
    write_output(render(shop_bundle), out)
    before = files_in(out)
    broken = deployment("api")
    broken["spec"]["replicas"] = "two"
    bundle = make_bundle([ManifestObject(service="api", body=broken)])
    with pytest.raises(RenderError, match="bug: kubemap generated an invalid Deployment/api"):
        write_output(render(bundle), out)
    assert files_in(out) == before


def test_a_write_failure_leaves_the_previous_output_and_no_temporary_directory(
    tmp_path: Path, shop_bundle: Bundle
) -> None:
    out = tmp_path / "k8s"
    write_output(render(shop_bundle), out)
    before = files_in(out)
    with pytest.raises(RenderError, match="cannot write"):
        write_output({"bad/name.yaml": b"x"}, out)  # a name the temporary directory cannot hold
    assert files_in(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["k8s"]


def test_kind_config_maps_host_ports_to_node_ports(shop_bundle: Bundle) -> None:
    """Old behaviour: the docs promised 127.0.0.1 for a port without host_ip, a fallback no
    translated port ever reached. Now, as Compose: all interfaces unless the port names one."""
    bundle = shop_bundle.model_copy(
        update={
            "host_ports": [
                HostPort(service="web", host_port=8080, node_port=30080, protocol="tcp"),
                HostPort(service="dns", host_port=53, node_port=30053, protocol="udp", host_ip="192.168.1.5"),
            ]
        }
    )
    config = yaml.safe_load(render(bundle)["kind-config.yaml"])
    assert config == {
        "kind": "Cluster",
        "apiVersion": "kind.x-k8s.io/v1alpha4",
        "nodes": [
            {
                "role": "control-plane",
                "extraPortMappings": [
                    {"containerPort": 30053, "hostPort": 53, "listenAddress": "192.168.1.5", "protocol": "UDP"},
                    {"containerPort": 30080, "hostPort": 8080, "listenAddress": "0.0.0.0", "protocol": "TCP"},
                ],
            }
        ],
    }


def test_kind_config_without_host_ports_is_a_plain_single_node_cluster(shop_bundle: Bundle) -> None:
    config = yaml.safe_load(render(shop_bundle.model_copy(update={"host_ports": []}))["kind-config.yaml"])
    assert config["nodes"] == [{"role": "control-plane"}]
