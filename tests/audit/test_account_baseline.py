"""Account baseline checks (LZ-BAS-*) fed with discovered data directly (no AWS), and refused reads."""

from __future__ import annotations

from typing import Any

import pytest

from landingzone.audit import run_audit
from landingzone.audit.model import REGISTRY, AuditContext, Practice
from landingzone.discovery import AccountInfo, AccountView, Discovery, DiscoveryOptions, OrganizationInfo, RootInfo

PROD = "222222222222"
GOOD_IMDS = {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}


def _found(**view: Any) -> Discovery:
    found = Discovery(options=DiscoveryOptions(), caller_account_id="111111111111")
    found.organization = OrganizationInfo("o-abcdefghij", "arn:aws:organizations::111111111111:organization/o-x",
                                          "ALL", "111111111111", "m@example.com")
    found.roots = [RootInfo("r-ab12", "Root", ("SERVICE_CONTROL_POLICY",))]
    found.accounts = [AccountInfo("111111111111", "management", "m@example.com", "ACTIVE", "r-ab12", "Root"),
                      AccountInfo(PROD, "production", "p@example.com", "ACTIVE", "r-ab12", "Root")]
    settings: dict[str, Any] = {"ebs_encryption_by_default": {"us-east-1": True, "us-west-2": True},
                                "account_public_access_block": True,
                                "imds_defaults": {"us-east-1": GOOD_IMDS, "us-west-2": GOOD_IMDS}}
    settings.update(view)
    found.account_views = {PROD: AccountView(PROD, **settings)}
    return found


def _findings(found: Discovery) -> list[tuple[str, str | None]]:
    report = run_audit(AuditContext(found), only={"LZ-BAS-001", "LZ-BAS-002", "LZ-BAS-003"})
    return [(f.id, f.issue.region) for f in report.findings]


def test_a_hardened_account_passes() -> None:
    assert _findings(_found()) == []


@pytest.mark.parametrize(("view", "expected"), [
    ({"ebs_encryption_by_default": {"us-east-1": True, "us-west-2": False}}, [("LZ-BAS-001", "us-west-2")]),
    ({"account_public_access_block": False}, [("LZ-BAS-002", None)]),
    ({"imds_defaults": {"us-east-1": {"HttpTokens": "optional"}, "us-west-2": GOOD_IMDS}},
     [("LZ-BAS-003", "us-east-1")]),
    ({"imds_defaults": {"us-east-1": {}, "us-west-2": GOOD_IMDS}}, [("LZ-BAS-003", "us-east-1")]),  # no default
    ({"imds_defaults": {"us-east-1": GOOD_IMDS, "us-west-2": {"HttpTokens": "required",
                                                              "HttpPutResponseHopLimit": 5}}},
     [("LZ-BAS-003", "us-west-2")]),
])
def test_each_setting_missing_is_one_finding(view: dict[str, Any], expected: list[tuple[str, str | None]]) -> None:
    assert _findings(_found(**view)) == expected


def test_refused_reads_are_not_passing_nor_failing() -> None:
    """Regions whose reads were refused are missing from the view (discovery lists them as not visible); a check
    none of whose reads answered is not applicable, never a pass."""
    found = _found(ebs_encryption_by_default={}, account_public_access_block=None, imds_defaults={})
    assert _findings(found) == []
    report = run_audit(AuditContext(found), only={"LZ-BAS-001", "LZ-BAS-002", "LZ-BAS-003"})
    assert {r.check.id: r.status for r in report.results} == dict.fromkeys(
        ("LZ-BAS-001", "LZ-BAS-002", "LZ-BAS-003"), "n/a")
    invisible = _found()
    invisible.account_views[PROD].visible = False
    invisible.account_views[PROD].ebs_encryption_by_default = {"us-east-1": False}
    assert _findings(invisible) == []


def test_checks_belong_to_the_account_baseline_practice() -> None:
    for check_id in ("LZ-BAS-001", "LZ-BAS-002", "LZ-BAS-003"):
        assert REGISTRY[check_id].practice == Practice.ACCOUNT_BASELINE
        assert "baseline" in REGISTRY[check_id].remediation
