"""R-UNSUP-01 and trace coverage: nothing is dropped silently."""

from __future__ import annotations

import pytest

from converter.errors import TranslateError
from converter.translate import TranslateOptions

from .helpers import codes, run, service, traces


@pytest.mark.parametrize(
    "key",
    [pytest.param("logging", id="R-UNSUP-01-logging"), pytest.param("devices", id="R-UNSUP-01-devices"),
     pytest.param("some_future_key", id="R-UNSUP-01-unknown-key")],
)
def test_other_keys_are_reported(key):
    bundle = run(service("app", image="x", other={key: {"a": 1}}, keys=["image", key]))
    [entry] = traces(bundle, f"services.app.{key}")
    assert entry.status == "unsupported" and entry.rule == "R-UNSUP-01" and entry.reason
    assert "KM-W-UNSUPPORTED" in codes(bundle)


def test_r_unsup_01_external_links_reported():
    bundle = run(service("app", image="x", external_links=["redis_1"]))
    assert traces(bundle, "services.app.external_links")[0].status == "unsupported"


def test_r_unsup_01_empty_keys_traced_as_nothing_to_convert():
    bundle = run(service("app", image="x", ports=[], cap_add=[], keys=["image", "ports", "cap_add"]))
    assert traces(bundle, "services.app.ports")[0].reason == "empty or default: nothing to convert"


def test_r_unsup_01_key_without_rule_still_traced():
    bundle = run(service("app", image="x", keys=["image", "mystery"]))
    assert traces(bundle, "services.app.mystery")[0].status == "unsupported"


def test_strict_mode_turns_unsupported_into_an_error():
    svc = service("app", image="x", other={"logging": {"driver": "json-file"}}, keys=["image", "logging"])
    with pytest.raises(TranslateError, match="logging"):
        run(svc, options=TranslateOptions(strict=True))
    run(service("app", image="x"), options=TranslateOptions(strict=True))  # nothing unsupported: fine
