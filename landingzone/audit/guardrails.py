"""Guardrails family: SCPs are enabled and the OUs that hold workloads carry more than FullAWSAccess."""

from __future__ import annotations

from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check
from landingzone.config import WORKLOAD_ACCOUNT_KINDS
from landingzone.discovery import PolicyInfo

SCP_TYPE = "SERVICE_CONTROL_POLICY"
FULL_AWS_ACCESS = "FullAWSAccess"


def scps_enabled(ctx: AuditContext) -> bool:
    root = ctx.found.root
    return root is not None and SCP_TYPE in root.enabled_policy_types


POLICY_READS = ("organizations:list_roots", "organizations:list_policies", "organizations:describe_policy",
                "organizations:list_targets_for_policy", "organizations:list_accounts*",
                "organizations:list_organizational_units_for_parent")
"""What the SCPs in force on each target are read from."""


def is_full_aws_access(policy: PolicyInfo) -> bool:
    return policy.aws_managed and policy.name == FULL_AWS_ACCESS


@check(id="LZ-GRD-001", title="Service control policies are enabled", severity=Severity.HIGH,
       practice=Practice.OUS_WITH_SCPS,
       rationale="Without the SCP policy type no guardrail applies anywhere in the organization.",
       remediation="Stage `guardrails` enables the policy type before attaching the library's SCPs "
       "(`aws organizations enable-policy-type --policy-type SERVICE_CONTROL_POLICY`).",
       cis=Cis(v7="2.1.2"), nist=("PR.AC", "PR.PT"), applies=lambda ctx: ctx.found.root is not None,
       needs=("organizations:list_roots",))
def scp_type_enabled(ctx: AuditContext) -> Iterator[Issue]:
    root = ctx.found.root
    if root is not None and not scps_enabled(ctx):
        yield Issue(root.id, "the SERVICE_CONTROL_POLICY policy type is not enabled on the root")


@check(id="LZ-GRD-002", title="OUs holding workloads carry SCPs beyond FullAWSAccess", severity=Severity.MEDIUM,
       practice=Practice.OUS_WITH_SCPS,
       rationale="OUs exist to target guardrails; a workload OU whose only SCP is FullAWSAccess (on itself and "
       "its parent OUs) enforces nothing beyond the root's baseline.",
       remediation="Assign guardrails to the OU (guardrails[].targets: the OU path, e.g. Workloads); stage "
       "`guardrails` attaches them.",
       cis=Cis(v7="2.1.2"), nist=("PR.AC", "PR.PT"), applies=scps_enabled, needs=POLICY_READS)
def workload_ous_have_scps(ctx: AuditContext) -> Iterator[Issue]:
    found = ctx.found
    root_id = found.root.id if found.root else ""
    ou_ids = sorted({a.parent_id for a in ctx.accounts_of(*WORKLOAD_ACCOUNT_KINDS)
                     if a.parent_id and a.parent_id != root_id})
    for ou_id in ou_ids:
        chain = [t for t in found.ancestors(ou_id) if t != root_id]
        guarding = [p for t in chain for p in found.policies_on(t) if not is_full_aws_access(p)]
        if not guarding:
            ou = found.ou(ou_id)
            path = ou.path if ou else ou_id
            yield Issue(ou_id, f"OU {path!r} holds workload accounts but neither it nor its parent OUs carry an "
                        "SCP other than FullAWSAccess")
