"""R-PROBE-01..04: healthchecks → readiness/liveness/startup probes, HTTP recognition."""

from __future__ import annotations

import pytest

from converter.model import Healthcheck
from converter.translate.probes import http_probe, probe_command

from .helpers import main, run, service, traces


@pytest.mark.parametrize(
    ("test", "argv"),
    [
        pytest.param(["CMD", "pg_isready", "-U", "postgres"], ["pg_isready", "-U", "postgres"], id="R-PROBE-01-cmd-exec-as-is"),
        pytest.param(["CMD-SHELL", "pg_isready -U $$USER || exit 1"],
                     ["/bin/sh", "-c", "pg_isready -U $$USER || exit 1"], id="R-PROBE-01-cmd-shell-uses-sh"),
        pytest.param(["redis-cli ping"], ["/bin/sh", "-c", "redis-cli ping"], id="R-PROBE-01-string-form-uses-sh"),
        pytest.param(["NONE"], None, id="R-PROBE-01-none"),
    ],
)
def test_probe_command(test, argv):
    assert probe_command(test) == argv


def test_r_probe_01_timings_and_defaults():
    hc = Healthcheck(test=["CMD", "check"], interval=10, timeout=2.5, retries=5)
    probe = main(run(service("app", image="x", healthcheck=hc)))["readinessProbe"]
    assert probe == {"exec": {"command": ["check"]}, "periodSeconds": 10, "timeoutSeconds": 3, "failureThreshold": 5}
    default = main(run(service("app", image="x", healthcheck=Healthcheck(test=["CMD", "check"]))))["readinessProbe"]
    assert (default["periodSeconds"], default["timeoutSeconds"], default["failureThreshold"]) == (30, 30, 3)


@pytest.mark.parametrize(
    "hc",
    [pytest.param(Healthcheck(test=["NONE"]), id="R-PROBE-01-test-none-no-probe"),
     pytest.param(Healthcheck(test=["CMD", "x"], disable=True), id="R-PROBE-01-disable-no-probe")],
)
def test_disabled_healthcheck_gives_no_probe(hc):
    bundle = run(service("app", image="x", healthcheck=hc))
    container = main(bundle)
    assert not {"readinessProbe", "livenessProbe", "startupProbe"} & set(container)
    assert traces(bundle, "services.app.healthcheck")[0].rule == "R-PROBE-01"


def test_r_probe_02_liveness_has_twice_the_threshold():
    hc = Healthcheck(test=["CMD", "check"], interval=5, retries=4)
    container = main(run(service("app", image="x", healthcheck=hc)))
    assert container["livenessProbe"]["failureThreshold"] == 8
    assert container["livenessProbe"]["exec"] == container["readinessProbe"]["exec"]


@pytest.mark.parametrize(
    ("hc", "period", "threshold"),
    [
        pytest.param(Healthcheck(test=["CMD", "c"], interval=10, retries=3, start_period=60), 10, 9,
                     id="R-PROBE-03-start-period"),
        pytest.param(Healthcheck(test=["CMD", "c"], interval=30, retries=2, start_period=45, start_interval=5), 5, 11,
                     id="R-PROBE-03-start-interval"),
    ],
)
def test_startup_probe(hc, period, threshold):
    probe = main(run(service("app", image="x", healthcheck=hc)))["startupProbe"]
    assert (probe["periodSeconds"], probe["failureThreshold"]) == (period, threshold)


def test_r_probe_03_no_start_period_no_startup_probe():
    assert "startupProbe" not in main(run(service("app", image="x", healthcheck=Healthcheck(test=["CMD", "c"]))))


def test_x_kubemap_probe_choice_turns_liveness_off():
    bundle = run(service("app", image="x", healthcheck=Healthcheck(test=["CMD", "c"]),
                         extensions={"x-kubemap": {"probes": {"liveness": False}}}))
    assert "livenessProbe" not in main(bundle) and "readinessProbe" in main(bundle)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["curl", "-f", "http://localhost:8080/health"], {"path": "/health", "port": 8080},
                     id="R-PROBE-04-curl-f"),
        pytest.param(["/bin/sh", "-c", "curl -fsS http://127.0.0.1:3000/healthz || exit 1"],
                     {"path": "/healthz", "port": 3000}, id="R-PROBE-04-curl-fsS-shell-exit-1"),
        pytest.param(["curl", "--fail", "--silent", "http://localhost/"], {"path": "/", "port": 80},
                     id="R-PROBE-04-curl-fail-default-port"),
        pytest.param(["wget", "-q", "--spider", "http://localhost:9000/ping?x=1"], {"path": "/ping?x=1", "port": 9000},
                     id="R-PROBE-04-wget-spider"),
        pytest.param(["/bin/sh", "-c", "wget -qO- http://localhost:8000/ready"], {"path": "/ready", "port": 8000},
                     id="R-PROBE-04-wget-qO-"),
        pytest.param(["curl", "-fk", "https://localhost:8443/h"], {"path": "/h", "port": 8443, "scheme": "HTTPS"},
                     id="R-PROBE-04-https"),
        pytest.param(["curl", "http://localhost:8080/health"], None, id="R-PROBE-04-curl-without-f-stays-exec"),
        pytest.param(["curl", "-f", "http://api:8080/health"], None, id="R-PROBE-04-remote-host-stays-exec"),
        pytest.param(["/bin/sh", "-c", "curl -f http://localhost:8080/ && echo ok"], None,
                     id="R-PROBE-04-compound-shell-stays-exec"),
        pytest.param(["curl", "-f", "-X", "POST", "http://localhost/"], None, id="R-PROBE-04-unknown-option-stays-exec"),
        pytest.param(["/bin/sh", "-c", 'curl -fsS -H "Host: app.local" http://localhost:8080/health'],
                     {"path": "/health", "port": 8080, "httpHeaders": [{"name": "Host", "value": "app.local"}]},
                     id="R-PROBE-04-curl-host-header-kept"),
        pytest.param(["wget", "-q", "--spider", "--header=X-Check: 1", "http://localhost/"],
                     {"path": "/", "port": 80, "httpHeaders": [{"name": "X-Check", "value": "1"}]},
                     id="R-PROBE-04-wget-header-kept"),
        pytest.param(["curl", "-f", "-H", "not a header", "http://localhost/"], None,
                     id="R-PROBE-04-unparsable-header-stays-exec"),
    ],
)
def test_http_probe_recognition(argv, expected):
    assert http_probe(argv) == expected


def test_r_probe_04_http_probe_is_traced_as_approximated():
    hc = Healthcheck(test=["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"], interval=10)
    bundle = run(service("app", image="x", healthcheck=hc))
    assert main(bundle)["readinessProbe"]["httpGet"] == {"path": "/health", "port": 8080}
    entry = [e for e in bundle.trace if e.rule == "R-PROBE-04"][0]
    assert entry.status == "approximated" and "pod IP" in entry.reason
