"""R-VAR-01: unset variables are reported with where they are used."""

from __future__ import annotations

from converter.model import VariableUse

from .helpers import run, service


def test_r_var_01_every_use_of_an_unset_variable_is_a_finding():
    """Old behaviour: convert and report said nothing (only validate listed them)."""
    uses = [VariableUse(name="DB_PASSWORD", file="compose.yaml", line=7, key_path="services.db.environment.PW"),
            VariableUse(name="CONFIG", file="compose.yaml", line=9, key_path="services.web.volumes[0]")]
    bundle = run(service("db", image="postgres:16", environment={"PW": ""}), service("web", image="nginx"),
                 unset_variables=uses)
    found = [(f.source, f.message) for f in bundle.findings if f.code == "KM-W-VAR-UNSET"]
    assert found == [("services.db.environment.PW", "variable DB_PASSWORD is not set: an empty string was used "
                      "(compose.yaml:7)"),
                     ("services.web.volumes[0]", "variable CONFIG is not set: an empty string was used (compose.yaml:9)")]
