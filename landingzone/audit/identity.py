"""Identity family: /org-admin/ roles in every member account, protected by an SCP; the access role works."""

from __future__ import annotations

from collections.abc import Iterator

from landingzone.audit.guardrails import scps_enabled
from landingzone.audit.model import AuditContext, Issue, Practice, Severity, check
from landingzone.audit.scp_eval import LevelPolicies, evaluate

PROTECTED_ACTIONS = (
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
)
"""Changes to an admin role that would let someone take it over or break it (the seed's example SCP denies
UpdateRole and DeleteRole; changing the trust policy or the permissions is the same threat)."""

PROBE_ROLE = "landingzone-audit-probe"
"""A principal outside the protected path, as whom the modifications are simulated."""


def _has_org(ctx: AuditContext) -> bool:
    return ctx.has_organization


@check(id="LZ-IAM-001", title="Admin roles exist under the /org-admin/ path", severity=Severity.MEDIUM,
       practice=Practice.ORG_ADMIN_ROLES,
       rationale="A standard IAM path for the organization's administration roles is what lets one SCP protect "
       "them all (arn:aws:iam::*:role/org-admin/*).",
       remediation="org_admin.path and org_admin.role_names; stage `security` creates the roles in every member "
       "account.",
       nist=("PR.AC",), applies=_has_org)
def org_admin_roles_exist(ctx: AuditContext) -> Iterator[Issue]:
    path = ctx.settings.org_admin_path
    for acct in ctx.found.member_accounts():
        view = ctx.found.account_views.get(acct.id)
        if view is None or not view.roles_visible:
            continue  # reported by LZ-IAM-003 / not-visible reads
        if not view.org_admin_roles:
            yield Issue(acct.id, f"account {acct.name!r} has no role under {path}", acct.id)


@check(id="LZ-IAM-002", title="Admin roles under /org-admin/ are protected by an SCP", severity=Severity.HIGH,
       practice=Practice.ORG_ADMIN_ROLES,
       rationale="Without a guardrail, anyone with IAM rights in a member account can delete an administration "
       "role or rewrite its trust policy and lock the organization out or take the role over.",
       remediation="Assign protect-org-admin-roles (or -strict) to Root in guardrails[]; stage `guardrails` "
       "attaches it. The SCP must match the role path through aws:PrincipalArn, not session ARNs.",
       nist=("PR.AC", "PR.PT"), applies=_has_org)
def org_admin_roles_protected(ctx: AuditContext) -> Iterator[Issue]:
    found = ctx.found
    region = found.options.home_region
    for acct in found.member_accounts():
        view = found.account_views.get(acct.id)
        if view is None or not view.org_admin_roles:
            continue
        probe = f"arn:aws:iam::{acct.id}:role/{PROBE_ROLE}"
        context = {"aws:PrincipalArn": probe, "aws:PrincipalAccount": acct.id, "aws:RequestedRegion": region}
        chain = [LevelPolicies(target, tuple((p.name, p.content) for p in found.policies_on(target)))
                 for target in found.ancestors(acct.id)]
        for role in view.org_admin_roles:
            if not scps_enabled(ctx):
                allowed = list(PROTECTED_ACTIONS)
            else:
                allowed = [action for action in PROTECTED_ACTIONS
                           if evaluate(chain, action, role.arn, context).allowed]
            if allowed:
                yield Issue(role.arn, f"role {role.name} in {acct.name!r}: no SCP denies {', '.join(allowed)} to "
                            "principals outside the admin path", acct.id)


@check(id="LZ-IAM-003", title="The access role works in every member account", severity=Severity.MEDIUM,
       practice=Practice.ORGANIZATIONS,
       rationale="The management account administers and audits member accounts through the access role; an "
       "account where it is missing or refused is unmanaged and unaudited.",
       remediation="access_role_name names the role; accounts created by Organizations get it. For an invited "
       "account, create the role trusting the management account.",
       nist=("PR.AC", "ID.AM"), applies=_has_org)
def access_role_works(ctx: AuditContext) -> Iterator[Issue]:
    role = ctx.found.options.access_role_name
    for acct in ctx.found.member_accounts():
        view = ctx.found.account_views.get(acct.id)
        if view is not None and not view.visible:
            yield Issue(acct.id, f"cannot assume {role} in account {acct.name!r}: nothing in it was audited",
                        acct.id)
