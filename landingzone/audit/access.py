"""Access family: people sign in through IAM Identity Center, not as IAM users, and only the break-glass group
reaches the management account (practice people-through-identity-center)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Issue, Practice, Severity, check

BREAK_GLASS_NAME = re.compile(r"break[\s_-]?glass", re.IGNORECASE)
"""Without a configuration, a group whose name says break-glass is taken as the break-glass group."""


def _has_org(ctx: AuditContext) -> bool:
    return ctx.has_organization


def _identity_center_read(ctx: AuditContext) -> bool:
    ic = ctx.found.identity_center
    return ctx.has_organization and ic is not None and ic.visible


def _is_break_glass(ctx: AuditContext, group: str) -> bool:
    declared = ctx.settings.break_glass_groups
    return group in declared if declared is not None else bool(BREAK_GLASS_NAME.search(group))


@check(id="LZ-IDC-001", title="People sign in through IAM Identity Center", severity=Severity.MEDIUM,
       practice=Practice.PEOPLE_THROUGH_IDENTITY_CENTER,
       rationale="Without Identity Center the only ways into member accounts are IAM users (long-lived "
       "passwords and keys) and the management account's access role; permission sets assigned to groups give "
       "short sessions that an identity provider can revoke in one place.",
       remediation="Enable IAM Identity Center in the management account's console (organization instance), "
       "then describe permission sets, groups and assignments under identity_center; stage access applies them.",
       nist=("PR.AC",), applies=_identity_center_read)
def identity_center_in_use(ctx: AuditContext) -> Iterator[Issue]:
    ic = ctx.found.identity_center
    assert ic is not None
    org = ctx.found.organization
    where = org.id if org else ctx.found.caller_account_id
    if not ic.enabled:
        yield Issue(where, "IAM Identity Center is not enabled for the organization")
    elif not ic.permission_sets:
        yield Issue(ic.instance_arn or where, "IAM Identity Center has no permission set: nobody can sign in "
                    "through it")
    elif ic.member_assignment_found is False:
        yield Issue(ic.instance_arn or where, "no group is assigned to any member account: nobody signs in to "
                    "a member account through Identity Center")


@check(id="LZ-IDC-002", title="No IAM users with console passwords or access keys in member accounts",
       severity=Severity.HIGH, practice=Practice.PEOPLE_THROUGH_IDENTITY_CENTER,
       rationale="An IAM user's password and access keys live until someone removes them, bypass the identity "
       "provider and are the credentials most often leaked; people belong in Identity Center, workloads use "
       "roles.",
       remediation="Move the user's people to Identity Center groups and workloads to IAM roles, then delete the "
       "login profile and access keys (`aws iam delete-login-profile`, `aws iam delete-access-key`). An emergency "
       "user kept on purpose is declared under identity_center.break_glass_iam_users; the deny-iam-users "
       "guardrail stops new ones.",
       nist=("PR.AC",), applies=_has_org)
def no_member_iam_users(ctx: AuditContext) -> Iterator[Issue]:
    exempt = ctx.settings.break_glass_iam_users
    for acct in ctx.found.member_accounts():
        view = ctx.found.account_views.get(acct.id)
        if view is None or view.iam_users is None:
            continue  # not visible: listed among the reads that were refused
        for user in view.iam_users:
            if (acct.id, user.name) in exempt or (acct.name, user.name) in exempt:
                continue
            held = [what for what, has in (("a console password", user.console_password),
                                           (f"{user.active_access_keys} active access key(s)",
                                            user.active_access_keys > 0)) if has]
            if held:
                yield Issue(f"arn:aws:iam::{acct.id}:user/{user.name}", f"IAM user {user.name!r} in account "
                            f"{acct.name!r} has {' and '.join(held)}", acct.id)


@check(id="LZ-IDC-003", title="Only the break-glass group is assigned to the management account",
       severity=Severity.HIGH, practice=Practice.PEOPLE_THROUGH_IDENTITY_CENTER,
       rationale="The management account controls every account and is beyond any SCP; nobody should use it day "
       "to day, so the one way in is an emergency group, used rarely and watched.",
       remediation="Remove every other assignment to the management account in IAM Identity Center; name the "
       "emergency group in identity_center.break_glass_group (stage management_access assigns only it).",
       nist=("PR.AC", "PR.PT"), applies=_identity_center_read)
def management_assignments_break_glass_only(ctx: AuditContext) -> Iterator[Issue]:
    ic = ctx.found.identity_center
    assert ic is not None
    mgmt = ctx.found.management_account_id
    for item in ic.management_assignments:
        if item.principal_type == "GROUP" and _is_break_glass(ctx, item.principal):
            continue
        kind = "group" if item.principal_type == "GROUP" else "user"
        yield Issue(mgmt or "management", f"{kind} {item.principal!r} may sign in to the management account with "
                    f"permission set {item.permission_set!r}", mgmt)
