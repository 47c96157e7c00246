"""Account governance family: an alternate security contact on every account, centralized root access on
(practices `account-governance` and `root-access` in docs/practices.md)."""

from __future__ import annotations

from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.config.governance import IAM_PRINCIPAL, ROOT_FEATURES


def _is_management(ctx: AuditContext) -> bool:
    return ctx.found.organization is not None and ctx.found.caller_account_id == ctx.found.management_account_id


def _contacts_visible(ctx: AuditContext) -> bool:
    return _is_management(ctx) and ctx.found.governance.contacts_visible


def _features_visible(ctx: AuditContext) -> bool:
    return _is_management(ctx) and ctx.found.governance.root_features is not None


@check(id="LZ-GOV-001", title="Every account has an alternate security contact", severity=Severity.MEDIUM,
       practice=Practice.ACCOUNT_GOVERNANCE,
       rationale="AWS writes to the security contact about abuse reports, leaked credentials and security "
       "events in the account; without one, only the root email address hears of them, and nobody may read it.",
       remediation="Set governance.alternate_contacts.security in landingzone.yaml (stage governance), or call "
       "account:PutAlternateContact with AlternateContactType SECURITY for each account from the management "
       "account (trusted access for account.amazonaws.com).",
       cis=Cis(v3="1.2"), nist=("RS.CO", "ID.AM"), applies=_contacts_visible)
def security_contact_everywhere(ctx: AuditContext) -> Iterator[Issue]:
    gov = ctx.found.governance
    mgmt = ctx.found.management_account_id
    accounts = [a.id for a in ctx.found.member_accounts()] + ([mgmt] if mgmt else [])
    for account_id in accounts:
        if account_id in gov.unreadable_contacts:
            continue  # recorded as not visible
        if "SECURITY" not in gov.contacts.get(account_id, ()):
            acct = ctx.found.account(account_id)
            name = f" ({acct.name})" if acct is not None and acct.name else ""
            yield Issue(account_id, f"account {account_id}{name} has no alternate security contact", account_id)


@check(id="LZ-ROOT-001", title="Centralized root access is on", severity=Severity.HIGH,
       practice=Practice.ROOT_ACCESS,
       rationale="With IAM's RootCredentialsManagement and RootSessions features, member accounts need no root "
       "credentials at all (new accounts are created without them) and root-only tasks run as short AssumeRoot "
       "sessions from the management account; without them every member account keeps a root password that "
       "can be recovered by email.",
       remediation="Keep governance.root_access.centralized true (stage governance), or enable trusted access for "
       "iam.amazonaws.com and call iam:EnableOrganizationsRootCredentialsManagement and "
       "iam:EnableOrganizationsRootSessions; then delete existing root credentials with "
       "`landingzone root-credentials --yes`.",
       cis=Cis(v7="2.1.1"), nist=("PR.AC",), applies=_features_visible,
       needs=("iam:list_organizations_features@management",))
def centralized_root_access(ctx: AuditContext) -> Iterator[Issue]:
    features = set(ctx.found.governance.root_features or ())
    missing = [f for f in ROOT_FEATURES if f not in features]
    org = ctx.found.organization
    assert org is not None
    if IAM_PRINCIPAL not in ctx.found.trusted_services:
        missing.insert(0, f"trusted access for {IAM_PRINCIPAL}")
    if missing:
        yield Issue(org.id, f"centralized root access is incomplete: {', '.join(missing)} not enabled",
                    org.management_account_id)

