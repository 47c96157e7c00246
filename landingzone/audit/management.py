"""Management account family: no workloads, minimal access."""

from __future__ import annotations

from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check


def _is_management(ctx: AuditContext) -> bool:
    return ctx.found.organization is not None and ctx.found.caller_account_id == ctx.found.management_account_id


@check(id="LZ-MGT-001", title="No workloads in the management account", severity=Severity.HIGH,
       practice=Practice.MANAGEMENT_ACCOUNT,
       rationale="The management account controls the whole organization and SCPs never apply to it: a "
       "workload there widens the blast radius of any compromise to every account.",
       remediation="Move the workloads into member accounts (accounts[] of kind production/development/workload). "
       "For a new landing zone, management_account.new_and_empty confirms a brand-new account.",
       cis=Cis(v7="2.1.3"), nist=("PR.AC", "ID.AM"), applies=_is_management)
def no_management_workloads(ctx: AuditContext) -> Iterator[Issue]:
    counts = {kind: n for kind, n in ctx.found.management.workloads.items() if n}
    if counts:
        listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        mgmt = ctx.found.caller_account_id
        yield Issue(mgmt, f"the management account runs workloads: {listed} "
                    f"(regions {', '.join(ctx.found.options.regions)})", mgmt)


@check(id="LZ-MGT-002", title="Few IAM users in the management account", severity=Severity.MEDIUM,
       practice=Practice.MANAGEMENT_ACCOUNT,
       rationale="Every IAM user in the management account is a long-lived credential with power over the "
       "organization; access should be the absolute minimum (federated roles, a break-glass user at most).",
       remediation="Delete IAM users in the management account beyond break-glass ones and sign in through IAM "
       "Identity Center; management_account.minimal_access records the decision.",
       nist=("PR.AC",), applies=_is_management)
def few_management_users(ctx: AuditContext) -> Iterator[Issue]:
    users = ctx.found.management.iam_users
    limit = ctx.settings.max_management_iam_users
    if ctx.found.management.iam_users_visible and len(users) > limit:
        mgmt = ctx.found.caller_account_id
        shown = ", ".join(sorted(users)[:5]) + (", ..." if len(users) > 5 else "")
        yield Issue(mgmt, f"{len(users)} IAM users (more than {limit}): {shown}", mgmt)
