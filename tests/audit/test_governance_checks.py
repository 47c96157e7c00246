"""The account governance checks fed with discovered data (no AWS): LZ-GOV-001 and LZ-ROOT-001."""

from __future__ import annotations

from landingzone.audit import run_audit
from landingzone.audit.model import REGISTRY, AuditContext, Practice
from landingzone.discovery import AccountInfo, Discovery, DiscoveryOptions, OrganizationInfo, RootInfo
from landingzone.governance_discovery import GovernanceView

MGMT, PROD, DEV = "111111111111", "222222222222", "333333333333"


def _org(governance: GovernanceView, *, trusted: tuple[str, ...] = ("iam.amazonaws.com",),
         caller: str = MGMT) -> Discovery:
    found = Discovery(options=DiscoveryOptions(), caller_account_id=caller, governance=governance,
                      trusted_services=list(trusted))
    found.organization = OrganizationInfo("o-abcdefghij", "arn:aws:organizations::111111111111:organization/o-x",
                                          "ALL", MGMT, "m@example.com")
    found.roots = [RootInfo("r-ab12", "Root", ("SERVICE_CONTROL_POLICY",))]
    found.accounts = [AccountInfo(MGMT, "management", "m@example.com", "ACTIVE", "r-ab12", "Root"),
                      AccountInfo(PROD, "production", "p@example.com", "ACTIVE", "r-ab12", "Root"),
                      AccountInfo(DEV, "development", "d@example.com", "ACTIVE", "r-ab12", "Root")]
    return found


def _results(found: Discovery) -> dict[str, tuple[str, list[str]]]:
    report = run_audit(AuditContext(found), only={"LZ-GOV-001", "LZ-ROOT-001"})
    return {r.check.id: (r.status, [f.issue.message for f in r.findings]) for r in report.results}


ALL = ("RootCredentialsManagement", "RootSessions")


def test_every_account_with_a_security_contact_and_root_access_on_passes() -> None:
    view = GovernanceView({MGMT: ("SECURITY",), PROD: ("SECURITY",), DEV: ("SECURITY",)}, True, set(), ALL)
    assert _results(_org(view)) == {"LZ-GOV-001": ("pass", []), "LZ-ROOT-001": ("pass", [])}


def test_a_missing_security_contact_names_the_account_and_the_management_account_counts() -> None:
    view = GovernanceView({MGMT: (), PROD: ("SECURITY",), DEV: ()}, True, set(), ALL)
    status, messages = _results(_org(view))["LZ-GOV-001"]
    assert status == "fail"
    assert messages == [f"account {DEV} (development) has no alternate security contact",
                        f"account {MGMT} (management) has no alternate security contact"]


def test_an_unreadable_contact_is_not_reported_missing() -> None:
    view = GovernanceView({MGMT: ("SECURITY",), PROD: ("SECURITY",)}, True, {DEV}, ALL)
    assert _results(_org(view))["LZ-GOV-001"] == ("pass", [])


def test_root_access_needs_both_features_and_trusted_access_for_iam() -> None:
    half = GovernanceView({}, True, set(), ("RootCredentialsManagement",))
    assert _results(_org(half))["LZ-ROOT-001"] == (
        "fail", ["centralized root access is incomplete: RootSessions not enabled"])
    untrusted = GovernanceView({}, True, set(), ())
    status, (message,) = _results(_org(untrusted, trusted=()))["LZ-ROOT-001"]
    assert status == "fail" and message.startswith(
        "centralized root access is incomplete: trusted access for iam.amazonaws.com, RootCredentialsManagement")


def test_not_visible_or_not_the_management_account_is_not_applicable() -> None:
    unreadable = GovernanceView({}, False, set(), None)
    assert {s for s, _ in _results(_org(unreadable)).values()} == {"n/a"}
    member = GovernanceView({MGMT: ()}, True, set(), ())
    assert {s for s, _ in _results(_org(member, caller=PROD)).values()} == {"n/a"}


def test_metadata_cites_the_practices() -> None:
    assert REGISTRY["LZ-GOV-001"].practice is Practice.ACCOUNT_GOVERNANCE
    assert REGISTRY["LZ-ROOT-001"].practice is Practice.ROOT_ACCESS
    assert "governance.alternate_contacts.security" in REGISTRY["LZ-GOV-001"].remediation
