"""R-VOL-01..07: named volumes, binds, tmpfs, anonymous volumes, PVCs."""

from __future__ import annotations

import base64

import pytest

from converter.model import Build, HostPath, Volume, VolumeMount

from .helpers import codes, has, main, obj, pod, run, service, traces


def _vols(bundle, name="app", kind="Deployment"):
    return {v["name"]: v for v in pod(bundle, kind, name).get("volumes", [])}


def _mounts(bundle, name="app", kind="Deployment"):
    return {m["name"]: m for m in main(bundle, kind, name).get("volumeMounts", [])}


def test_r_vol_01_named_volume_becomes_pvc():
    bundle = run(service("app", image="x", volumes=[VolumeMount(type="volume", source="app_data", target="/d",
                                                                read_only=True, subpath="sub")]),
                 volumes={"app_data": Volume(name="app_data")})
    pvc = obj(bundle, "PersistentVolumeClaim", "app-data")
    assert pvc["spec"] == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    assert _vols(bundle)["app-data"] == {"name": "app-data", "persistentVolumeClaim": {"claimName": "app-data"}}
    assert _mounts(bundle)["app-data"] == {"name": "app-data", "mountPath": "/d", "readOnly": True, "subPath": "sub"}


@pytest.mark.parametrize(
    ("top_ext", "svc_ext", "expected"),
    [
        pytest.param({"size": "5Gi", "storage_class": "fast"}, {}, ("5Gi", "fast", "ReadWriteOnce"),
                     id="R-VOL-07-top-level-x-kubemap"),
        pytest.param({"size": "5Gi"}, {"volumes": {"data": {"size": "9Gi", "access_mode": "rwx"}}},
                     ("9Gi", None, "ReadWriteMany"), id="R-VOL-07-service-x-kubemap-wins"),
    ],
)
def test_pvc_settings(top_ext, svc_ext, expected):
    ext = {"x-kubemap": svc_ext} if svc_ext else {}
    bundle = run(service("app", image="x", volumes=[VolumeMount(type="volume", source="data", target="/d")],
                         extensions=ext),
                 volumes={"data": Volume(name="data", extensions={"x-kubemap": top_ext})})
    spec = obj(bundle, "PersistentVolumeClaim", "data")["spec"]
    assert (spec["resources"]["requests"]["storage"], spec.get("storageClassName"), spec["accessModes"][0]) == expected


def test_r_vol_01_shared_rwo_volume_is_reported():
    m = VolumeMount(type="volume", source="shared", target="/s")
    bundle = run(service("a", image="x", volumes=[m]), service("b", image="y", volumes=[m]),
                 volumes={"shared": Volume(name="shared")})
    assert codes(bundle).count("KM-W-PVC-SHARED") == 1
    assert has(bundle, "PersistentVolumeClaim", "shared")


def test_r_vol_07_external_volume_is_not_created():
    bundle = run(service("app", image="x", volumes=[VolumeMount(type="volume", source="ext", target="/e")]),
                 volumes={"ext": Volume(name="ext", external=True)})
    assert not has(bundle, "PersistentVolumeClaim", "ext")
    assert _vols(bundle)["ext"]["persistentVolumeClaim"]["claimName"] == "ext"
    assert traces(bundle, "volumes.ext")[0].status == "approximated"


def test_r_vol_02_file_bind_becomes_configmap_with_subpath():
    hp = {"/proj/nginx.conf": HostPath(path="/proj/nginx.conf", kind="file", size=10, content=b"server {}\n"),
          "/proj/logo.png": HostPath(path="/proj/logo.png", kind="file", size=4, content=b"\x89PNG\xff")}
    bundle = run(service("app", image="nginx", volumes=[
        VolumeMount(type="bind", source="/proj/nginx.conf", target="/etc/nginx/nginx.conf", read_only=True),
        VolumeMount(type="bind", source="/proj/logo.png", target="/srv/logo.png")]), host_paths=hp)
    conf = obj(bundle, "ConfigMap", "app-file-nginx-conf")
    assert conf["data"] == {"nginx.conf": "server {}\n"}
    logo = obj(bundle, "ConfigMap", "app-file-logo-png")
    assert base64.b64decode(logo["binaryData"]["logo.png"]) == b"\x89PNG\xff"
    assert _mounts(bundle)["bind-0"] == {"name": "bind-0", "mountPath": "/etc/nginx/nginx.conf",
                                          "subPath": "nginx.conf", "readOnly": True}
    entry = traces(bundle, "services.app.volumes[1]")[0]
    assert entry.rule == "R-VOL-02" and "converting machine" in entry.reason and "read-only" in entry.reason


def test_r_vol_02_file_inside_build_context_is_still_a_configmap():
    hp = {"/proj/gw/routes.yaml": HostPath(path="/proj/gw/routes.yaml", kind="file", content=b"r: 1\n")}
    bundle = run(service("app", build=Build(context="/proj/gw"), volumes=[
        VolumeMount(type="bind", source="/proj/gw/routes.yaml", target="/etc/routes.yaml", read_only=True)]),
        host_paths=hp)
    assert obj(bundle, "ConfigMap", "app-file-routes-yaml")["data"] == {"routes.yaml": "r: 1\n"}


def test_r_vol_03_small_directory_becomes_configmap_with_items():
    hp = {"/proj/conf.d": HostPath(path="/proj/conf.d", kind="dir", entries={"a.conf": b"a", "sub/b.conf": b"b"})}
    bundle = run(service("app", image="x", volumes=[VolumeMount(type="bind", source="/proj/conf.d", target="/etc/c")]),
                 host_paths=hp)
    cm = obj(bundle, "ConfigMap", "app-dir-conf-d")
    assert cm["data"] == {"a.conf": "a", "sub__b.conf": "b"}
    assert _vols(bundle)["bind-0"]["configMap"]["items"] == [{"key": "a.conf", "path": "a.conf"},
                                                             {"key": "sub__b.conf", "path": "sub/b.conf"}]
    assert traces(bundle, "services.app.volumes[0]")[0].rule == "R-VOL-03"


@pytest.mark.parametrize(
    ("source", "host", "build"),
    [
        pytest.param("/proj/src", HostPath(path="/proj/src", kind="dir", entries={"main.py": b"x"}), Build(context="/proj"),
                     id="R-VOL-04-source-tree-of-own-build"),
        pytest.param("/proj/big", HostPath(path="/proj/big", kind="dir", entries=None), None, id="R-VOL-04-big-directory"),
        pytest.param("/proj/missing", HostPath(path="/proj/missing", kind="missing"), None, id="R-VOL-04-missing-path"),
        pytest.param("/proj/blob", HostPath(path="/proj/blob", kind="file", content=b"\xff" * 800_000), None,
                     id="R-VOL-04-binary-too-big-once-base64-encoded"),
        pytest.param("/var/run/docker.sock", HostPath(path="/var/run/docker.sock", kind="other"), None,
                     id="R-VOL-04-docker-socket"),
    ],
)
def test_dev_only_mounts_are_reported(source, host, build):
    fields = {"build": build} if build else {"image": "x"}
    bundle = run(service("app", volumes=[VolumeMount(type="bind", source=source, target="/t")], **fields),
                 host_paths={source: host})
    assert "KM-W-DEV-MOUNT" in codes(bundle)
    assert traces(bundle, "services.app.volumes[0]")[0].status == "unsupported"
    assert "bind-0" not in _vols(bundle)


def test_r_vol_05_tmpfs_becomes_memory_emptydir():
    bundle = run(service("app", image="x", tmpfs=["/run:size=64m"],
                         volumes=[VolumeMount(type="tmpfs", target="/cache", tmpfs_size=1 << 20)]))
    vols = _vols(bundle)
    assert vols["tmpfs-0"]["emptyDir"] == {"medium": "Memory", "sizeLimit": "1Mi"}
    assert vols["tmpfs-s0"]["emptyDir"] == {"medium": "Memory", "sizeLimit": "64Mi"}
    assert _mounts(bundle)["tmpfs-s0"]["mountPath"] == "/run"


def test_r_vol_06_anonymous_volume_becomes_emptydir():
    bundle = run(service("app", image="x", volumes=[VolumeMount(type="volume", target="/scratch")]))
    assert _vols(bundle)["anon-0"] == {"name": "anon-0", "emptyDir": {}}
    assert traces(bundle, "services.app.volumes[0]")[0].rule == "R-VOL-06"


def test_r_vol_06_other_types_reported():
    bundle = run(service("app", image="x", volumes=[VolumeMount(type="npipe", source="\\\\.\\pipe\\x", target="/p")]))
    assert traces(bundle, "services.app.volumes[0]")[0].status == "unsupported"


@pytest.mark.parametrize(
    ("env", "warned"),
    [pytest.param({}, True, id="R-VOL-01-pgdata-on-volume-root"),
     pytest.param({"PGDATA": "/var/lib/postgresql/data/pgdata"}, False, id="R-VOL-01-pgdata-subdirectory")],
)
def test_postgres_data_directory_check(env, warned):
    bundle = run(service("db", image="postgres:16", environment=env,
                         volumes=[VolumeMount(type="volume", source="pg", target="/var/lib/postgresql/data")]),
                 volumes={"pg": Volume(name="pg")})
    assert ("KM-W-PGDATA" in codes(bundle)) is warned


def test_r_vol_08_duplicate_mount_points_keep_the_first():
    bundle = run(service("db", image="app", tmpfs=["/var/lib/mysql/"], volumes=[
        VolumeMount(type="volume", target="/var/lib/mysql"),
        VolumeMount(type="volume", source="data", target="/var/lib/mysql/")]),
        volumes={"data": Volume(name="data")})
    mounts = main(bundle, "Deployment", "db")["volumeMounts"]
    assert [m["mountPath"] for m in mounts] == ["/var/lib/mysql"]
    assert codes(bundle).count("KM-W-DUP-MOUNT") == 2
    assert traces(bundle, "services.db.volumes[1]")[0].rule == "R-VOL-08"
