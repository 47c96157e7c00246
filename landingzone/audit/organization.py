"""Organization family: AWS Organizations with all features, environments apart, accounts inside OUs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.config import WORKLOAD_ACCOUNT_KINDS, AccountKind


def _has_org(ctx: AuditContext) -> bool:
    return ctx.has_organization


TREE_READS = ("organizations:describe_organization", "organizations:list_roots", "organizations:list_accounts*",
              "organizations:list_organizational_units_for_parent")
"""What the organization's shape (accounts, OUs, parents) is read from."""


@check(id="LZ-ORG-001", title="AWS Organizations with all features", severity=Severity.HIGH,
       practice=Practice.ORGANIZATIONS,
       rationale="SCPs and delegated administration, which every other practice relies on, need an "
       "organization with the ALL feature set; consolidated billing alone governs nothing.",
       remediation="Stage `organization` creates the organization with feature set ALL. For an existing one: "
       "Organizations > Settings > enable all features, then adopt it with organization.existing_id.",
       nist=("ID.AM", "PR.AC"), needs=("organizations:describe_organization",))
def organization_all_features(ctx: AuditContext) -> Iterator[Issue]:
    org = ctx.found.organization
    if org is None and ctx.unread("organizations:describe_organization"):
        return  # unknown, not absent: not evaluated
    if org is None:
        yield Issue(ctx.found.caller_account_id, "the account is not part of an AWS organization",
                    ctx.found.caller_account_id)
    elif org.feature_set != "ALL":
        yield Issue(org.id, f"the organization's feature set is {org.feature_set}, not ALL")


@check(id="LZ-ORG-002", title="Production and development in separate accounts", severity=Severity.HIGH,
       practice=Practice.SEPARATE_ENVIRONMENTS,
       rationale="Development and experiments in the production account risk production downtime and data "
       "loss; separate accounts are the strongest boundary AWS offers.",
       remediation="Declare a production and a development account under `accounts` (kind: production / "
       "development); stage `organization` creates them. Move workloads out of the shared account.",
       nist=("PR.DS", "ID.AM"), applies=_has_org, needs=TREE_READS)
def separate_environments(ctx: AuditContext) -> Iterator[Issue]:
    org_id = ctx.found.organization.id if ctx.found.organization else ""
    if not ctx.accounts_of(AccountKind.PRODUCTION):
        yield Issue(org_id, "no production account found (by configuration or account name)")
    if not ctx.accounts_of(AccountKind.DEVELOPMENT):
        yield Issue(org_id, "no development account found (by configuration or account name)")


@check(id="LZ-ORG-003", title="Production and development accounts in separate OUs", severity=Severity.MEDIUM,
       practice=Practice.SEPARATE_ENVIRONMENTS,
       rationale="OUs by environment let production carry stricter SCPs than development; one OU for both "
       "forces one set of guardrails on both.",
       remediation="Place production and development accounts in different OUs (accounts[].ou, e.g. "
       "Workloads/Prod and Workloads/NonProd); stage `organization` moves them.",
       cis=Cis(v7="2.1.4"), nist=("PR.AC", "ID.AM"), applies=_has_org, needs=TREE_READS)
def environments_in_separate_ous(ctx: AuditContext) -> Iterator[Issue]:
    by_parent: dict[str, set[AccountKind]] = defaultdict(set)
    paths: dict[str, str] = {}
    for acct in ctx.accounts_of(AccountKind.PRODUCTION, AccountKind.DEVELOPMENT):
        kind = ctx.kind(acct.id)
        if kind is not None:
            by_parent[acct.parent_id].add(kind)
            paths[acct.parent_id] = acct.ou_path
    for parent, kinds in sorted(by_parent.items()):
        if {AccountKind.PRODUCTION, AccountKind.DEVELOPMENT} <= kinds:
            yield Issue(parent, f"OU {paths[parent]!r} holds both production and development accounts")


@check(id="LZ-ORG-004", title="Workload accounts sit in OUs, not at the root", severity=Severity.MEDIUM,
       practice=Practice.OUS_WITH_SCPS,
       rationale="An account directly under the root gets only the root's guardrails; grouping accounts in OUs "
       "is what lets SCPs be targeted.",
       remediation="Set accounts[].ou to an OU path for every workload account; stage `organization` moves it.",
       cis=Cis(v7="2.1.4"), nist=("PR.AC",), applies=_has_org, needs=TREE_READS)
def workloads_in_ous(ctx: AuditContext) -> Iterator[Issue]:
    for acct in ctx.accounts_of(*WORKLOAD_ACCOUNT_KINDS):
        if acct.ou_path == "Root":
            yield Issue(acct.id, f"{ctx.kind(acct.id)} account {acct.name!r} is directly under the root", acct.id)
