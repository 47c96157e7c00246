"""Identity family: /org-admin/ roles in every member account, protected by an SCP; the access role works.

Whether an SCP protects a role is decided by the guardrail simulator (landingzone.policies.simulator) over the
SCPs discovery read: root -> OUs -> account, as AWS evaluates them."""

from __future__ import annotations

from collections.abc import Iterator

from landingzone.audit.guardrails import POLICY_READS, scps_enabled
from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.discovery import Discovery
from landingzone.policies.simulator import NamedPolicy, PolicyTree, SimulationError, TreeAccount, simulate

SEED_PROTECTED_ACTIONS = ("iam:DeleteRole", "iam:UpdateRole")
"""What the org-admin-roles practice's example SCP denies on /org-admin/ roles (with iam:ChangePassword, which
concerns users)."""

HARDENED_PROTECTED_ACTIONS = ("iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePolicy")
"""Changes that take a role over rather than break it: rewriting who may assume it, or what it may do."""

ROLE_READS = ("iam:list_roles", "sts:assume_role", "organizations:list_accounts*")
PROTECTION_READS = (*ROLE_READS, *POLICY_READS)

PROBE_ROLE = "landingzone-audit-probe"
"""A principal outside the protected path, as whom the modifications are simulated."""


def _has_org(ctx: AuditContext) -> bool:
    return ctx.has_organization


def policy_tree(found: Discovery) -> PolicyTree:
    """The simulator's view of the discovered organization: the SCPs on the root, each OU and each account."""

    def attached(target_id: str) -> list[NamedPolicy]:
        return [NamedPolicy.parse(p.name, p.content) for p in found.policies_on(target_id)]

    root = found.root
    return PolicyTree(
        root=attached(root.id) if root else [],
        ous={ou.path: attached(ou.id) for ou in found.ous},
        accounts=[TreeAccount(a.name, a.ou_path, attached(a.id), a.id) for a in found.member_accounts()],
        management_account_id=found.management_account_id, management_account_name=None)


def _allowed_changes(ctx: AuditContext, actions: tuple[str, ...]) -> Iterator[tuple[str, str, str, list[str]]]:
    """(account id, account name, role ARN, actions a non-admin principal may still perform) per admin role."""
    found = ctx.found
    tree = policy_tree(found) if scps_enabled(ctx) else None
    for acct in found.member_accounts():
        view = found.account_views.get(acct.id)
        if view is None:
            continue
        probe = f"arn:aws:iam::{acct.id}:role/{PROBE_ROLE}"
        for role in view.org_admin_roles:
            allowed = []
            for action in actions:
                if tree is None:  # SCPs are not enabled: nothing is denied
                    allowed.append(action)
                    continue
                try:
                    verdict = simulate(action, probe, acct.id, found.options.home_region, role.arn, tree=tree)
                except SimulationError:
                    allowed.append(action)  # a guardrail the simulator cannot read protects nothing we can show
                    continue
                if verdict.allowed:
                    allowed.append(action)
            yield acct.id, acct.name, role.arn, allowed


@check(id="LZ-IAM-001", title="Admin roles exist under the /org-admin/ path", severity=Severity.MEDIUM,
       practice=Practice.ORG_ADMIN_ROLES,
       rationale="A standard IAM path for the organization's administration roles is what lets one SCP protect "
       "them all (arn:aws:iam::*:role/org-admin/*).",
       remediation="org_admin.path and org_admin.role_names; stage `security` creates the roles in every member "
       "account.",
       nist=("PR.AC",), applies=_has_org, needs=ROLE_READS)
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
       rationale="Without a guardrail, anyone with IAM rights in a member account can delete or change an "
       "administration role and lock the organization out of that account.",
       remediation="Assign protect-org-admin-roles-strict (or protect-org-admin-roles, the org-admin-roles "
       "practice's example) to Root in guardrails[]; stage `guardrails` attaches it. It must match the role path "
       "through aws:PrincipalArn.",
       cis=Cis(v7="2.1.2"), nist=("PR.AC", "PR.PT"), applies=_has_org, needs=PROTECTION_READS)
def org_admin_roles_protected(ctx: AuditContext) -> Iterator[Issue]:
    for account_id, name, role_arn, allowed in _allowed_changes(ctx, SEED_PROTECTED_ACTIONS):
        if allowed:
            yield Issue(role_arn, f"in {name!r}, no SCP denies {', '.join(allowed)} on {role_arn} to principals "
                        "outside the admin path", account_id)


@check(id="LZ-IAM-004", title="Admin roles' trust and permissions are protected too", severity=Severity.MEDIUM,
       practice=Practice.ORG_ADMIN_ROLES,
       rationale="The org-admin-roles practice's example SCP stops deleting and updating the roles, but whoever "
                 "may rewrite a role's "
       "trust policy or attach a policy to it can take the role over.",
       remediation="Use protect-org-admin-roles-strict instead of protect-org-admin-roles in guardrails[] (it also "
       "denies trust, policy, boundary and tag changes and exempts the administering principals).",
       cis=Cis(v7="2.1.2"), nist=("PR.AC", "PR.PT"), applies=_has_org, needs=PROTECTION_READS)
def org_admin_roles_hardened(ctx: AuditContext) -> Iterator[Issue]:
    seed_gaps = {arn for _, _, arn, allowed in _allowed_changes(ctx, SEED_PROTECTED_ACTIONS) if allowed}
    for account_id, name, role_arn, allowed in _allowed_changes(ctx, HARDENED_PROTECTED_ACTIONS):
        if allowed and role_arn not in seed_gaps:  # unprotected roles are LZ-IAM-002's finding
            yield Issue(role_arn, f"in {name!r}, no SCP denies {', '.join(allowed)} on {role_arn} to principals "
                        "outside the admin path", account_id)


@check(id="LZ-IAM-003", title="The access role works in every member account", severity=Severity.MEDIUM,
       practice=Practice.ORGANIZATIONS,
       rationale="The management account administers and audits member accounts through the access role; an "
       "account where it is missing or refused is unmanaged and unaudited.",
       remediation="access_role_name names the role; accounts created by Organizations get it. For an invited "
       "account, create the role trusting the management account.",
       nist=("PR.AC", "ID.AM"), applies=_has_org, needs=("sts:assume_role",))
def access_role_works(ctx: AuditContext) -> Iterator[Issue]:
    role = ctx.found.options.access_role_name
    refused = {n.account_id for n in ctx.unread("sts:assume_role") if n.reason == "refused"}
    for acct in ctx.found.member_accounts():
        view = ctx.found.account_views.get(acct.id)
        # Only a refusal says the role is missing or distrusts us; a failing STS says nothing about the role.
        if view is not None and not view.visible and acct.id in refused:
            yield Issue(acct.id, f"cannot assume {role} in account {acct.name!r}: nothing in it was audited",
                        acct.id)
