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


def test_r_vol_03_small_read_only_directory_becomes_configmap_with_items():
    hp = {"/proj/conf.d": HostPath(path="/proj/conf.d", kind="dir", entries={"a.conf": b"a", "sub/b.conf": b"b"})}
    bundle = run(service("app", image="x", volumes=[VolumeMount(type="bind", source="/proj/conf.d", target="/etc/c",
                                                                read_only=True)]),
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
        pytest.param("/proj/big", HostPath(path="/proj/big", kind="dir", entries=None, note="more than 64 files"), None,
                     id="R-VOL-04-big-read-only-directory"),
        pytest.param("/proj/blob", HostPath(path="/proj/blob", kind="file", content=b"\xff" * 800_000), None,
                     id="R-VOL-04-binary-too-big-once-base64-encoded"),
        pytest.param("/proj/fifo", HostPath(path="/proj/fifo", kind="other"), None, id="R-VOL-04-fifo-in-project"),
    ],
)
def test_dev_only_mounts_are_reported(source, host, build):
    fields = {"build": build} if build else {"image": "x"}
    bundle = run(service("app", volumes=[VolumeMount(type="bind", source=source, target="/t", read_only=True)], **fields),
                 host_paths={source: host})
    assert "KM-W-DEV-MOUNT" in codes(bundle)
    assert traces(bundle, "services.app.volumes[0]")[0].status == "unsupported"
    assert "bind-0" not in _vols(bundle)


def test_r_vol_03_read_write_directory_is_not_a_configmap_snapshot():
    """Old behaviour: `./data/db:/var/lib/postgresql/data` became a read-only ConfigMap."""
    hp = {"/proj/data/db": HostPath(path="/proj/data/db", kind="dir", entries={"PG_VERSION": b"16\n"})}
    bundle = run(service("app", image="postgres:16", volumes=[
        VolumeMount(type="bind", source="/proj/data/db", target="/var/lib/postgresql/data")]), host_paths=hp)
    assert not [o for o in bundle.objects if o.kind == "ConfigMap"]
    assert _mounts(bundle)["bind-data-db"] == {"name": "bind-data-db", "mountPath": "/var/lib/postgresql/data"}


@pytest.mark.parametrize(
    ("host", "read_only", "target", "volume"),
    [
        pytest.param(HostPath(path="/proj/data/db", kind="dir", entries={}), False, "/var/lib/mysql",
                     {"persistentVolumeClaim": {"claimName": "bind-data-db"}}, id="R-VOL-10-read-write-directory-pvc"),
        pytest.param(HostPath(path="/proj/data/db", kind="missing"), False, "/var/lib/mysql",
                     {"persistentVolumeClaim": {"claimName": "bind-data-db"}}, id="R-VOL-10-missing-source-pvc"),
        pytest.param(HostPath(path="/proj/data/db", kind="missing"), True, "/etc/app",
                     {"emptyDir": {}}, id="R-VOL-10-missing-read-only-source-empty-dir"),
        pytest.param(HostPath(path="/proj/data/db", kind="dir", entries={}), False, "/app/cache",
                     {"emptyDir": {}}, id="R-VOL-10-scratch-target-empty-dir"),
    ],
)
def test_state_directories(host, read_only, target, volume):
    bundle = run(service("app", image="x", volumes=[VolumeMount(type="bind", source="/proj/data/db", target=target,
                                                                read_only=read_only)]),
                 host_paths={"/proj/data/db": host})
    [vol] = pod(bundle, "Deployment", "app")["volumes"]
    assert {k: v for k, v in vol.items() if k != "name"} == volume
    [mount] = main(bundle)["volumeMounts"]
    assert mount.get("readOnly", False) is read_only and mount["mountPath"] == target
    assert traces(bundle, "services.app.volumes[0]")[0].rule == "R-VOL-10"
    if "persistentVolumeClaim" in volume:
        claim = obj(bundle, "PersistentVolumeClaim", "bind-data-db")
        assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
        assert "KM-W-BIND-STATE" in codes(bundle)
    else:
        assert "KM-W-BIND-EMPTY" in codes(bundle)


def test_r_vol_10_two_services_binding_one_directory_share_one_claim():
    m = VolumeMount(type="bind", source="/proj/uploads", target="/srv/uploads")
    hp = {"/proj/uploads": HostPath(path="/proj/uploads", kind="dir", entries={})}
    bundle = run(service("web", image="x", volumes=[m]), service("worker", image="y", volumes=[m]), host_paths=hp)
    claims = [o for o in bundle.objects if o.kind == "PersistentVolumeClaim"]
    assert [c.name for c in claims] == ["bind-uploads"] and claims[0].service is None
    assert codes(bundle).count("KM-W-PVC-SHARED") == 1


@pytest.mark.parametrize(
    ("source", "host", "read_only", "expected"),
    [
        pytest.param("/proc", HostPath(path="/proc", kind="outside", host_path="/proc"), True,
                     {"path": "/proc"}, id="R-VOL-09-proc-read-only"),
        pytest.param("/var/log", None, False, {"path": "/var/log"}, id="R-VOL-09-absolute-path-never-read"),
        pytest.param("/proj/link", HostPath(path="/proj/link", kind="outside", host_path="/etc",
                                            note="a symlink leaves the project"), True, {"path": "/etc"},
                     id="R-VOL-09-symlink-leaving-the-project"),
        pytest.param("/var/run/docker.sock", None, False, {"path": "/var/run/docker.sock", "type": "Socket"},
                     id="R-VOL-09-docker-socket"),
    ],
)
def test_host_paths_become_host_path_volumes(source, host, read_only, expected):
    hp = {source: host} if host else {}
    bundle = run(service("app", image="x", volumes=[VolumeMount(type="bind", source=source, target="/host/x",
                                                                read_only=read_only)]), host_paths=hp)
    assert _vols(bundle)["bind-0"]["hostPath"] == expected
    assert _mounts(bundle)["bind-0"].get("readOnly", False) is read_only
    assert not [o for o in bundle.objects if o.kind == "ConfigMap"], "nothing of this machine in a ConfigMap"
    template = obj(bundle, "Deployment", "app")["spec"]["template"]
    assert template["metadata"]["annotations"]["lint.kubemap.io/accept-host-paths"] == expected["path"]
    code = "KM-W-DOCKER-SOCK" if "docker.sock" in source else "KM-W-HOSTPATH"
    assert code in codes(bundle)
    assert traces(bundle, "services.app.volumes[0]")[0].rule == "R-VOL-09"


@pytest.mark.parametrize(
    ("fields", "strategy"),
    [
        pytest.param({"volumes": [VolumeMount(type="volume", source="data", target="/data")]}, {"type": "Recreate"},
                     id="R-WL-07-named-volume-recreate"),
        pytest.param({"volumes": [VolumeMount(type="bind", source="/proj/data", target="/data")]}, {"type": "Recreate"},
                     id="R-WL-07-bind-claim-recreate"),
        pytest.param({"volumes": [VolumeMount(type="volume", source="data", target="/data")],
                      "extensions": {"x-kubemap": {"volumes": {"data": {"access_mode": "ReadWriteMany"}}}}}, None,
                     id="R-WL-07-rwx-keeps-rolling"),
        pytest.param({"volumes": [VolumeMount(type="tmpfs", target="/t")]}, None, id="R-WL-07-no-claim-no-strategy"),
    ],
)
def test_rwo_claims_make_deployments_recreate(fields, strategy):
    bundle = run(service("app", image="x", **fields), volumes={"data": Volume(name="data")},
                 host_paths={"/proj/data": HostPath(path="/proj/data", kind="dir", entries={})})
    assert obj(bundle, "Deployment", "app")["spec"].get("strategy") == strategy


def test_r_wl_07_update_config_rolling_update_is_overridden_and_reported():
    from converter.model import Deploy

    bundle = run(service("app", image="x", deploy=Deploy(update_config={"order": "start-first"}),
                         volumes=[VolumeMount(type="volume", source="data", target="/data")]),
                 volumes={"data": Volume(name="data")})
    assert obj(bundle, "Deployment", "app")["spec"]["strategy"] == {"type": "Recreate"}
    assert any("Recreate" in f.message for f in bundle.findings)


def test_r_wl_07_statefulset_keeps_its_update_strategy():
    bundle = run(service("db", image="postgres:16", volumes=[VolumeMount(type="volume", source="data", target="/d")]),
                 volumes={"data": Volume(name="data")})
    assert "strategy" not in obj(bundle, "StatefulSet", "db")["spec"]


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
