"""R-X-01, R-ING-01, R-HPA-01: x-kubemap."""

from __future__ import annotations

import pytest

from converter.errors import TranslateError
from converter.model import Deploy, PortMapping, ResourceSpec, Resources

from .helpers import codes, obj, run, service, traces


def test_r_ing_01_ingress():
    bundle = run(service("web", image="x", ports=[PortMapping(target=8080)],
                         extensions={"x-kubemap": {"ingress": {"host": "app.example.com", "path": "/api",
                                                               "class": "nginx", "tls_secret": "tls"}}}))
    ing = obj(bundle, "Ingress", "web")
    assert ing["spec"]["ingressClassName"] == "nginx"
    assert ing["spec"]["rules"] == [{"host": "app.example.com", "http": {"paths": [
        {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 8080}}}}]}}]
    assert ing["spec"]["tls"] == [{"hosts": ["app.example.com"], "secretName": "tls"}]


def test_r_ing_01_ingress_needs_ports():
    with pytest.raises(TranslateError, match="needs a service with ports"):
        run(service("web", image="x", extensions={"x-kubemap": {"ingress": {"host": "a"}}}))


def test_r_hpa_01_hpa():
    res = Resources(reservations=ResourceSpec(cpus=0.25))
    bundle = run(service("api", image="x", deploy=Deploy(resources=res),
                         extensions={"x-kubemap": {"hpa": {"min": 2, "max": 6, "cpu": 70}}}))
    spec = obj(bundle, "HorizontalPodAutoscaler", "api")["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 6)
    assert spec["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
    assert "KM-W-HPA-NO-REQUESTS" not in codes(bundle)
    assert "replicas" not in obj(bundle, "Deployment", "api")["spec"]  # the HPA owns it


def test_r_hpa_01_without_cpu_request_is_reported():
    bundle = run(service("api", image="x", extensions={"x-kubemap": {"hpa": {"max": 3}}}))
    assert "KM-W-HPA-NO-REQUESTS" in codes(bundle)


@pytest.mark.parametrize(
    ("ext", "message"),
    [pytest.param({"x-kubemap": {"replica": 2}}, "unknown x-kubemap key", id="R-X-01-typo-is-an-error"),
     pytest.param({"x-kubemap": ["a"]}, "must be a mapping", id="R-X-01-not-a-mapping"),
     pytest.param({"x-kubemap": {"hpa": {"max": 2, "cpus": 50}}}, "unknown hpa key", id="R-X-01-nested-typo"),
     pytest.param({"x-kubemap": {"volumes": {"data": {"sise": "1Gi"}}}}, "only", id="R-X-01-volume-typo")],
)
def test_bad_x_kubemap(ext, message):
    with pytest.raises(TranslateError, match=message):
        run(service("api", image="x", extensions=ext))


def test_r_x_01_other_extensions_traced():
    bundle = run(service("api", image="x", extensions={"x-team": "core", "x-kubemap": {"replicas": 2}}),
                 extensions={"x-common": {}})
    assert traces(bundle, "services.api.x-team")[0].rule == "R-X-01"
    assert traces(bundle, "services.api.x-kubemap.replicas")[0].rule == "R-X-01"
    assert traces(bundle, "x-common")[0].rule == "R-X-01"


def test_r_x_01_unknown_top_level_key():
    with pytest.raises(TranslateError, match="top-level"):
        run(service("api", image="x"), extensions={"x-kubemap": {"nope": 1}})
