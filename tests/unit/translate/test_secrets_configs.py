"""R-SECRET-01/02, R-CONFIG-01: secrets and configs."""

from __future__ import annotations

import base64

from converter.model import FileObject, FileReference, HostPath

from .helpers import codes, has, main, obj, pod, run, service, traces

HOST = {"/proj/db_pw.txt": HostPath(path="/proj/db_pw.txt", kind="file", content=b"s3cret")}


def test_r_secret_01_file_secret_mounted_at_default_target():
    bundle = run(service("app", image="x", secrets=[FileReference(source="db_pw")]),
                 secrets={"db_pw": FileObject(name="db_pw", file="/proj/db_pw.txt")}, host_paths=HOST)
    secret = obj(bundle, "Secret", "db-pw")
    assert base64.b64decode(secret["data"]["db_pw"]) == b"s3cret"
    vols = pod(bundle, "Deployment", "app")["volumes"]
    assert vols == [{"name": "secret-0-db-pw", "secret": {"secretName": "db-pw",
                                                          "items": [{"key": "db_pw", "path": "db_pw", "mode": 0o444}]}}]
    assert main(bundle)["volumeMounts"] == [{"name": "secret-0-db-pw", "mountPath": "/run/secrets/db_pw",
                                             "subPath": "db_pw", "readOnly": True}]
    assert "KM-W-SECRET-FILE" in codes(bundle)


def test_r_secret_02_target_mode_and_relative_target():
    bundle = run(service("app", image="x", secrets=[FileReference(source="tok", target="token", mode=0o400)],
                         configs=[FileReference(source="cfg", target="/etc/app.yaml")]),
                 secrets={"tok": FileObject(name="tok", environment="TOKEN", environment_value="abc")},
                 configs={"cfg": FileObject(name="cfg", content="a: 1\n")})
    mounts = {m["mountPath"]: m for m in main(bundle)["volumeMounts"]}
    assert set(mounts) == {"/run/secrets/token", "/etc/app.yaml"}
    vols = {v["name"]: v for v in pod(bundle, "Deployment", "app")["volumes"]}
    assert vols["secret-0-tok"]["secret"]["items"][0]["mode"] == 0o400
    assert base64.b64decode(obj(bundle, "Secret", "tok")["data"]["tok"]) == b"abc"
    assert obj(bundle, "ConfigMap", "cfg")["data"] == {"cfg": "a: 1\n"}
    assert traces(bundle, "services.app.secrets[0]")[0].rule == "R-SECRET-02"


def test_r_config_01_default_target_and_binary():
    hp = {"/proj/blob": HostPath(path="/proj/blob", kind="file", content=b"\xff\x00")}
    bundle = run(service("app", image="x", configs=[FileReference(source="blob")]),
                 configs={"blob": FileObject(name="blob", file="/proj/blob")}, host_paths=hp)
    assert base64.b64decode(obj(bundle, "ConfigMap", "blob")["binaryData"]["blob"]) == b"\xff\x00"
    assert main(bundle)["volumeMounts"][0]["mountPath"] == "/blob"


def test_r_secret_01_external_and_unused_and_missing():
    bundle = run(service("app", image="x", secrets=[FileReference(source="ext"), FileReference(source="gone")]),
                 secrets={"ext": FileObject(name="ext", external=True),
                          "unused": FileObject(name="unused", file="/proj/u"),
                          "gone": FileObject(name="gone", file="/proj/gone")})
    assert not has(bundle, "Secret", "ext") and not has(bundle, "Secret", "unused") and not has(bundle, "Secret", "gone")
    assert traces(bundle, "secrets.ext")[0].status == "approximated"
    assert traces(bundle, "secrets.unused")[0].status == "mapped"
    assert traces(bundle, "secrets.gone")[0].status == "unsupported"
    assert "KM-I-EXTERNAL" in codes(bundle)


def test_r_secret_02_uid_gid_reported():
    bundle = run(service("app", image="x", secrets=[FileReference(source="s", uid="1000")]),
                 secrets={"s": FileObject(name="s", environment="S", environment_value="v")})
    assert traces(bundle, "services.app.secrets[0]")[0].status == "approximated"


def test_r_secret_02_bad_mode_is_an_error():
    import pytest

    from converter.errors import TranslateError

    with pytest.raises(TranslateError, match="not a file permission"):
        run(service("app", image="x", secrets=[FileReference(source="s", mode=440 * 10)]),
            secrets={"s": FileObject(name="s", environment="S", environment_value="v")})


def test_r_secret_02_decimal_looking_octal_mode_is_read_as_octal():
    bundle = run(service("app", image="x", configs=[FileReference(source="c", mode=644)]),
                 configs={"c": FileObject(name="c", content="x")})
    assert pod(bundle, "Deployment", "app")["volumes"][0]["configMap"]["items"][0]["mode"] == 0o644
    assert "KM-W-MODE" in codes(bundle)


def test_secret_on_a_volume_path_is_reported():
    from converter.model import VolumeMount

    bundle = run(service("app", image="x", volumes=[VolumeMount(type="volume", target="/run/secrets/s")],
                         secrets=[FileReference(source="s")]),
                 secrets={"s": FileObject(name="s", environment="S", environment_value="v")})
    assert [m["mountPath"] for m in main(bundle)["volumeMounts"]] == ["/run/secrets/s"]
    assert "KM-W-DUP-MOUNT" in codes(bundle)


def test_r_secret_01_a_file_kubemap_did_not_read_says_why():
    """Old message: "missing or too big" for a file that was never looked at."""
    hp = {"/etc/hostname": HostPath(path="/etc/hostname", kind="outside", host_path="/etc/hostname"),
          "/home/u/s.txt": HostPath(path="/home/u/s.txt", kind="home", host_path="~/s.txt"),
          "/proj/big": HostPath(path="/proj/big", kind="file", size=2 << 20)}
    bundle = run(service("app", image="x", secrets=[FileReference(source=n) for n in ("host", "home", "big")]),
                 secrets={"host": FileObject(name="host", file="/etc/hostname"),
                          "home": FileObject(name="home", file="/home/u/s.txt"),
                          "big": FileObject(name="big", file="/proj/big")}, host_paths=hp)
    said = {f.source: f.message for f in bundle.findings if f.code == "KM-W-UNSUPPORTED"}
    assert "/etc/hostname is outside the project, so kubemap does not read it" in said["secrets.host"]
    assert "names the home directory of whoever converts, so kubemap does not read it" in said["secrets.home"]
    assert "is larger than 1 MiB" in said["secrets.big"]
