"""converter/up/lifecycle.py: when `kubemap down` deletes the kind cluster."""

from __future__ import annotations

import pytest

from converter.up.lifecycle import keep_cluster_because

MADE_FOR_SHOP = {"cluster": "kubemap", "created-for": "shop", "provider": "podman"}
CASES = [
    ("made for this project, nothing else in it", None, MADE_FOR_SHOP, "shop", [], ""),
    ("--keep-cluster", False, MADE_FOR_SHOP, "shop", [], "--keep-cluster"),
    ("made by hand (no record)", None, None, "shop", [], "kubemap up did not create it"),
    ("made for another project", None, MADE_FOR_SHOP, "blog", [], "kubemap up created it for project shop"),
    ("another project still there", None, MADE_FOR_SHOP, "shop", ["blog", "wiki"],
     "project(s) blog, wiki still run in it"),
]


@pytest.mark.parametrize(("case", "option", "record", "project", "others", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_the_cluster_goes_only_when_up_made_it_for_this_project_alone(case, option, record, project, others,
                                                                      expected) -> None:  # type: ignore[no-untyped-def]
    assert keep_cluster_because(option, record, project, others) == expected
