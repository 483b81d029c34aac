"""The bundled stack's chart under real Helm: `helm lint --strict`, `helm template` equal to
`kubemap convert` (Helm's own labels aside), kubernetes-validate --strict on what Helm renders,
the schema refusing a wrong type, and the values doing what they say (the immutable fields
staying put while they change)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helm.compare import documents, differences, manifest_dir_objects, normalise
from tests.helm.helm import Helm

REPO = Path(__file__).resolve().parents[2]
COMPOSE = ["-f", str(REPO / "compose" / "compose.yaml"), "--env-file", str(REPO / "compose" / ".env.example")]
SECRET_FILES = [
    f"secrets.dbPassword.data.db_password={REPO / 'compose' / 'secrets' / 'db_password.txt'}",
    f"secrets.llmApiKey.data.llm_api_key={REPO / 'compose' / 'secrets' / 'llm_api_key.txt'}",
]


def kubemap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(chart folder, manifests folder) of the stack, both written by the real CLI."""
    base = tmp_path_factory.mktemp("stack")
    chart = kubemap("convert", *COMPOSE, "--format", "helm", "-o", str(base / "agents"))
    assert chart.returncode == 0, chart.stderr
    plain = kubemap("convert", *COMPOSE, "-o", str(base / "k8s"))
    assert plain.returncode == 0, plain.stderr
    return base / "agents", base / "k8s"


def template(helm: Helm, chart: Path, *args: str) -> list[dict]:
    return documents(helm.ok("template", "agents", chart, "--namespace", "agents", *args))


def with_secrets() -> list[str]:
    return [arg for path in SECRET_FILES for arg in ("--set-file", path)]


def test_lint_strict_is_clean(helm: Helm, outputs: tuple[Path, Path]) -> None:
    out = helm.ok("lint", "--strict", outputs[0])
    assert "1 chart(s) linted, 0 chart(s) failed" in out
    assert "[WARNING]" not in out and "[ERROR]" not in out


def test_template_with_the_secrets_given_is_exactly_kubemap_convert(helm: Helm, outputs: tuple[Path, Path]) -> None:
    rendered = template(helm, outputs[0], *with_secrets())
    assert differences(rendered, manifest_dir_objects(outputs[1]), "agents") == []


def test_template_with_default_values_is_kubemap_convert_without_the_secrets(helm: Helm, outputs: tuple[Path, Path]) -> None:
    rendered = template(helm, outputs[0])
    plain = manifest_dir_objects(outputs[1])
    assert differences(rendered, [b for b in plain if b["kind"] != "Secret"], "agents") == []
    assert sorted(b["metadata"]["name"] for b in plain if b["kind"] == "Secret") == ["db-password", "llm-api-key"]


def test_helm_output_passes_kubernetes_validate_strict(helm: Helm, outputs: tuple[Path, Path], tmp_path: Path) -> None:
    manifest = tmp_path / "rendered.yaml"
    manifest.write_text(helm.ok("template", "agents", outputs[0], "--namespace", "agents", *with_secrets()))
    tool = Path(sys.executable).parent / "kubernetes-validate"
    result = subprocess.run([str(tool), "--strict", str(manifest)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" passed for resource ") == len(documents(manifest.read_text())), result.stdout


def test_schema_rejects_a_string_for_replicas(helm: Helm, outputs: tuple[Path, Path]) -> None:
    result = helm.run("template", "agents", outputs[0], "--set", "services.worker.replicas=two")
    assert result.returncode != 0
    assert "values don't meet the specifications of the schema" in result.stderr
    assert "/services/worker/replicas" in result.stderr and "want integer" in result.stderr


def test_schema_rejects_a_misspelt_service(helm: Helm, outputs: tuple[Path, Path]) -> None:
    result = helm.run("template", "agents", outputs[0], "--set", "services.workr.replicas=3")
    assert result.returncode != 0 and "workr" in result.stderr, result.stderr


def test_a_secret_given_without_one_of_its_keys_is_a_clear_error(helm: Helm, outputs: tuple[Path, Path]) -> None:
    result = helm.run("template", "agents", outputs[0], "--set", "secrets.dbPassword.data.other=x")
    assert result.returncode != 0
    assert "secrets.dbPassword.data.db_password is required" in result.stderr


def by_ref(bodies: list[dict]) -> dict[str, dict]:
    return {f"{b['kind']}/{b['metadata']['name']}": b for b in bodies}


def container(body: dict, name: str) -> dict:
    return next(c for c in body["spec"]["template"]["spec"]["containers"] if c["name"] == name)


def test_values_change_what_they_say(helm: Helm, outputs: tuple[Path, Path]) -> None:
    rendered = by_ref(template(
        helm, outputs[0], *with_secrets(),
        "--set", "services.worker.replicas=5", "--set", "services.worker.image.tag=v2",
        "--set", "global.imageRegistry=registry.example.com/team",
        "--set", "services.worker.resources.limits.memory=256Mi",
        "--set", "services.gateway.env.LOG_LEVEL=debug", "--set", "services.gateway.service.type=ClusterIP",
        "--set", "services.chat.probes.enabled=false",
        "--set", "services.postgres.persistence.pgData.size=5Gi",
        "--set", "services.redis.nodeSelector.disk=ssd", "--set", "services.redis.podAnnotations.team=data",
        "--set", "global.namespaceOverride=prod", "--set", "global.imagePullSecrets[0].name=regcred",
    ))
    worker = rendered["Deployment/worker"]
    assert worker["spec"]["replicas"] == 5
    assert container(worker, "worker")["image"] == "registry.example.com/team/agents-worker:v2"
    assert container(worker, "worker")["resources"]["limits"]["memory"] == "256Mi"
    assert worker["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "regcred"}]
    # The wait containers run the orchestrator's image: they follow its value and the registry.
    waits = worker["spec"]["template"]["spec"]["initContainers"]
    assert {c["image"] for c in waits} == {"registry.example.com/team/agents-orchestrator:latest"}
    assert rendered["ConfigMap/gateway-env"]["data"]["LOG_LEVEL"] == "debug"
    gateway = rendered["Service/gateway"]["spec"]
    assert gateway["type"] == "ClusterIP" and all("nodePort" not in p for p in gateway["ports"])
    chat = container(rendered["Deployment/chat"], "chat")
    assert not {"livenessProbe", "readinessProbe", "startupProbe"} & set(chat)
    claim = rendered["StatefulSet/postgres"]["spec"]["volumeClaimTemplates"][0]
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi"
    redis = rendered["StatefulSet/redis"]["spec"]["template"]
    assert redis["spec"]["nodeSelector"] == {"disk": "ssd"} and redis["metadata"]["annotations"] == {"team": "data"}
    assert {b["metadata"].get("namespace") for b in rendered.values()} == {"prod"}


def test_existing_secrets_are_used_and_not_created(helm: Helm, outputs: tuple[Path, Path]) -> None:
    rendered = by_ref(template(helm, outputs[0], "--set", "secrets.dbPassword.existingSecret=vault-db",
                               "--set-file", SECRET_FILES[1]))
    assert "Secret/db-password" not in rendered and "Secret/llm-api-key" in rendered
    volumes = rendered["StatefulSet/postgres"]["spec"]["template"]["spec"]["volumes"]
    assert [v["secret"]["secretName"] for v in volumes if "secret" in v] == ["vault-db"]


def test_selectors_and_claim_templates_do_not_follow_values_that_change_on_upgrade(
        helm: Helm, outputs: tuple[Path, Path], tmp_path: Path) -> None:
    """Immutable fields must not change when an upgrade changes images, replicas, environment,
    resources, the chart version or the appVersion."""
    newer = tmp_path / "agents"
    result = kubemap("convert", *COMPOSE, "--format", "helm", "-o", str(newer), "--chart-version", "2.0.0",
                     "--app-version", "2.0")
    assert result.returncode == 0, result.stderr
    before = by_ref(template(helm, outputs[0]))
    after = by_ref(template(helm, newer, "--set-string", "services.postgres.image.tag=16",
                            "--set", "services.worker.replicas=4", "--set-string", "services.postgres.env.X=1",
                            "--set", "services.redis.resources.limits.cpu=1",
                            "--set", "global.imageRegistry=r.example.com"))
    assert after["Deployment/worker"]["metadata"]["labels"]["helm.sh/chart"] == "agents-2.0.0"
    for ref, body in before.items():
        spec = body.get("spec") or {}
        for field in ("selector", "serviceName", "volumeClaimTemplates"):
            if field in spec:
                assert after[ref]["spec"][field] == spec[field], f"{ref} .spec.{field} changed"
        if body["kind"] == "Service":
            assert after[ref]["spec"].get("selector") == spec.get("selector"), ref


def test_one_shot_services_are_post_install_and_upgrade_hooks(helm: Helm, outputs: tuple[Path, Path]) -> None:
    job = by_ref(template(helm, outputs[0]))["Job/migrate"]
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "post-install,post-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation"
    assert normalise(job, "agents") == normalise(by_ref(manifest_dir_objects(outputs[1]))["Job/migrate"])


def test_notes_say_how_to_reach_the_published_ports_and_which_secrets_are_missing(
        helm: Helm, outputs: tuple[Path, Path]) -> None:
    notes = helm.ok("install", "agents", outputs[0], "--dry-run=client", "--namespace", "agents")
    notes = notes[notes.index("NOTES:"):]
    assert "gateway: http://localhost:8080" in notes and "frontend: http://localhost:3000" in notes
    assert "db-password: --set-file secrets.dbPassword.data.db_password=./secrets/db_password.txt" in notes
    given = helm.ok("install", "agents", outputs[0], "--dry-run=client", "--namespace", "agents", *with_secrets(),
                    "--set", "services.gateway.service.type=ClusterIP")
    given = given[given.index("NOTES:"):]
    assert "db-password" not in given
    assert "kubectl --namespace agents port-forward service/gateway 8080:8080" in given
