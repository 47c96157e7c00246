"""Delegation family: the Security account administers CloudTrail and the other security services."""

from __future__ import annotations

from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check

CLOUDTRAIL = "cloudtrail.amazonaws.com"
DELEGATION_READS = ("organizations:describe_organization", "organizations:list_accounts*",
                    "organizations:list_delegated_*", "organizations:list_aws_service_access_for_organization")


def _has_org(ctx: AuditContext) -> bool:
    return ctx.has_organization


def _describe(ctx: AuditContext, account_id: str) -> str:
    acct = ctx.found.account(account_id)
    return f"{acct.name!r} ({account_id})" if acct else account_id


@check(id="LZ-DEL-001", title="A Security account is the CloudTrail delegated administrator",
       severity=Severity.HIGH, practice=Practice.DELEGATED_SECURITY,
       rationale="Leaving CloudTrail administration with the management account increases the blast radius of a "
       "compromise of that account; the organization trail belongs to a dedicated Security account.",
       remediation="Declare one account of kind security; stage `security` registers it as CloudTrail delegated "
       "administrator (through CloudTrail, so the service-linked role exists).",
       cis=Cis(v7="2.1.6"), nist=("PR.AC", "DE.CM"), applies=_has_org, needs=DELEGATION_READS)
def cloudtrail_delegated(ctx: AuditContext) -> Iterator[Issue]:
    admins = ctx.found.delegated_admins_for(CLOUDTRAIL)
    security = {a.id for a in ctx.security_accounts}
    org_id = ctx.found.organization.id if ctx.found.organization else ""
    if not admins:
        yield Issue(org_id, "CloudTrail has no delegated administrator" +
                    ("" if security else " and no account is recognisable as the Security account"))
    for admin in admins:
        if admin not in security:
            yield Issue(admin, f"CloudTrail's delegated administrator {_describe(ctx, admin)} is not a Security "
                        "account", admin)


@check(id="LZ-DEL-002", title="Enabled security services are delegated to the Security account",
       severity=Severity.MEDIUM, practice=Practice.DELEGATED_SECURITY,
       rationale="Each organization-integrated security service (GuardDuty, Security Hub, Config, Access "
       "Analyzer, ...) should be administered from the Security account, never left with the management "
       "account nor scattered across workload accounts.",
       remediation="List the services under organization.security_services; stage `security` delegates each to "
       "the Security account.",
       cis=Cis(v7="2.1.6"), nist=("PR.AC", "DE.CM"), applies=_has_org, needs=DELEGATION_READS)
def services_delegated(ctx: AuditContext) -> Iterator[Issue]:
    security = {a.id for a in ctx.security_accounts}
    wanted = set(ctx.settings.security_service_principals) - {CLOUDTRAIL}
    for principal in sorted(set(ctx.found.trusted_services) & wanted):
        admins = ctx.found.delegated_admins_for(principal)
        if not admins:
            yield Issue(principal, f"{principal} has trusted access but no delegated administrator: the "
                        "management account administers it")
        for admin in admins:
            if admin not in security:
                yield Issue(principal, f"{principal} is delegated to {_describe(ctx, admin)}, not to a Security "
                            "account", admin)
