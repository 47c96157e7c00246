"""The staged Pulumi programs of the landing zone.

``STAGES`` is the ordered registry: organization -> regions (opt-in regions enabled) -> security -> logging ->
baseline -> security_services, guardrails and network (baseline and network: one stack per account); access and
management_access (IAM Identity Center); governance (root access, contacts, budgets) last. Baseline runs after
logging (its AWS Config recorders deliver to logging's Config bucket) and before guardrails: guardrails such as
deny-s3-block-public-access-changes freeze what the baseline sets.

Each program is a plain function of a :class:`StageContext` (the validated configuration and the outputs of the
stages it depends on) that registers pulumi_aws resources and exports documented outputs.
No program calls boto3 or reads the environment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from landingzone.config import LandingZoneConfig
from stacks import (
    access,
    baseline,
    governance,
    guardrails,
    logging,
    network,
    organization,
    regions,
    security,
    security_services,
)
from stacks.base import (
    UNKNOWN,
    Program,
    Scope,
    StageContext,
    UpstreamOutputs,
    as_output,
    stack_name,
    unknown_output,
    upstream_output,
)

__all__ = [
    "STAGES",
    "UNKNOWN",
    "Program",
    "Scope",
    "Stage",
    "StageContext",
    "UpstreamOutputs",
    "as_output",
    "stage",
    "stack_name",
    "unknown_output",
    "upstream_output",
]


@dataclass(frozen=True)
class Stage:
    """One stage: its program, the stages whose outputs it reads, and where it runs."""

    name: str
    program: Program
    depends_on: tuple[str, ...]
    scope: Scope
    """management: the management account; security: the Security (and log-archive) account; delegated-admin: the
    member account that administers IAM Identity Center; account: one stack per account returned by
    :meth:`accounts`."""
    description: str
    outputs: tuple[str, ...]
    """The outputs the program exports (some are present only for some configurations)."""
    account_selector: Callable[[LandingZoneConfig], list[str]] | None = None
    needs_identity_center: bool = False
    """The orchestrator completes identity_center's instance (sso-admin ListInstances) before running it."""
    applies: Callable[[LandingZoneConfig], bool] | None = None
    """When given and false, the stage has nothing to do for this configuration: no stack is planned or created
    for it (a stack applied before still runs, so that what it holds is removed)."""
    fingerprint: Callable[[StageContext], Mapping[str, Any]] | None = None
    """What the program of one stack reads (its slice of the configuration and of the upstream outputs); None:
    the whole configuration and every upstream output. ``up --changed-only`` compares it with the last
    successful update."""

    def accounts(self, cfg: LandingZoneConfig) -> list[str]:
        """For an account-scoped stage, the accounts it has a stack for; otherwise empty."""
        if self.scope != "account" or self.account_selector is None:
            return []
        return self.account_selector(cfg)

    def fingerprint_inputs(self, ctx: StageContext) -> Mapping[str, Any]:
        """The inputs ``up --changed-only`` compares for one stack of this stage."""
        if self.fingerprint is not None:
            return self.fingerprint(ctx)
        return {"config": ctx.config.model_dump(mode="json"), "upstream": ctx.upstream, "account": ctx.account}


STAGES: tuple[Stage, ...] = (
    Stage("organization", organization.program, (), "management",
          "Organization (all features, SCPs enabled), OU tree, member accounts",
          ("organization_id", "root_id", "account_ids", "ou_ids", "management_account_id")),
    Stage("regions", regions.program, ("organization",), "management",
          "Governed regions that are opt-in, enabled in the management account and every member account (before "
          "any stage works in them)", ("enabled_regions",)),
    Stage("security", security.program, ("organization", "regions"), "management",
          "Security account as delegated administrator, IAM Identity Center's delegated administrator "
          "(management account resources only)", ("delegated_services",)),
    Stage("logging", logging.program, ("organization", "security", "regions"), "security",
          "Organization trail from the Security account, KMS key, trail bucket, Athena or Lake; the AWS Config "
          "bucket",
          ("trail_arn", "trail_bucket", "kms_key_arn", "query_layer", "config_bucket", "athena_workgroup",
           "event_data_store_arn")),
    # After logging: the AWS Config recorders deliver to logging's Config bucket.
    Stage("baseline", baseline.program, ("organization", "regions", "logging"), "account",
          "Per account (members and management): /org-admin/ roles, default security groups closed, SSH/RDP "
          "denied in default network ACLs, EBS encryption by default, account-level S3 Block Public Access, IMDSv2 "
          "defaults, password policy, AWS Config recorders delivering to the log-archive account",
          ("admin_role_arns", "closed_default_security_groups", "default_network_acls", "hardening",
           "config_recorders"),
          account_selector=baseline.baseline_accounts, fingerprint=baseline.fingerprint_inputs),
    Stage("security_services", security_services.program, ("organization", "security", "regions"), "security",
          "GuardDuty, Security Hub CSPM, Config aggregator, Access Analyzer (Inspector, Macie, Detective when "
          "chosen) on across the organization from the Security account; findings to an encrypted SNS topic",
          ("enabled_services", "security_topic_arn", "guardduty_detector_ids", "securityhub_policy_id",
           "config_aggregator_arn", "access_analyzer_arns", "detective_graph_arns")),
    Stage("guardrails", guardrails.program, ("organization",), "management",
          "SCPs, RCPs, declarative and S3 policies from the guardrail library and their attachments",
          ("policy_ids", "policy_types")),
    Stage("network", network.program, ("organization", "regions"), "account",
          "Role-based security groups per workload account", ("vpc_id", "security_group_ids"),
          account_selector=network.network_accounts, fingerprint=network.fingerprint_inputs),
    Stage("access", access.program, ("organization", "regions", "security"), "delegated-admin",
          "IAM Identity Center from its delegated administrator: groups, permission sets and their policies, "
          "account assignments (one provider for any number of accounts)",
          ("administrator_account", "instance_arn", "identity_store_id", "group_ids", "permission_set_arns",
           "assignment_count"), needs_identity_center=True, applies=access.applies),
    Stage("management_access", access.management_program, ("organization", "regions", "security", "access"),
          "management",
          "Break-glass access to the management account: its permission sets and assignments, from the management "
          "account (AWS lets no delegated administrator assign access there)",
          ("permission_set_arns", "assignment_count"), needs_identity_center=True,
          applies=access.management_applies),
)

# Governance runs last: its budgets alert the security topic of stage security_services (when that stage is
# registered, it is upstream of governance, so the topic's ARN flows in; otherwise alerts go to the addresses).
_REGISTERED = {s.name for s in STAGES}
STAGES += (
    Stage("governance", governance.program,
          ("organization", *(n for n in (governance.SECURITY_TOPIC_STAGE,) if n in _REGISTERED)), "management",
          "Centralized root access, alternate contacts and monthly budgets of every account (management "
          "account, one provider)", ("root_features", "alternate_contacts", "budgets")),
)


def stage(name: str) -> Stage:
    """The stage called ``name`` (KeyError naming the stages otherwise)."""
    for candidate in STAGES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"{name!r} is not a stage; the stages are {', '.join(s.name for s in STAGES)}")
