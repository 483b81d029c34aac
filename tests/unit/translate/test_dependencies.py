"""R-DEP-01..03: depends_on → init containers, Job waits, cycles."""

from __future__ import annotations

import pytest

from converter.errors import TranslateError
from converter.model import DependsOn, Healthcheck, PortMapping

from .helpers import codes, has, obj, pod, run, service, traces


def _init(bundle, name="web", kind="Deployment"):
    return {c["name"]: c for c in pod(bundle, kind, name).get("initContainers", [])}


@pytest.mark.parametrize(
    "condition",
    [pytest.param("service_started", id="R-DEP-01-started"), pytest.param("service_healthy", id="R-DEP-01-healthy")],
)
def test_tcp_wait_on_the_dependency_service_port(condition):
    db = service("db", image="postgres", ports=[PortMapping(target=5432, published="5433")],
                 healthcheck=Healthcheck(test=["CMD", "pg_isready"]))
    web = service("web", image="registry.local/web:1", depends_on={"db": DependsOn(condition=condition)})
    bundle = run(db, web)
    init = _init(bundle)["wait-for-db"]
    assert init["image"] == "registry.local/web:1"  # the dependant's own image, no busybox
    script = init["command"][2]
    assert init["command"][:2] == ["/bin/sh", "-c"]
    assert "h=db p=5432" in script and "nc -z" in script and "/dev/tcp" in script and "python3" in script
    assert "$(" not in script and "$$" not in script  # nothing for Kubernetes to expand
    entry = traces(bundle, "services.web.depends_on.db")[0]
    assert entry.rule == "R-DEP-01" and "own image" in entry.reason


def test_r_dep_01_portless_dependency_waits_for_dns():
    bundle = run(service("worker", image="w"), service("web", image="x", depends_on={"worker": DependsOn()}))
    script = _init(bundle)["wait-for-worker"]["command"][2]
    assert "getent hosts" in script
    assert "DNS" in traces(bundle, "services.web.depends_on.worker")[0].reason


def test_r_dep_01_healthy_without_healthcheck_is_reported():
    bundle = run(service("db", image="x", expose=["1"]),
                 service("web", image="x", depends_on={"db": DependsOn(condition="service_healthy")}))
    assert "KM-W-NO-HEALTHCHECK" in codes(bundle)


def test_r_dep_01_wait_image_override():
    bundle = run(service("db", image="x", expose=["1"]),
                 service("web", image="scratch-app", depends_on={"db": DependsOn()},
                         extensions={"x-kubemap": {"wait_image": "demo-tools:1"}}))
    assert _init(bundle)["wait-for-db"]["image"] == "demo-tools:1"


@pytest.mark.parametrize(
    ("tools_service", "expected"),
    [
        pytest.param({"pull_policy": "never"}, "Never", id="R-DEP-01-wait-image-of-a-service-with-pull-policy"),
        pytest.param({}, "IfNotPresent", id="R-DEP-01-wait-image-of-a-service-without-policy"),
        pytest.param(None, "IfNotPresent", id="R-DEP-01-wait-image-no-service-runs"),
    ],
)
def test_wait_image_pull_policy_never_defaults_to_always(tools_service, expected):
    """A `:latest` wait image with no policy would default to Always and never start when the
    image only exists locally (kind load): the policy comes from the service that runs it."""
    services = [service("db", image="x", expose=["1"]),
                service("web", image="scratch-app", depends_on={"db": DependsOn()},
                        extensions={"x-kubemap": {"wait_image": "tools:latest"}})]
    if tools_service is not None:
        services.append(service("tools", image="tools:latest", **tools_service))
    assert _init(run(*services))["wait-for-db"]["imagePullPolicy"] == expected


def test_r_dep_01_build_image_keeps_pull_policy():
    from converter.model import Build

    bundle = run(service("db", image="x", expose=["1"]),
                 service("web", build=Build(context="/proj/web"), depends_on={"db": DependsOn()}))
    init = _init(bundle)["wait-for-db"]
    assert init["image"] == "demo-web:latest" and init["imagePullPolicy"] == "IfNotPresent"


def test_r_dep_02_completion_waits_through_the_api_with_least_rbac():
    migrate = service("migrate", image="app")
    api = service("api", image="app", depends_on={"migrate": DependsOn(condition="service_completed_successfully")})
    bundle = run(migrate, api)
    assert has(bundle, "Job", "migrate")
    init = _init(bundle, "api")["wait-for-migrate"]
    script = init["command"][2]
    assert "jobs/$job?pretty=false" in script and "job=migrate" in script and "\"succeeded\": " in script
    assert "$(" not in script
    role = obj(bundle, "Role", "api-wait")
    assert role["rules"] == [{"apiGroups": ["batch"], "resources": ["jobs"], "resourceNames": ["migrate"],
                              "verbs": ["get"]}]
    binding = obj(bundle, "RoleBinding", "api-wait")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "api-wait"}]
    assert pod(bundle, "Deployment", "api")["serviceAccountName"] == "api-wait"
    assert traces(bundle, "services.api.depends_on.migrate")[0].rule == "R-DEP-02"


def test_r_dep_03_required_false_is_not_blocking():
    bundle = run(service("db", image="x", expose=["1"]),
                 service("web", image="x", depends_on={"db": DependsOn(required=False)}))
    assert _init(bundle) == {}
    assert traces(bundle, "services.web.depends_on.db")[0].rule == "R-DEP-03"


@pytest.mark.parametrize(
    "graph",
    [pytest.param({"a": ["b"], "b": ["a"]}, id="R-DEP-01-cycle-two"),
     pytest.param({"a": ["b"], "b": ["c"], "c": ["a"]}, id="R-DEP-01-cycle-three"),
     pytest.param({"a": ["a"]}, id="R-DEP-01-self")],
)
def test_cycles_are_errors(graph):
    svcs = [service(n, image="x", depends_on={d: DependsOn() for d in deps}) for n, deps in graph.items()]
    with pytest.raises(TranslateError, match="cycle"):
        run(*svcs)


def test_init_containers_are_hardened_and_ordered():
    bundle = run(service("b", image="x", expose=["1"]), service("a", image="x", expose=["2"]),
                 service("web", image="x", depends_on={"b": DependsOn(), "a": DependsOn()}))
    inits = pod(bundle, "Deployment", "web")["initContainers"]
    assert [c["name"] for c in inits] == ["wait-for-a", "wait-for-b"]
    assert all(c["securityContext"]["allowPrivilegeEscalation"] is False for c in inits)


SCRATCH_DOCKERFILE = b"""FROM golang:1.26 AS build
RUN go build -o /out/app .
FROM scratch
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
"""


def _built_from_scratch(**fields):
    from converter.model import Build, HostPath

    gateway = service("gateway", build=Build(context="/proj/gw"), **fields,
                      depends_on={"api": DependsOn(condition="service_healthy")})
    api = service("api", image="python:3.12", expose=["8000"], healthcheck=Healthcheck(test=["CMD", "true"]))
    paths = {"/proj/gw/Dockerfile": HostPath(path="/proj/gw/Dockerfile", kind="file", content=SCRATCH_DOCKERFILE)}
    return gateway, api, paths


def test_r_dep_04_no_wait_container_in_a_scratch_image():
    """Old behaviour: `/bin/sh -c` in an image built FROM scratch: Init:RunContainerError."""
    gateway, api, paths = _built_from_scratch()
    bundle = run(gateway, api, host_paths=paths)
    assert "initContainers" not in pod(bundle, "Deployment", "gateway")
    [finding] = [f for f in bundle.findings if f.code == "KM-W-WAIT-NO-SHELL"]
    assert "FROM scratch" in finding.message and "wait_image" in finding.hint
    assert traces(bundle, "services.gateway.depends_on.api")[0].rule == "R-DEP-04"


def test_r_dep_04_configured_wait_image_is_used():
    gateway, api, paths = _built_from_scratch(extensions={"x-kubemap": {"wait_image": "tools:1"}})
    bundle = run(gateway, api, host_paths=paths)
    assert _init(bundle, "gateway")["wait-for-api"]["image"] == "tools:1"
    assert "KM-W-WAIT-NO-SHELL" not in codes(bundle)


def test_r_dep_04_well_known_shellless_image():
    collector = service("otel", image="otel/opentelemetry-collector-contrib:0.120.0",
                        depends_on={"jaeger": DependsOn(condition="service_started")})
    jaeger = service("jaeger", image="jaegertracing/all-in-one", expose=["4317"])
    bundle = run(collector, jaeger)
    assert "initContainers" not in pod(bundle, "Deployment", "otel")
    assert "KM-W-WAIT-NO-SHELL" in codes(bundle)
