"""Kompose's own labels, fixture by fixture: for every Kompose fixture whose services use
`kompose.*` labels and that has a Kubernetes expected output, kubemap's output must mean what
Kompose's does *for those labels* (the fields each label decides), or the difference is named in
DELIBERATE with why. A label kubemap does not read must be reported (trace + finding).

The fields compared per label family are the ones the label decides in Kompose (see FAMILIES);
everything else about the objects is test_kompose_compare.py's business."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from kompose_compare import read_documents

from converter.load import LoadOptions, load_project
from converter.model import Project
from converter.translate import TranslateOptions, translate
from converter.translate.kompose_labels import PREFIX

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
HARNESS = CORPUS / "kompose-expected" / "_harness" / "test_map.json"
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicationController")

# label (or label prefix) → the family of fields it decides
FAMILIES = {
    "kompose.service.type": "service_type",
    "kompose.service.nodeport.port": "node_port",
    "kompose.service.expose": "ingress",
    "kompose.controller.type": "kind",
    "kompose.image-pull-policy": "pull_policy",
    "kompose.image-pull-secret": "pull_secrets",
    "kompose.serviceaccount-name": "service_account",
    "kompose.security-context.fsgroup": "fs_group",
    "kompose.volume.size": "claims",
    "kompose.volume.storage-class-name": "claims",
    "kompose.volume.selector": "claims",
    "kompose.hpa.": "hpa",
    "kompose.service.healthcheck.readiness.": "readiness",
    "kompose.service.healthcheck.liveness.": "liveness",
    "kompose.init.containers.": "init_containers",
    "kompose.cronjob.": "cron",
}

# (fixture, service, family) → why kubemap's output means something else, on purpose
DELIBERATE: dict[tuple[str, str, str], str] = {
    ("healthcheck/compose-healthcheck.yaml", "redis", "readiness"):
        "a probe test string runs under /bin/sh -c, as Compose runs a string healthcheck "
        "(Kompose splits it into words without a shell)",
    **{("healthcheck/compose-healthcheck.yaml", service, "liveness"):
       "the liveness probe's failureThreshold is twice the healthcheck's retries (R-PROBE-02: Compose never "
       "restarts an unhealthy container, so liveness gets twice its patience); Kompose uses retries"
       for service in ("mongo", "mysql", "postgresql")},
    ("pvc-request-size/compose.yaml", "postgresql", "claims"):
        "the service mounts host paths outside the project: kubemap makes hostPath volumes (never read), "
        "Kompose empty claims sized by kompose.volume.size; there is no claim to size",
    ("storage-class-name/compose.yaml", "nginx", "claims"):
        "an anonymous volume is scratch space (emptyDir) in kubemap, an empty claim with the storage class "
        "in Kompose; there is no claim to class",
    ("external-traffic-policy/compose-v1.yaml", "front-end", "ingress"):
        "Kompose makes no Ingress for kompose.service.expose when the type is LoadBalancer; kubemap does "
        "what the label says",
}


def _families(label: str) -> str | None:
    for key, family in FAMILIES.items():
        if label == key or (key.endswith(".") and label.startswith(key)) or label.startswith(key + "."):
            return family
    return None


def _meta_name(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name"))


def _names(service: str) -> set[str]:
    return {service, service.replace("_", "-"), f"{service}-tcp", f"{service}-udp",
            f"{service.replace('_', '-')}-tcp", f"{service.replace('_', '-')}-udp"}


def _workload(objects: list[dict[str, Any]], service: str) -> dict[str, Any] | None:
    for obj in objects:
        if obj.get("kind") in WORKLOADS and _meta_name(obj) in {service, service.replace("_", "-")}:
            return obj
    return None


def _pod(obj: dict[str, Any] | None) -> dict[str, Any]:
    if obj is None:
        return {}
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        return spec
    if obj.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return (spec.get("template") or {}).get("spec") or {}


def _main(obj: dict[str, Any] | None, service: str) -> dict[str, Any]:
    containers = _pod(obj).get("containers") or [{}]
    return next((c for c in containers if c.get("name") in {service, service.replace("_", "-")}), containers[0])


def _probe(probe: dict[str, Any] | None) -> Any:
    if not probe:
        return None
    handler = {k: v for k, v in probe.items() if k in ("exec", "httpGet", "tcpSocket")}
    timings = tuple(probe.get(k) for k in ("periodSeconds", "timeoutSeconds", "failureThreshold"))
    return json.dumps(handler, sort_keys=True), timings


def facet(family: str, objects: list[dict[str, Any]], service: str) -> Any:
    """What the objects say about one family of fields, for one Compose service."""
    workload = _workload(objects, service)
    if family in ("service_type", "node_port"):
        services = [o for o in objects if o.get("kind") == "Service" and _meta_name(o) in _names(service)]
        if family == "node_port":
            return sorted(p.get("nodePort") for s in services for p in (s.get("spec") or {}).get("ports") or []
                          if p.get("nodePort"))
        return sorted({"Headless" if (s.get("spec") or {}).get("clusterIP") == "None"
                       else (s.get("spec") or {}).get("type", "ClusterIP") for s in services})
    if family == "ingress":
        rules = []
        for ing in (o for o in objects if o.get("kind") == "Ingress" and _meta_name(o) in _names(service)):
            spec = ing.get("spec") or {}
            secrets = {h: t.get("secretName") for t in spec.get("tls") or [] for h in t.get("hosts") or []}
            for rule in spec.get("rules") or []:
                for path in (rule.get("http") or {}).get("paths") or []:
                    rules.append((rule.get("host"), path.get("path"), secrets.get(rule.get("host")),
                                  spec.get("ingressClassName")))
        return sorted(rules, key=str)
    if family == "kind":
        return workload.get("kind") if workload else None
    if family == "pull_policy":
        return _main(workload, service).get("imagePullPolicy")
    if family == "pull_secrets":
        return sorted(s.get("name") for s in _pod(workload).get("imagePullSecrets") or [])
    if family == "service_account":
        return _pod(workload).get("serviceAccountName")
    if family == "fs_group":
        return (_pod(workload).get("securityContext") or {}).get("fsGroup")
    if family == "claims":
        claims = {v["persistentVolumeClaim"]["claimName"] for v in _pod(workload).get("volumes") or []
                  if "persistentVolumeClaim" in v}
        specs = [o.get("spec") or {} for o in objects if o.get("kind") == "PersistentVolumeClaim" and _meta_name(o) in claims]
        specs += [t.get("spec") or {} for t in ((workload or {}).get("spec") or {}).get("volumeClaimTemplates") or []]
        return sorted(((s.get("resources") or {}).get("requests", {}).get("storage"), s.get("storageClassName"),
                       json.dumps(s.get("selector"), sort_keys=True)) for s in specs)
    if family == "hpa":
        for hpa in (o for o in objects if o.get("kind") == "HorizontalPodAutoscaler" and _meta_name(o) in _names(service)):
            spec = hpa.get("spec") or {}
            metrics = sorted((m["resource"]["name"], m["resource"]["target"].get("averageUtilization"))
                             for m in spec.get("metrics") or [])
            return spec.get("minReplicas"), spec.get("maxReplicas"), metrics
        return None
    if family in ("readiness", "liveness"):
        return _probe(_main(workload, service).get(f"{family}Probe"))
    if family == "init_containers":
        return sorted((c.get("name"), c.get("image"), c.get("command")) for c in _pod(workload).get("initContainers") or []
                      if not str(c.get("name")).startswith("wait-for-"))
    if family == "cron":
        if not workload or workload.get("kind") != "CronJob":
            return workload.get("kind") if workload else None
        spec = workload.get("spec") or {}
        return (spec.get("schedule"), spec.get("concurrencyPolicy"),
                ((spec.get("jobTemplate") or {}).get("spec") or {}).get("backoffLimit"))
    raise AssertionError(f"unknown family {family}")


def label_fixtures() -> list[tuple[str, list[str], Path]]:
    """(label, inputs, Kompose's expected Kubernetes output) for every fixture using kompose.* labels."""
    found: dict[str, tuple[str, list[str], Path]] = {}
    for entry in json.loads(HARNESS.read_text()):
        if "openshift" in entry["cmd"] or not entry["inputs"]:
            continue
        inputs = entry["inputs"]
        texts = [(CORPUS / "kompose" / f).read_text() for f in inputs if (CORPUS / "kompose" / f).is_file()]
        if not any(PREFIX in text for text in texts):
            continue
        expected = CORPUS / "kompose-expected" / entry["expected"][0]
        if not expected.is_file():  # written to $TEMP by the harness: the committed copy beside the input
            expected = CORPUS / "kompose-expected" / Path(inputs[0]).parent / "output-k8s.json"
        if not expected.is_file() or "template" in expected.name:
            continue
        label = " ".join(inputs)
        found.setdefault(label, (label, inputs, expected))
    return sorted(found.values())


def _project(inputs: list[str]) -> Project:
    files = [str(CORPUS / "kompose" / f) for f in inputs]
    return load_project(LoadOptions(files=files, environ={}, cwd=str(Path(files[0]).parent)))


FIXTURES = label_fixtures()
TALLY: Counter[str] = Counter()


@pytest.mark.parametrize(("fixture", "inputs", "expected"), FIXTURES, ids=[f[0] for f in FIXTURES])
def test_kompose_labels_mean_what_kompose_made_of_them(fixture: str, inputs: list[str], expected: Path) -> None:
    project = _project(inputs)
    bundle = translate(project, TranslateOptions())
    ours = [o.body for o in bundle.objects]
    theirs = read_documents(expected)
    unexplained, stale = [], []
    for name, service in sorted(project.services.items()):
        labels = sorted(label for label in service.labels if label.startswith(PREFIX))
        families = sorted({f for f in map(_families, labels) if f})
        for label in labels:
            if _families(label) is None:
                # not read: it must be reported, with the reason
                entries = [e for e in bundle.trace if e.source == f"services.{name}.labels.{label}"]
                assert entries and entries[0].status in ("unsupported", "approximated") and entries[0].reason, (
                    f"{fixture}: {name} {label} is neither compared nor reported")
                TALLY["reported"] += 1
            else:
                TALLY["compared"] += 1
        for family in families:
            why = DELIBERATE.get((fixture, name, family))
            same = facet(family, theirs, name) == facet(family, ours, name)
            if not same and why is None:
                unexplained.append(f"{name} {family}: kompose={facet(family, theirs, name)!r} "
                                   f"kubemap={facet(family, ours, name)!r}")
            if same and why is not None:
                stale.append(f"{name} {family}: DELIBERATE says they differ ({why}), but they agree")
    assert not unexplained, f"{fixture}: label meanings differ without a named reason:\n" + "\n".join(unexplained)
    assert not stale, "\n".join(stale)


def test_the_label_fixtures_cover_the_documented_labels() -> None:
    """The fixtures exercise most of the documented labels (the rest are unit-tested)."""
    used = set()
    for _, inputs, _ in FIXTURES:
        for service in _project(inputs).services.values():
            used.update(_families(label) for label in service.labels if label.startswith(PREFIX))
    assert len(FIXTURES) >= 15, [f[0] for f in FIXTURES]
    assert {"service_type", "ingress", "readiness", "liveness", "hpa", "cron", "init_containers", "fs_group",
            "pull_policy", "claims"} <= used, used


def test_deliberate_differences_name_real_fixtures() -> None:
    fixtures = {f[0] for f in FIXTURES}
    assert {key[0] for key in DELIBERATE} <= fixtures, "a DELIBERATE entry names a fixture that is not compared"
    assert yaml  # the expected outputs are YAML or JSON, read with yaml
