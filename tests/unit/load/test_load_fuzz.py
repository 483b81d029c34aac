"""Fuzzing: random YAML and random mutations of corpus files must produce a project or a
KubemapError, never any other exception (no traceback ever reaches a user)."""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.errors import KubemapError
from converter.load import LoadOptions, load_project, resolved_config

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"

SERVICE_KEYS = ["image", "build", "command", "entrypoint", "environment", "env_file", "ports",
                "expose", "volumes", "depends_on", "healthcheck", "deploy", "networks",
                "secrets", "configs", "extends", "profiles", "labels", "extra_hosts", "ulimits",
                "tmpfs", "mem_limit", "cpus", "restart", "user", "x-kubemap", "links",
                "network_mode", "stop_grace_period", "shm_size", "logging"]
TOP_KEYS = ["services", "volumes", "networks", "secrets", "configs", "include", "name",
            "version", "x-any", "web"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=False, width=32),
    st.sampled_from(["8080:80", "./data:/data:ro", "${A:-b}", "$$", "${", "1m30s", "512m",
                     "db", "service:db", "CMD-SHELL", "a=b", "~/x", "C:\\x", "", "-1",
                     "0440", "x:y:z:w", "127.0.0.1::80", "1-3:4-6"]),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(SERVICE_KEYS + ["target", "source", "test", "soft",
                                                        "condition", "path", "file"]),
                        inner, max_size=4),
    ),
    max_leaves=12,
)
services = st.dictionaries(st.sampled_from(["web", "db", "a", "b"]),
                           st.one_of(st.none(), st.dictionaries(st.sampled_from(SERVICE_KEYS),
                                                                values, max_size=6)),
                           max_size=3)
OBJECT_KEYS = ["external", "internal", "driver", "driver_opts", "labels", "name", "file",
               "environment", "content", "x-a", "ipam", "attachable"]
objects = st.dictionaries(st.sampled_from(["a", "b", "default"]),
                          st.one_of(st.none(), st.dictionaries(st.sampled_from(OBJECT_KEYS),
                                                               values, max_size=4)),
                          max_size=2)
includes = st.lists(st.one_of(values, st.fixed_dictionaries(
    {}, optional={"path": values, "project_directory": values, "env_file": values})), max_size=2)
documents = st.one_of(
    st.fixed_dictionaries({"services": services},
                          optional={"volumes": objects, "networks": objects, "secrets": objects,
                                    "configs": objects, "include": includes, "name": values,
                                    "version": values, "x-any": values}),
    values,
)


# Values that usually pass the schema, so the fuzzing reaches normalisation and references.
tokens = st.sampled_from(["80", "8080:80", "1-3:4-6", "abc", "x:y:z:w", "127.0.0.1::53/udp",
                          "./d:/d:ro", "v:/v", "/anon", "~/h:/h", "C:\\w:/w", "1m30s", "5x",
                          "512m", "lots", "true", "maybe", "0440", "db", "web", "-1", "${A}",
                          "", "service:db", "NONE"])
plausible = {
    "image": tokens, "build": st.one_of(tokens, st.fixed_dictionaries({}, optional={
        "context": tokens, "args": st.lists(tokens, max_size=2), "labels": st.lists(tokens)})),
    "ports": st.lists(st.one_of(tokens, st.integers(-1, 70000), st.fixed_dictionaries(
        {"target": st.one_of(tokens, st.integers(0, 70000))},
        optional={"published": tokens, "protocol": tokens, "mode": tokens})), max_size=3),
    "volumes": st.lists(st.one_of(tokens, st.fixed_dictionaries(
        {"type": st.sampled_from(["bind", "volume", "tmpfs"]), "target": tokens},
        optional={"source": tokens, "tmpfs": st.fixed_dictionaries({"size": tokens})})),
        max_size=3),
    "environment": st.one_of(st.lists(tokens, max_size=3),
                             st.dictionaries(tokens, st.one_of(tokens, st.none()), max_size=3)),
    "depends_on": st.one_of(st.lists(st.sampled_from(["db", "web", "x"]), max_size=2),
                            st.dictionaries(st.sampled_from(["db", "web"]), st.fixed_dictionaries(
                                {}, optional={"condition": st.sampled_from(
                                    ["service_started", "service_healthy"]),
                                    "required": st.booleans()}), max_size=2)),
    "healthcheck": st.fixed_dictionaries({}, optional={
        "test": st.one_of(tokens, st.lists(tokens, max_size=3)), "interval": tokens,
        "retries": st.one_of(tokens, st.integers(-1, 5)), "disable": st.booleans()}),
    "deploy": st.fixed_dictionaries({}, optional={
        "replicas": st.one_of(tokens, st.integers(-1, 5)),
        "resources": st.fixed_dictionaries({}, optional={"limits": st.fixed_dictionaries(
            {}, optional={"cpus": tokens, "memory": tokens})})}),
    "ulimits": st.dictionaries(st.sampled_from(["nofile", "nproc"]), st.one_of(
        tokens, st.integers(), st.fixed_dictionaries({"soft": tokens, "hard": tokens}))),
    "extra_hosts": st.one_of(st.lists(tokens, max_size=2), st.dictionaries(tokens, tokens)),
    "secrets": st.lists(st.one_of(tokens, st.fixed_dictionaries(
        {"source": tokens}, optional={"mode": tokens, "target": tokens})), max_size=2),
    "profiles": st.lists(st.sampled_from(["p", "q"]), max_size=2),
    "mem_limit": tokens, "cpus": tokens, "privileged": tokens, "stop_grace_period": tokens,
    "network_mode": tokens, "links": st.lists(tokens, max_size=2),
    "env_file": st.one_of(tokens, st.lists(st.fixed_dictionaries(
        {"path": tokens}, optional={"required": st.booleans()}), max_size=2)),
    "extends": st.one_of(st.sampled_from(["db", "web", "nope"]), st.fixed_dictionaries(
        {"service": tokens}, optional={"file": tokens})),
    "command": st.one_of(tokens, st.lists(tokens, max_size=3)),
    "tmpfs": st.one_of(tokens, st.lists(tokens, max_size=2)),
}
plausible_services = st.dictionaries(
    st.sampled_from(["web", "db"]),
    st.fixed_dictionaries({"image": st.just("x")},
                          optional={k: v for k, v in plausible.items() if k != "image"}),
    min_size=1, max_size=2)
storage = st.dictionaries(st.sampled_from(["v", "db"]), st.one_of(
    st.none(), st.fixed_dictionaries({}, optional={
        "external": st.one_of(tokens, st.booleans()), "driver": tokens,
        "driver_opts": st.dictionaries(tokens, st.one_of(tokens, st.integers())),
        "labels": st.lists(tokens, max_size=2)})), max_size=2)
networks = st.dictionaries(st.sampled_from(["n", "default"]), st.one_of(
    st.none(), st.fixed_dictionaries({}, optional={
        "external": st.one_of(tokens, st.booleans()), "internal": st.one_of(tokens, st.booleans()),
        "labels": st.lists(tokens, max_size=2)})), max_size=2)
files = st.dictionaries(st.sampled_from(["s", "lots"]), st.fixed_dictionaries({}, optional={
    "file": tokens, "environment": tokens, "external": st.one_of(tokens, st.booleans())}),
    max_size=2)
plausible_documents = st.fixed_dictionaries(
    {"services": plausible_services},
    optional={"volumes": storage, "networks": networks, "secrets": files, "configs": files})


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
@given(plausible_documents)
def test_plausible_documents_never_crash(document: Any) -> None:
    _load_text(yaml.safe_dump(document, allow_unicode=True))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
@given(plausible_documents, plausible_documents)
def test_merged_plausible_documents_never_crash(base: Any, override: Any) -> None:
    """Two files merged (-f base -f override), where the same key may change form."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "compose.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
        Path(tmp, "compose.override.yaml").write_text(yaml.safe_dump(override), encoding="utf-8")
        try:
            resolved_config(load_project(LoadOptions(cwd=tmp, environ={})))
        except KubemapError:
            pass


def _load_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "compose.yaml").write_text(text, encoding="utf-8")
        try:
            project = load_project(LoadOptions(cwd=tmp, environ={"A": "1"}))
            resolved_config(project)
        except KubemapError:
            pass


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
@given(documents)
def test_random_documents_never_crash(document: Any) -> None:
    _load_text(yaml.safe_dump(document, allow_unicode=True))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)
@given(st.text(alphabet="abc:-[]{}&*!<>|'\"#$%\n \t0123456789", max_size=80))
def test_random_text_never_crashes(text: str) -> None:
    _load_text(text)


def _corpus_texts() -> list[tuple[str, str]]:
    if not CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing at {CORPUS}")
    found = []
    for path in sorted(CORPUS.rglob("*.y*ml")):
        if "kompose-expected" in path.parts or "expected-" in str(path):
            continue
        found.append((str(path.relative_to(CORPUS)), path.read_text(encoding="utf-8")))
    return found


def _mutations(text: str, rng: random.Random) -> list[str]:
    lines = text.splitlines()
    out = []
    for _ in range(4):
        mutated = list(lines)
        if not mutated:
            break
        i = rng.randrange(len(mutated))
        choice = rng.randrange(7)
        if choice == 0:
            del mutated[i]  # drop a line
        elif choice == 1:
            mutated.insert(i, mutated[rng.randrange(len(mutated))])  # duplicate a line
        elif choice == 2:
            mutated[i] = "  " + mutated[i]  # break indentation
        elif choice == 3:
            mutated[i] = mutated[i].replace(":", "", 1)  # drop a colon
        elif choice == 4:
            mutated[i] = mutated[i] + rng.choice([" ${", " !reset", " &a", " *a", ": [", " $$x"])
        elif choice == 5:
            mutated[i] = mutated[i].lstrip()  # dedent
        else:
            cut = rng.randrange(len(text) + 1)
            out.append(text[:cut])  # truncated file
            continue
        out.append("\n".join(mutated))
    return out


def test_mutated_corpus_files_never_crash() -> None:
    rng = random.Random(20261126)  # fixed seed: the same mutations on every run
    texts = _corpus_texts()
    assert len(texts) > 100
    crashes = []
    count = 0
    for rel, text in texts:
        for mutated in _mutations(text, rng):
            count += 1
            with tempfile.TemporaryDirectory() as tmp:
                Path(tmp, "compose.yaml").write_text(mutated, encoding="utf-8")
                try:
                    load_project(LoadOptions(cwd=tmp, environ={}))
                except KubemapError:
                    pass
                except Exception as err:  # noqa: BLE001 - this is exactly what we look for
                    crashes.append(f"{rel}: {type(err).__name__}: {err}")
    assert count > 400
    assert not crashes, "\n".join(crashes[:10])


def test_corpus_files_in_place_with_mutated_env_never_crash() -> None:
    """Corpus files loaded in place (their env files and includes next to them), with odd
    environments: values that break ports, names and sizes."""
    envs = [{}, {"A": "${"}, {"COMPOSE_PROFILES": "*"}, {"COMPOSE_PROJECT_NAME": "Bad Name"}]
    crashes = []
    for rel, _ in _corpus_texts()[::3]:
        path = CORPUS / rel
        for env in envs:
            try:
                load_project(LoadOptions(files=[str(path)], cwd=os.path.dirname(path),
                                         environ=env, use_shell_env=True))
            except KubemapError:
                pass
            except Exception as err:  # noqa: BLE001
                crashes.append(f"{rel} {env}: {type(err).__name__}: {err}")
    assert not crashes, "\n".join(crashes[:10])
