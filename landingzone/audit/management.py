"""Management account family: no workloads, minimal access, and the root users: MFA on the management account's
root user, no root access keys anywhere (centralized root access: the governance family, LZ-ROOT-001)."""

from __future__ import annotations

from collections.abc import Iterator

from landingzone.audit.model import AuditContext, Cis, Issue, Practice, Severity, check


def _is_management(ctx: AuditContext) -> bool:
    return ctx.found.organization is not None and ctx.found.caller_account_id == ctx.found.management_account_id


WORKLOAD_READS = tuple(f"{read}@management" for read in (
    "ec2:describe_instances", "lambda:list_functions", "rds:describe_db_instances", "ecs:list_clusters",
    "eks:list_clusters", "dynamodb:list_tables", "apigateway:get_rest_apis", "apigatewayv2:get_apis",
    "elbv2:describe_load_balancers", "elb:describe_load_balancers", "s3:list_buckets"))


@check(id="LZ-MGT-001", title="No workloads in the management account", severity=Severity.HIGH,
       practice=Practice.MANAGEMENT_ACCOUNT,
       rationale="The management account controls the whole organization and SCPs never apply to it: a "
       "workload there widens the blast radius of any compromise to every account.",
       remediation="Move the workloads into member accounts (accounts[] of kind production/development/workload). "
       "For a new landing zone, management_account.new_and_empty confirms a brand-new account. Counted: EC2 "
       "instances, Lambda functions, RDS instances, ECS and EKS clusters, DynamoDB tables, API Gateway APIs, load "
       "balancers and S3 buckets (an s3:// state backend's bucket is exempt).",
       cis=Cis(v7="2.1.3"), nist=("PR.AC", "ID.AM"), applies=_is_management, needs=WORKLOAD_READS)
def no_management_workloads(ctx: AuditContext) -> Iterator[Issue]:
    workloads = dict(ctx.found.management.workloads)
    exempt = set(ctx.settings.exempt_buckets) & set(ctx.found.management.bucket_names)
    if workloads.get("s3"):
        workloads["s3"] -= len(exempt)  # the landing zone's own state bucket is not a workload
    counts = {kind: n for kind, n in workloads.items() if n}
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
       nist=("PR.AC",), applies=_is_management, needs=("iam:list_users@management",))
def few_management_users(ctx: AuditContext) -> Iterator[Issue]:
    users = ctx.found.management.iam_users
    limit = ctx.settings.max_management_iam_users
    if ctx.found.management.iam_users_visible and len(users) > limit:
        mgmt = ctx.found.caller_account_id
        shown = ", ".join(sorted(users)[:5]) + (", ..." if len(users) > 5 else "")
        yield Issue(mgmt, f"{len(users)} IAM users (more than {limit}): {shown}", mgmt)


@check(id="LZ-MGT-004", title="The management account's root user has MFA", severity=Severity.HIGH,
       practice=Practice.MANAGEMENT_ACCOUNT,
       rationale="The management account's root user can do anything to the whole organization and no SCP "
       "applies to it; a password alone is not enough.",
       remediation="Sign in as the root user and assign an MFA device (a hardware key or passkey); this cannot be "
       "automated, which is why no stage does it. management_account.minimal_access records the decision.",
       cis=Cis(v3="1.5", v5="1.4", v7="2.5"), nist=("PR.AC",), applies=_is_management,
       needs=("iam:get_account_summary@management",))
def management_root_mfa(ctx: AuditContext) -> Iterator[Issue]:
    mgmt = ctx.found.caller_account_id
    view = ctx.found.account_views.get(mgmt)
    if view is not None and view.root_user is not None and not view.root_user.mfa_enabled:
        yield Issue(mgmt, "the management account's root user has no MFA device", mgmt)


@check(id="LZ-MGT-005", title="No root user has access keys", severity=Severity.HIGH,
       practice=Practice.MANAGEMENT_ACCOUNT,
       rationale="A root access key is a long-lived credential with every permission in its account that cannot "
       "be limited by IAM policies (nor, in the management account, by SCPs).",
       remediation="Delete the root user's access keys (as root: Security credentials > Access keys; for a "
       "member account with centralized root access: a RootSessions task `IAMDeleteRootUserCredentials`).",
       cis=Cis(v3="1.4", v5="1.3", v7="2.4"), nist=("PR.AC",), needs=("iam:get_account_summary", "sts:assume_role"))
def no_root_access_keys(ctx: AuditContext) -> Iterator[Issue]:
    for account_id in sorted(ctx.found.account_views):
        root = ctx.found.account_views[account_id].root_user
        if root is not None and root.access_keys_present:
            acct = ctx.found.account(account_id)
            name = f"{acct.name!r} ({account_id})" if acct else account_id
            yield Issue(f"arn:aws:iam::{account_id}:root", f"the root user of {name} has access keys", account_id)
