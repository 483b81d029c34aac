"""Values the stack's chart does not have, on the golden fixtures that do: an Ingress from
x-kubemap.ingress, claims that are PersistentVolumeClaims of their own (existingClaim), and a
shared claim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helm.compare import documents
from tests.helm.helm import Helm

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("golden-charts")
    for feature in ("x-kubemap", "volumes-storage"):
        result = subprocess.run([sys.executable, "-m", "converter", "convert", "-f", str(GOLDEN / feature / "compose.yaml"),
                                 "--format", "helm", "-o", str(base / feature)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    return base


def objects(helm: Helm, chart: Path, *args: str) -> dict[str, dict]:
    return {f"{d['kind']}/{d['metadata']['name']}": d
            for d in documents(helm.ok("template", "r", chart, "--namespace", "ns", *args))}


def test_ingress_values(helm: Helm, charts: Path) -> None:
    chart = charts / "x-kubemap"
    assert objects(helm, chart)["Ingress/web"]["spec"]["rules"][0]["host"] == "shop.example.com"
    assert "Ingress/web" not in objects(helm, chart, "--set", "services.web.ingress.enabled=false")
    changed = objects(helm, chart, "--set", "services.web.ingress.className=nginx",
                      "--set", "services.web.ingress.hosts[0].host=shop.test",
                      "--set", "services.web.ingress.hosts[0].paths[0].path=/shop",
                      "--set", "services.web.ingress.hosts[0].paths[0].port=80",
                      "--set", "services.web.ingress.tls[0].secretName=shop-tls",
                      "--set", "services.web.ingress.tls[0].hosts[0]=shop.test",
                      "--set", "services.web.ingress.annotations.team=web")["Ingress/web"]
    assert changed["spec"]["ingressClassName"] == "nginx"
    assert changed["metadata"]["annotations"] == {"team": "web"}
    rule = changed["spec"]["rules"][0]
    assert rule["host"] == "shop.test" and rule["http"]["paths"][0]["path"] == "/shop"
    assert rule["http"]["paths"][0]["backend"] == {"service": {"name": "web", "port": {"number": 80}}}
    assert changed["spec"]["tls"] == [{"hosts": ["shop.test"], "secretName": "shop-tls"}]


def test_existing_claims_replace_the_chart_s_claims(helm: Helm, charts: Path) -> None:
    chart = charts / "volumes-storage"
    default = objects(helm, chart)
    assert {"PersistentVolumeClaim/data", "PersistentVolumeClaim/shared"} <= set(default)
    assert default["PersistentVolumeClaim/data"]["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}
    given = objects(helm, chart, "--set", "services.app.persistence.data.existingClaim=old-data",
                    "--set", "persistence.shared.existingClaim=nfs-shared",
                    "--set", "persistence.shared.accessModes[0]=ReadWriteMany")
    assert "PersistentVolumeClaim/data" not in given and "PersistentVolumeClaim/shared" not in given
    claims = {v["persistentVolumeClaim"]["claimName"] for body in given.values()
              if body["kind"] in ("Deployment", "StatefulSet", "Job")
              for v in body["spec"]["template"]["spec"].get("volumes", []) if "persistentVolumeClaim" in v}
    assert {"old-data", "nfs-shared"} <= claims and not {"data", "shared"} & claims
    resized = objects(helm, chart, "--set", "persistence.shared.size=20Gi", "--set", "persistence.shared.storageClass=fast")
    spec = resized["PersistentVolumeClaim/shared"]["spec"]
    assert spec["resources"]["requests"]["storage"] == "20Gi" and spec["storageClassName"] == "fast"
