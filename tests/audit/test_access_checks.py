"""The access checks (LZ-IDC-*) fed with discovered data directly: what fires, what is exempt, what is unseen."""

from __future__ import annotations

from landingzone.audit import run_audit
from landingzone.audit.model import AuditContext, AuditSettings
from landingzone.discovery import AccountInfo, AccountView, Discovery, DiscoveryOptions, OrganizationInfo
from landingzone.discovery_identity import IamUserInfo, IdentityCenterView, ManagementAssignment

MGMT, DEV = "111111111111", "222222222222"
INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"


def _found(ic: IdentityCenterView | None = None, users: list[IamUserInfo] | None = None) -> Discovery:
    found = Discovery(options=DiscoveryOptions(), caller_account_id=MGMT)
    found.organization = OrganizationInfo("o-abcdefghij", "arn", "ALL", MGMT, "m@example.com")
    found.accounts = [AccountInfo(MGMT, "management", "m@example.com", "ACTIVE", "r-ab12", "Root"),
                      AccountInfo(DEV, "development", "d@example.com", "ACTIVE", "r-ab12", "Root")]
    found.account_views = {DEV: AccountView(DEV, iam_users=users)}
    found.identity_center = ic or IdentityCenterView(
        instance_arn=INSTANCE, identity_store_id="d-1234567890", permission_sets={"arn:ps": "ReadOnly"},
        member_assignment_found=True)
    return found


def _findings(found: Discovery, settings: AuditSettings | None = None) -> list[tuple[str, str]]:
    ctx = AuditContext(found, settings=settings)
    report = run_audit(ctx, only={"LZ-IDC-001", "LZ-IDC-002", "LZ-IDC-003"})
    return [(f.id, f.issue.message) for f in report.findings]


def test_in_use_passes_and_each_way_of_not_being_in_use_fails() -> None:
    assert _findings(_found()) == []
    assert _findings(_found(IdentityCenterView())) == [
        ("LZ-IDC-001", "IAM Identity Center is not enabled for the organization")]
    empty = IdentityCenterView(instance_arn=INSTANCE, identity_store_id="d-1234567890")
    assert [i for i, _ in _findings(_found(empty))] == ["LZ-IDC-001"]
    unassigned = IdentityCenterView(instance_arn=INSTANCE, permission_sets={"arn:ps": "ReadOnly"},
                                    member_assignment_found=False)
    assert "no group is assigned" in _findings(_found(unassigned))[0][1]


def test_an_unreadable_identity_center_is_not_evaluated() -> None:
    ctx = AuditContext(_found(IdentityCenterView(visible=False)))
    results = {r.check.id: r.status for r in run_audit(ctx, only={"LZ-IDC-001", "LZ-IDC-003"}).results}
    assert results == {"LZ-IDC-001": "n/a", "LZ-IDC-003": "n/a"}


def test_iam_users_with_passwords_or_keys_fire_unless_declared_break_glass() -> None:
    users = [IamUserInfo(DEV, "alice", True, 0), IamUserInfo(DEV, "ci", False, 1),
             IamUserInfo(DEV, "no-credentials", False, 0), IamUserInfo(DEV, "emergency", True, 1)]
    found = _found(users=users)
    got = _findings(found, AuditSettings(break_glass_iam_users=frozenset({("development", "emergency")})))
    assert got == [("LZ-IDC-002", "IAM user 'alice' in account 'development' has a console password"),
                   ("LZ-IDC-002", "IAM user 'ci' in account 'development' has 1 active access key(s)")]
    assert len(_findings(found)) == 3  # undeclared, the emergency user is a finding too


def test_iam_users_not_readable_give_no_finding() -> None:
    assert _findings(_found(users=None)) == []


def test_management_assignments_only_for_break_glass() -> None:
    ic = _found().identity_center
    assert ic is not None
    ic.management_assignments = [ManagementAssignment("GROUP", "BreakGlass", "BreakGlass"),
                                 ManagementAssignment("GROUP", "Platform-Admins", "Administrator"),
                                 ManagementAssignment("USER", "bob", "BreakGlass")]
    found = _found(ic)
    # Without a configuration the group named break-glass is accepted.
    assert [m for _, m in _findings(found)] == [
        "group 'Platform-Admins' may sign in to the management account with permission set 'Administrator'",
        "user 'bob' may sign in to the management account with permission set 'BreakGlass'"]
    # With one, only the declared group (here another name) is.
    declared = AuditSettings(break_glass_groups=("Platform-Admins",))
    assert [m.split(" may")[0] for _, m in _findings(found, declared)] == ["group 'BreakGlass'", "user 'bob'"]
