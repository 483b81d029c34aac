"""Every compose file of the shared corpus (../shared/corpus) loads, or fails with a LoadError that
names its problem. The corpus is written by others and read in place; a missing corpus FAILS.

Where a fixture ships its expected resolved form (compose-go's historical full example, whose
expectation is compose-go's `loader/full-struct_test.go`), `resolved_config` is compared with it
field by field, and every known difference is named below.
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path
from typing import Any

import pytest

from converter.errors import KubemapError, LoadError
from converter.load import LoadOptions, load_project, resolved_config

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
INDEX = CORPUS / "INDEX.json"

# Files meant to fail (corpus README), with why, and a word the error message must contain.
MUST_FAIL: dict[str, tuple[str, str]] = {
    "compose-go/loader/testdata/compose-depends-on-cycle.yaml": ("depends_on cycle", "cycle"),
    "compose-go/loader/testdata/compose-depends-on-self.yaml": ("depends on itself", "cycle"),
    "compose-go/loader/testdata/compose-depends-on-profile-no-cycle.yaml":
        ("same content as the cycle file", "cycle"),
    "compose-go/loader/testdata/compose-include-cycle.yaml": ("includes itself", "include cycle"),
    "compose-go/loader/testdata/empty.yaml": ("empty file", "empty"),
    "compose-go/loader/testdata/remote/cycle/*": ("extends from remote: (and a cycle)", "remote"),
    "compose-go/loader/testdata/remote/nested/compose.yaml": ("extends from remote:", "remote"),
    "docker-compose-e2e/fixtures/wrong-composefile/compose.yaml": ("unknown key", "wrongField"),
}
LEGACY_V1_WORD = "legacy Compose v1"  # the 12 kompose files without `services:`

# Not standalone (README "Not standalone", and files we found to be fragments): they fail alone,
# for the reason named here.
NOT_STANDALONE: dict[str, tuple[str, str]] = {
    "compose-go/loader/testdata/extends/base.yaml": ("a null service", "services.nil"),
    "compose-go/loader/testdata/include/dir/compose.yaml":
        ("its env_file lives in ../subdir, only valid through include/project-directory.yaml",
         "extra.env"),
    "compose-go/schema/using-variables.yaml":
        ("schema-only fixture: every value is ${VARIABLE}, so no value makes a project",
         "volume"),
    "docker-compose-e2e/fixtures/env_file/compose.yaml":
        ("serviceB's env_file /doesnotexist/.env is missing on purpose (Compose fails when it "
         "starts serviceB; kubemap loads every service)", "/doesnotexist/.env"),
    "kompose/etherpad/docker-compose-no-image.yml":
        ("a service with neither image nor build, on purpose", "neither an image"),
    # override fragments: loaded with their base file in test_overlay_loads
    "docker-compose-e2e/fixtures/publish/oci/compose-override.yaml": ("override fragment", "image"),
    "kompose/multiple-files/second.yaml": ("override fragment", "image"),
    "kompose/unused/merge-multiple-compose/compose-new-service-prob.yml":
        ("override fragment", "image"),
    "kompose/unused/merge-multiple-compose/compose-port-prod.yml": ("override fragment", "image"),
    "kompose/unused/merge-multiple-compose/dev.yml": ("override fragment", "image"),
}

# Listed as failing or not standalone in the README, but they load, and we say why.
LOADS_DESPITE_README = {
    "compose-go/loader/testdata/remote/compose.yaml": "it has no remote reference at all",
    "compose-go/loader/testdata/extends/sibling.yaml": "a valid project on its own (build: .)",
    "compose-go/loader/testdata/extends/ports.yaml": "a valid project on its own",
    "compose-go/loader/testdata/extends/depends_on.yaml": "a valid project on its own",
    "compose-go/cli/testdata/simple/compose-with-paths.yaml":
        "the Windows bind source is kept as written, with a warning",
    "docker-compose-e2e/fixtures/wrong-composefile/build-error.yml":
        "it fails when building (missing context), not when loading: a warning here",
    "docker-compose-e2e/fixtures/wrong-composefile/unknown-image.yml":
        "it fails when pulling the image, not when loading",
}

# Files whose variables live in an env file next to them (Kompose runs them with those values).
ENV_FILES = {
    "kompose/etherpad/docker-compose.yml": ["kompose/etherpad/envs"],
    "kompose/etherpad/docker-compose-no-ports.yml": ["kompose/etherpad/envs"],
    "kompose/gitlab/docker-compose.yml": ["kompose/gitlab/envs"],
}

# Override fragments and the base they override.
OVERLAYS = {
    "docker-compose-e2e/fixtures/publish/oci/compose-override.yaml":
        ["docker-compose-e2e/fixtures/publish/oci/compose.yaml"],
    "kompose/multiple-files/second.yaml": ["kompose/multiple-files/first.yaml"],
    "kompose/unused/merge-multiple-compose/compose-new-service-prob.yml":
        ["kompose/unused/merge-multiple-compose/compose-port-base.yml"],
    "kompose/unused/merge-multiple-compose/compose-port-prod.yml":
        ["kompose/unused/merge-multiple-compose/compose-port-base.yml"],
    "kompose/unused/merge-multiple-compose/dev.yml": ["kompose/unused/merge-multiple-compose/base.yml"],
}


def _require_corpus() -> None:
    if not INDEX.is_file():
        pytest.fail(f"the shared corpus is missing: expected {INDEX} (../shared/corpus from the "
                    "repo root). The corpus tests cannot run without it.")


def corpus_files() -> list[str]:
    if not INDEX.is_file():
        return ["<corpus missing>"]
    files = {entry["file"] for entry in json.loads(INDEX.read_text())}
    # remote/** is not in the index (compose-go loads it only with a remote loader): add it.
    remote = CORPUS / "compose-go/loader/testdata/remote"
    files.update(str(p.relative_to(CORPUS)) for p in remote.rglob("*.yaml"))
    return sorted(files)


def _legacy_v1() -> set[str]:
    if not INDEX.is_file():
        return set()
    return {e["file"] for e in json.loads(INDEX.read_text())
            if "legacy_v1_format" in e.get("features", [])}


def _match(table: dict[str, Any], rel: str) -> Any:
    for pattern, value in table.items():
        if fnmatch.fnmatch(rel, pattern):
            return value
    return None


def _load(rels: list[str], **extra: Any) -> Any:
    paths = [str(CORPUS / r) for r in rels]
    env_files = [str(CORPUS / e) for e in ENV_FILES.get(rels[-1], [])]
    return load_project(LoadOptions(files=paths, env_files=env_files,
                                    cwd=os.path.dirname(paths[0]), environ={}, **extra))


def test_corpus_is_present() -> None:
    _require_corpus()
    assert len(corpus_files()) > 200, "the corpus index lists fewer files than expected"


@pytest.mark.parametrize("rel", corpus_files())
def test_corpus_file_loads_or_fails_clearly(rel: str) -> None:
    _require_corpus()
    failing = _match(MUST_FAIL, rel) or _match(NOT_STANDALONE, rel)
    if rel in _legacy_v1():
        failing = ("legacy v1 layout", LEGACY_V1_WORD)
    if failing:
        reason, word = failing
        with pytest.raises(LoadError) as caught:
            _load([rel])
        assert word in str(caught.value), f"{rel} ({reason}): error does not name it: {caught.value}"
        assert caught.value.file, f"{rel}: the error names no file"
        return
    try:
        project = _load([rel])
    except KubemapError as err:
        pytest.fail(f"{rel} should load but failed: {err}")
    config = resolved_config(project)
    # Deterministic and serialisable: a second load gives the same resolved config.
    assert json.dumps(config, sort_keys=True) == json.dumps(
        resolved_config(_load([rel])), sort_keys=True)
    assert set(config["services"]) == set(project.services)


@pytest.mark.parametrize("fragment", sorted(OVERLAYS))
def test_overlay_loads_with_its_base(fragment: str) -> None:
    _require_corpus()
    project = _load([*OVERLAYS[fragment], fragment])
    assert project.services, f"{fragment} + base: no services"
    assert len(project.files) == 2


def test_readme_exceptions_are_real_files() -> None:
    """The tables above name files that exist, so a renamed fixture cannot pass silently."""
    _require_corpus()
    files = set(corpus_files())
    for table in (MUST_FAIL, NOT_STANDALONE, LOADS_DESPITE_README, ENV_FILES, OVERLAYS):
        for pattern in table:
            assert any(fnmatch.fnmatch(f, pattern) for f in files), f"no corpus file matches {pattern}"
    assert len(_legacy_v1()) == 12


def test_include_project_directory_fixture() -> None:
    """include/dir/compose.yaml loads through include/project-directory.yaml, with its relative
    paths resolved against the include's project_directory (../subdir)."""
    _require_corpus()
    project = _load(["compose-go/loader/testdata/include/project-directory.yaml"])
    service = project.services["service"]
    subdir = str(CORPUS / "compose-go/loader/testdata/subdir")
    assert service.env_files == [f"{subdir}/extra.env"]
    assert service.env_file_values == {"SOURCE": "extends"}
    assert service.volumes[0].source == f"{subdir}/compose-test-extends-imported.yaml"


def test_extends_reset_fixture() -> None:
    """extends/reset.yaml: `command: !reset` drops the command inherited through extends."""
    _require_corpus()
    project = _load(["compose-go/loader/testdata/extends/reset.yaml"])
    assert project.services["init"].command == ["sleep", "infinity"]
    assert project.services["base"].command is None
    assert project.services["base"].image == "alpine:latest"


def test_extends_other_file_paths_are_relative_to_that_file() -> None:
    _require_corpus()
    project = _load(["compose-go/loader/testdata/compose-test-extends.yaml"])
    importer = project.services["importer"]
    subdir = str(CORPUS / "compose-go/loader/testdata/subdir")
    assert importer.env_files == [f"{subdir}/extra.env"]
    assert importer.image == "nginx"
    assert importer.container_name == "imported"  # ${SOURCE:-imported}: SOURCE is not in .env


# --------------------------------------------------------------------- historical full example

HOME = "/home/corpus-test"

# Expected values from compose-go's full-struct_test.go (the expectation that shipped with this
# fixture), as key paths into `kubemap config` output. {wd} is the fixture's directory.
EXPECTED: dict[str, Any] = {
    "name": "full_example_project_name",
    "services.bar.build.context": "{wd}",
    "services.bar.build.dockerfile_inline": 'FROM alpine\nRUN echo "hello" > /world.txt\n',
    "services.foo.annotations": {"com.example.foo": "bar"},
    "services.foo.build.context": "{wd}/dir",
    "services.foo.build.dockerfile": "Dockerfile",
    "services.foo.build.args": {"foo": "bar"},
    "services.foo.build.target": "foo",
    "services.foo.build.network": "foo",
    "services.foo.build.cache_from": ["foo", "bar"],
    "services.foo.build.additional_contexts": {"foo": "{wd}/bar"},
    "services.foo.build.labels": {"FOO": "BAR"},
    "services.foo.build.tags": ["foo:v1.0.0", "docker.io/username/foo:my-other-tag",
                                "full_example_project_name:1.0.0"],
    "services.foo.build.platforms": ["linux/amd64", "linux/arm64"],
    "services.foo.cap_add": ["ALL"],
    "services.foo.cap_drop": ["NET_ADMIN", "SYS_ADMIN"],
    "services.foo.cgroup_parent": "m-executor-abcd",
    "services.foo.command": ["bundle", "exec", "thin", "-p", "3000"],
    "services.foo.configs": [{"source": "config1"},
                             {"source": "config2", "target": "/my_config", "uid": "103",
                              "gid": "103", "mode": 0o440}],
    "services.foo.container_name": "my-web-container",
    "services.foo.depends_on": {
        "db": {"condition": "service_started", "required": True, "restart": False},
        "redis": {"condition": "service_started", "required": True, "restart": False}},
    "services.foo.deploy.mode": "replicated",
    "services.foo.deploy.replicas": 6,
    "services.foo.deploy.labels": {"FOO": "BAR"},
    "services.foo.deploy.resources.limits.cpus": 0.001,
    "services.foo.deploy.resources.limits.memory": 50 * 1024 * 1024,
    "services.foo.deploy.resources.reservations.cpus": 0.0001,
    "services.foo.deploy.resources.reservations.memory": 20 * 1024 * 1024,
    "services.foo.deploy.restart_policy": {"condition": "on-failure", "delay": "5s",
                                           "max_attempts": 3, "window": "2m0s"},
    "services.foo.deploy.endpoint_mode": "dnsrr",
    "services.foo.device_cgroup_rules": ["c 1:3 mr", "a 7:* rmw"],
    "services.foo.dns": ["8.8.8.8", "9.9.9.9"],
    "services.foo.dns_search": ["dc1.example.com", "dc2.example.com"],
    "services.foo.domainname": "foo.com",
    "services.foo.entrypoint": ["/code/entrypoint.sh", "-p", "3000"],
    "services.foo.environment": {
        "FOO": "foo_from_env_file", "BAR": "bar_from_env_file_2", "BAZ": "baz_from_service_def",
        "QUX": "qux_from_environment", "ENV.WITH.DOT": "ok", "ENV_WITH_UNDERSCORE": "ok"},
    "services.foo.expose": ["3000", "8000"],
    "services.foo.external_links": ["redis_1", "project_db_1:mysql", "project_db_1:postgresql"],
    "services.foo.extra_hosts": ["otherhost=50.31.209.229", "somehost=162.242.195.82"],
    "services.foo.healthcheck": {"test": ["CMD-SHELL", 'echo "hello world"'], "interval": "10s",
                                 "timeout": "1s", "retries": 5, "start_period": "15s",
                                 "start_interval": "5s"},
    "services.foo.hostname": "foo",
    "services.foo.image": "redis",
    "services.foo.ipc": "host",
    "services.foo.uts": "host",
    "services.foo.labels": {"com.example.description": "Accounting webapp",
                            "com.example.number": "42", "com.example.empty-label": ""},
    "services.foo.links": ["db", "db:database", "redis"],
    "services.foo.logging": {"driver": "syslog",
                             "options": {"syslog-address": "tcp://192.168.0.42:123"}},
    "services.foo.mac_address": "02:42:ac:11:65:43",
    "services.foo.network_mode":
        "container:0cfeab0f748b9a743dc3da582046357c6ef497631c1a016d28d2bf9b4f899f7b",
    "services.foo.networks": {
        "some-network": {"aliases": ["alias1", "alias3"]},
        "other-network": {"ipv4_address": "172.16.238.10", "ipv6_address": "2001:3984:3989::10",
                          "mac_address": "02:42:72:98:65:08"},
        "other-other-network": None},
    "services.foo.pid": "host",
    "services.foo.ports": (
        [{"mode": "ingress", "protocol": "tcp", "target": t} for t in range(3000, 3006)]
        + [{"mode": "ingress", "protocol": "tcp", "target": 8000, "published": "8000"},
           {"mode": "ingress", "protocol": "tcp", "target": 8080, "published": "9090"},
           {"mode": "ingress", "protocol": "tcp", "target": 8081, "published": "9091"},
           {"mode": "ingress", "protocol": "tcp", "target": 22, "published": "49100"},
           {"mode": "ingress", "protocol": "tcp", "target": 8001, "published": "8001",
            "host_ip": "127.0.0.1"}]
        + [{"mode": "ingress", "protocol": "tcp", "target": p, "published": str(p),
            "host_ip": "127.0.0.1"} for p in range(5000, 5011)]),
    "services.foo.privileged": True,
    "services.foo.read_only": True,
    "services.foo.restart": "always",
    "services.foo.secrets": [{"source": "secret1", "target": "/run/secrets/secret1"},
                             {"source": "secret2", "target": "my_secret", "uid": "103",
                              "gid": "103", "mode": 0o440}],
    "services.foo.security_opt": ["label=level:s0:c100,c200", "label=type:svirt_apache_t"],
    "services.foo.stdin_open": True,
    "services.foo.stop_grace_period": "20s",
    "services.foo.stop_signal": "SIGUSR1",
    "services.foo.storage_opt": {"size": "20G"},
    "services.foo.sysctls": {"net.core.somaxconn": "1024", "net.ipv4.tcp_syncookies": "0"},
    "services.foo.tmpfs": ["/run", "/tmp"],
    "services.foo.tty": True,
    "services.foo.ulimits": {"nproc": 65535, "nofile": {"soft": 20000, "hard": 40000}},
    "services.foo.user": "someone",
    "services.foo.volumes": [
        {"type": "volume", "target": "/var/lib/anonymous"},
        {"type": "bind", "source": "/opt/data", "target": "/var/lib/data",
         "bind": {"create_host_path": True}},
        {"type": "bind", "source": "{wd}", "target": "/code", "bind": {"create_host_path": True}},
        {"type": "bind", "source": "{wd}/static", "target": "/var/www/html",
         "bind": {"create_host_path": True}},
        {"type": "bind", "source": f"{HOME}/configs", "target": "/etc/configs",
         "read_only": True, "bind": {"create_host_path": True}},
        {"type": "volume", "source": "datavolume", "target": "/var/lib/volume"},
        {"type": "bind", "source": "{wd}/opt", "target": "/opt/cached", "consistency": "cached"},
        {"type": "tmpfs", "target": "/opt/tmpfs", "tmpfs": {"size": 10000}}],
    "services.foo.working_dir": "/code",
    "services.foo.x-bar": "baz",
    "services.foo.x-foo": "bar",
    "networks.other-network.driver": "overlay",
    "networks.other-network.driver_opts": {"foo": "bar", "baz": "1"},
    "networks.other-network.labels": {"foo": "bar"},
    "networks.external-network.external": True,
    "networks.other-external-network.name": "my-cool-network",
    "networks.other-external-network.external": True,
    "volumes.other-volume.driver": "flocker",
    "volumes.other-volume.driver_opts": {"foo": "bar", "baz": "1"},
    "volumes.another-volume.name": "user_specified_name",
    "volumes.external-volume.external": True,
    "volumes.other-external-volume.name": "my-cool-volume",
    "volumes.external-volume3.name": "this-is-volume3",
    "configs.config1.file": "{wd}/config_data",
    "configs.config2.name": "my_config",
    "configs.config2.external": True,
    "configs.config4.file": f"{HOME}/config_data",
    "configs.config4.name": "foo",
    "secrets.secret1.file": "{wd}/secret_data",
    "secrets.secret2.name": "my_secret",
    "secrets.secret4.environment": "BAR",
    "secrets.secret5.file": "/abs/secret_data",
    "x-nested": {"bar": "baz", "foo": "bar"},
}

# Where kubemap's resolved form differs from compose-go's expectation, and why.
KNOWN_DIFFERENCES = {
    "services.foo.depends_on":
        "db and redis are not services of this file: compose-go's old loader kept them; kubemap "
        "drops them with a warning (current Docker Compose rejects the file)",
    "services.foo.labels":
        "kubemap also merges the label_file values (FOO, BAR, LABEL.WITH.DOT, ...) into labels; "
        "the inline labels keep their values (checked below)",
    "services.foo.ulimits":
        "a single-number ulimit is written as {soft: n, hard: n} (the model has no single form)",
}


def _get(data: Any, dotted: str) -> Any:
    node = data
    parts = dotted.split(".")
    index = 0
    while index < len(parts):
        # keys may contain dots (x-nested is fine; ENV.WITH.DOT is not a path here)
        for end in range(len(parts), index, -1):
            key = ".".join(parts[index:end])
            if isinstance(node, dict) and key in node:
                node = node[key]
                index = end
                break
        else:
            return "<missing>"
    return node


def _fill(value: Any, wd: str) -> Any:
    if isinstance(value, str):
        return value.replace("{wd}", wd)
    if isinstance(value, list):
        return [_fill(v, wd) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, wd) for k, v in value.items()}
    return value


def test_historical_full_example_matches_compose_go_field_by_field() -> None:
    _require_corpus()
    rel = "compose-go/historical/loader__full-example.yml"
    wd = str(CORPUS / "compose-go/historical")
    project = load_project(LoadOptions(
        files=[str(CORPUS / rel)], cwd=wd, use_shell_env=True,
        environ={"HOME": HOME, "QUX": "qux_from_environment"}))
    config = resolved_config(project)
    differences = {}
    for path, expected in EXPECTED.items():
        actual = _get(config, path)
        if actual != _fill(expected, wd):
            differences[path] = actual
    known = {k for k, why in KNOWN_DIFFERENCES.items() if why}
    assert set(differences) == known, (
        f"unexpected differences: { {k: differences[k] for k in set(differences) - known} }; "
        f"known differences that disappeared: {known - set(differences)}")
    # The named differences, checked for what they are:
    foo = config["services"]["foo"]
    assert "depends_on" not in foo
    assert any("'db', which is not defined" in w for w in project.warnings)
    for key, value in EXPECTED["services.foo.labels"].items():
        assert foo["labels"][key] == value
    assert foo["labels"]["LABEL.WITH.DOT"] == "ok"
    assert foo["ulimits"]["nproc"] == {"soft": 65535, "hard": 65535}
