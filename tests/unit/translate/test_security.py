"""R-SEC-01..06: user, capabilities, sysctls, security_opt, hardening, namespaces."""

from __future__ import annotations

import pytest

from .helpers import codes, main, pod, run, service, traces


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        pytest.param("1000", {"runAsUser": 1000, "runAsNonRoot": True}, id="R-SEC-01-uid"),
        pytest.param("1000:2000", {"runAsUser": 1000, "runAsGroup": 2000, "runAsNonRoot": True}, id="R-SEC-01-uid-gid"),
        pytest.param("0", {"runAsUser": 0}, id="R-SEC-01-root-no-nonroot"),
    ],
)
def test_numeric_user(user, expected):
    sc = main(run(service("app", image="x", user=user)))["securityContext"]
    assert {k: sc[k] for k in expected} == expected
    assert ("runAsNonRoot" in sc) == ("runAsNonRoot" in expected)


def test_r_sec_01_uid_with_group_name():
    bundle = run(service("app", image="x", user="1000:staff"))
    sc = main(bundle)["securityContext"]
    assert sc["runAsUser"] == 1000 and "runAsGroup" not in sc
    assert traces(bundle, "services.app.user")[0].status == "approximated"


def test_r_sec_01_user_name_is_reported():
    bundle = run(service("app", image="x", user="node"))
    assert "runAsUser" not in main(bundle)["securityContext"]
    assert "KM-W-USER-NAME" in codes(bundle)
    assert traces(bundle, "services.app.user")[0].status == "unsupported"


def test_r_sec_02_caps_privileged_read_only():
    sc = main(run(service("app", image="x", cap_add=["CAP_NET_ADMIN"], cap_drop=["ALL"], read_only=True)))[
        "securityContext"]
    assert sc["capabilities"] == {"add": ["NET_ADMIN"], "drop": ["ALL"]}
    assert sc["readOnlyRootFilesystem"] is True


def test_r_sec_02_privileged_keeps_escalation():
    bundle = run(service("app", image="x", privileged=True))
    sc = main(bundle)["securityContext"]
    assert sc["privileged"] is True and "allowPrivilegeEscalation" not in sc
    assert "KM-W-PRIVILEGED" in codes(bundle)


def test_r_sec_03_sysctls_and_unsafe_ones_reported():
    bundle = run(service("app", image="x", sysctls={"net.core.somaxconn": "1024", "net.ipv4.tcp_syncookies": "1"}))
    assert pod(bundle, "Deployment", "app")["securityContext"]["sysctls"] == [
        {"name": "net.core.somaxconn", "value": "1024"}, {"name": "net.ipv4.tcp_syncookies", "value": "1"}]
    assert codes(bundle).count("KM-W-SYSCTL-UNSAFE") == 1


@pytest.mark.parametrize(
    ("opt", "field", "value"),
    [
        pytest.param("no-new-privileges:true", "allowPrivilegeEscalation", False, id="R-SEC-04-no-new-privileges"),
        pytest.param("no-new-privileges:false", "allowPrivilegeEscalation", True, id="R-SEC-04-allow-escalation"),
        pytest.param("seccomp:unconfined", "seccompProfile", {"type": "Unconfined"}, id="R-SEC-04-seccomp-unconfined"),
        pytest.param("apparmor=unconfined", "appArmorProfile", {"type": "Unconfined"}, id="R-SEC-04-apparmor"),
        pytest.param("label=type:svirt_apache_t", "seLinuxOptions", {"type": "svirt_apache_t"}, id="R-SEC-04-selinux-type"),
        pytest.param("label:level:s0:c100,c200", "seLinuxOptions", {"level": "s0:c100,c200"}, id="R-SEC-04-selinux-level"),
    ],
)
def test_security_opt(opt, field, value):
    assert main(run(service("app", image="x", security_opt=[opt])))["securityContext"][field] == value


def test_r_sec_04_selinux_label_reported():
    bundle = run(service("app", image="x", security_opt=["label:disable"]))
    assert traces(bundle, "services.app.security_opt[0]")[0].status == "unsupported"


def test_r_sec_05_default_hardening_and_one_project_finding():
    bundle = run(service("a", image="x"), service("b", image="y"))
    for name in ("a", "b"):
        sc = main(bundle, name=name)["securityContext"]
        assert sc == {"allowPrivilegeEscalation": False, "seccompProfile": {"type": "RuntimeDefault"}}
    assert codes(bundle).count("KM-I-HARDENING") == 1


@pytest.mark.parametrize(
    ("other", "field", "value"),
    [
        pytest.param({"pid": "host"}, "hostPID", True, id="R-SEC-06-pid-host"),
        pytest.param({"ipc": "host"}, "hostIPC", True, id="R-SEC-06-ipc-host"),
        pytest.param({"group_add": [44, "video"]}, "securityContext", {"supplementalGroups": [44]},
                     id="R-SEC-06-group-add"),
    ],
)
def test_namespaces_and_groups(other, field, value):
    bundle = run(service("app", image="x", other=other, keys=list(other) + ["image"]))
    assert pod(bundle, "Deployment", "app")[field] == value


def test_r_sec_06_pid_of_another_service_reported():
    bundle = run(service("app", image="x", other={"pid": "service:db"}, keys=["image", "pid"]))
    assert traces(bundle, "services.app.pid")[0].status == "unsupported"
