"""Stage security_services: the chosen security services turned on across the organization, from the Security
account as delegated administrator (stage ``security`` designates it first), with one provider (the Security
account) and every governed region through the per-resource ``region`` of pulumi-aws 7.

- GuardDuty: a detector per governed region; the organization configuration auto-enables ALL members; each chosen
  protection plan is an organization feature auto-enabled for ALL, and a feature of the Security account's own
  detector.
- Security Hub CSPM: central configuration from the home region: a finding aggregator over the other governed
  regions, the organization configuration CENTRAL, a configuration policy enabling the chosen standards
  (AWS Foundational Security Best Practices and CIS AWS Foundations v5.0.0 by default), associated with the root,
  so every account, present and future, is enabled.
- AWS Config: an organization aggregator over the governed regions (with its service role). Recorders and delivery
  channels are per account (the baseline stage).
- IAM Access Analyzer: an organization analyzer per governed region; optionally an unused-access analyzer.
- Inspector, Macie, Detective when chosen: organization auto-enable (accounts that join later) and enablement of
  the Security account and every member account there already, in every governed region.
- Findings to people: a KMS-encrypted SNS topic in the home region that only EventBridge of the Security account
  may publish to (and AWS Budgets of the management account, when stage governance's budgets alert it), its
  e-mail and HTTPS subscriptions, a rule for Security Hub findings at or above the chosen
  severity (the aggregator brings every region's findings home) and a GuardDuty rule per region (the other
  regions forward to the home region's default event bus, whose rule publishes).

Outputs: security_topic_arn, enabled_services, guardduty_detector_ids {region: id}, securityhub_policy_id,
config_aggregator_arn, access_analyzer_arns {region: arn}, plus the optional services' ids.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config import ROOT_OU, LandingZoneConfig, partition
from landingzone.config.governance import account_budget
from landingzone.config.security_services import RUNTIME_AGENT_MANAGEMENT, GuardDutyProtectionPlan
from stacks.base import Providers, StageContext, account_id, management_account_id, opts, target_id

EVENTS = "events.amazonaws.com"
BUDGETS = "budgets.amazonaws.com"
"""AWS Budgets, which publishes stage governance's budget alerts (budgets of the management account) to the topic."""
CONFIG = "config.amazonaws.com"
CONFIG_ORGANIZATIONS_POLICY = "service-role/AWSConfigRoleForOrganizations"


STAGE_ACTIONS: tuple[str, ...] = (
    "guardduty:CreateDetector", "guardduty:UpdateDetector", "guardduty:DeleteDetector",
    "guardduty:UpdateOrganizationConfiguration", "securityhub:CreateFindingAggregator",
    "securityhub:UpdateOrganizationConfiguration", "securityhub:CreateConfigurationPolicy",
    "securityhub:StartConfigurationPolicyAssociation", "config:PutConfigurationAggregator",
    "config:DeleteConfigurationAggregator", "access-analyzer:CreateAnalyzer", "access-analyzer:DeleteAnalyzer",
    "inspector2:Enable", "inspector2:UpdateOrganizationConfiguration", "macie2:EnableMacie",
    "macie2:UpdateOrganizationConfiguration", "detective:CreateGraph", "detective:UpdateOrganizationConfiguration",
    "kms:CreateKey", "sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe", "events:PutRule",
    "events:PutTargets", "iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy",
)
"""What the stage does in the Security account (create, change and, on destroy, delete), for the guardrail test:
protect-security-services must keep allowing it to the stage's principal (:func:`stage_principal_arn`)."""


def stage_principal_arn(cfg: LandingZoneConfig, security_account_id: str) -> str:
    """The principal the stage runs as: the access role in the Security account, which the management account's
    provider assumes (aws:PrincipalArn keeps the role ARN). The security guardrails exempt it by name."""
    return f"arn:{partition(cfg.home_region)}:iam::{security_account_id}:role/{cfg.access_role_name}"


def _policy(statements: Sequence[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def _name(cfg: LandingZoneConfig, what: str) -> str:
    return f"{cfg.name}-{what}"


# ---- policies ---------------------------------------------------------------------------------------------------


def topic_key_policy(part: str, security_id: str, budgets_account: str | None = None) -> str:
    """The Security account administers the key; EventBridge of that account only may encrypt for the topic, and
    AWS Budgets of ``budgets_account`` (the management account, when stage governance alerts the topic)."""
    statements: list[dict[str, Any]] = [
        {"Sid": "KeyAdministrationByTheSecurityAccount", "Effect": "Allow",
         "Principal": {"AWS": f"arn:{part}:iam::{security_id}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "EventBridgeOfThisAccountEncrypts", "Effect": "Allow", "Principal": {"Service": EVENTS},
         "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": security_id}}},
    ]
    if budgets_account is not None:
        statements.append(
            {"Sid": "BudgetsOfTheManagementAccountEncrypt", "Effect": "Allow", "Principal": {"Service": BUDGETS},
             "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*",
             "Condition": {"StringEquals": {"aws:SourceAccount": budgets_account}}})
    return _policy(statements)


def topic_policy(part: str, security_id: str, topic_arn: str, budgets_account: str | None = None) -> str:
    """EventBridge rules of the Security account may publish, and AWS Budgets of ``budgets_account`` (the
    management account, whose budgets stage governance alerts the topic with); nobody else may (an IAM policy in
    the account cannot grant it either: the deny applies to every principal that is not one of those services)."""
    publishers: list[str] = [EVENTS] if budgets_account is None else [EVENTS, BUDGETS]
    budgets: list[dict[str, Any]] = [] if budgets_account is None else [
        {"Sid": "BudgetsOfTheManagementAccountPublish", "Effect": "Allow", "Principal": {"Service": BUDGETS},
         "Action": "sns:Publish", "Resource": topic_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": budgets_account}}}]
    return _policy([
        {"Sid": "EventBridgeRulesOfTheSecurityAccountPublish", "Effect": "Allow", "Principal": {"Service": EVENTS},
         "Action": "sns:Publish", "Resource": topic_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": security_id},
                       "ArnLike": {"aws:SourceArn": f"arn:{part}:events:*:{security_id}:rule/*"}}},
        *budgets,
        {"Sid": "NobodyElsePublishes", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sns:Publish",
         "Resource": topic_arn,
         "Condition": {"StringNotEquals": {"aws:PrincipalServiceName": publishers[0] if len(publishers) == 1
                                           else publishers}}},
        {"Sid": "TheSecurityAccountManagesTheTopic", "Effect": "Allow",
         "Principal": {"AWS": f"arn:{part}:iam::{security_id}:root"},
         "Action": ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic",
                    "sns:Unsubscribe", "sns:TagResource", "sns:DeleteTopic"],
         "Resource": topic_arn},
    ])


def service_trust(service: str, security_id: str) -> str:
    return _policy([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
                     "Condition": {"StringEquals": {"aws:SourceAccount": security_id}}}])


def securityhub_pattern(labels: list[str]) -> str:
    """New, active Security Hub findings at or above the chosen severity."""
    return json.dumps({
        "source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        "detail": {"findings": {"Severity": {"Label": labels}, "Workflow": {"Status": ["NEW"]},
                                "RecordState": ["ACTIVE"]}},
    }, separators=(",", ":"))


def guardduty_pattern(minimum: float) -> str:
    return json.dumps({
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", minimum]}]},
    }, separators=(",", ":"))


# ---- services ---------------------------------------------------------------------------------------------------


def _guardduty(cfg: LandingZoneConfig, provider: aws.Provider) -> dict[str, pulumi.Output[str]]:
    settings = cfg.security_services.guardduty
    detectors: dict[str, pulumi.Output[str]] = {}
    for region in cfg.governed_regions:
        detector = aws.guardduty.Detector(
            f"guardduty-{region}", enable=True, region=region,
            finding_publishing_frequency=settings.finding_publishing_frequency, opts=opts(provider))
        org_config = aws.guardduty.OrganizationConfiguration(
            f"guardduty-organization-{region}", detector_id=detector.id, auto_enable_organization_members="ALL",
            region=region, opts=opts(provider))
        for plan in settings.protection_plans:
            extra = RUNTIME_AGENT_MANAGEMENT if plan == GuardDutyProtectionPlan.RUNTIME_MONITORING else ()
            aws.guardduty.OrganizationConfigurationFeature(
                f"guardduty-organization-{plan.value.lower()}-{region}", detector_id=detector.id,
                name=plan.value, auto_enable="ALL", region=region,
                additional_configurations=[
                    aws.guardduty.OrganizationConfigurationFeatureAdditionalConfigurationArgs(
                        name=name, auto_enable="ALL") for name in extra],
                opts=opts(provider, depends_on=[org_config]))
            aws.guardduty.DetectorFeature(
                f"guardduty-{plan.value.lower()}-{region}", detector_id=detector.id, name=plan.value,
                status="ENABLED", region=region,
                additional_configurations=[
                    aws.guardduty.DetectorFeatureAdditionalConfigurationArgs(name=name, status="ENABLED")
                    for name in extra],
                opts=opts(provider))
        detectors[region] = detector.id
    return detectors


def _securityhub(ctx: StageContext, provider: aws.Provider) -> pulumi.Output[str]:
    cfg = ctx.config
    home, part = cfg.home_region, partition(cfg.home_region)
    linked = [r for r in cfg.governed_regions if r != home]
    aggregator = aws.securityhub.FindingAggregator(
        "securityhub-aggregator", region=home,
        linking_mode="SPECIFIED_REGIONS" if linked else "NO_REGIONS",
        specified_regions=linked or None, opts=opts(provider))
    # Central configuration: member accounts are enabled by the policy below, not by AutoEnable (which AWS
    # requires to be off, with AutoEnableStandards NONE, under CENTRAL).
    org_config = aws.securityhub.OrganizationConfiguration(
        "securityhub-organization", region=home, auto_enable=False, auto_enable_standards="NONE",
        organization_configuration=aws.securityhub.OrganizationConfigurationOrganizationConfigurationArgs(
            configuration_type="CENTRAL"),
        opts=opts(provider, depends_on=[aggregator]))
    standards = [s.arn(part, home) for s in cfg.security_services.securityhub.standards]
    policy = aws.securityhub.ConfigurationPolicy(
        "securityhub-policy", name=_name(cfg, "security-hub"), region=home,
        description="Security Hub CSPM on in every account and governed region, with "
                    + ", ".join(s.value for s in cfg.security_services.securityhub.standards),
        configuration_policy=aws.securityhub.ConfigurationPolicyConfigurationPolicyArgs(
            service_enabled=True, enabled_standard_arns=standards,
            security_controls_configuration=(
                aws.securityhub.ConfigurationPolicyConfigurationPolicySecurityControlsConfigurationArgs(
                    disabled_control_identifiers=[]))),
        opts=opts(provider, depends_on=[org_config]))
    aws.securityhub.ConfigurationPolicyAssociation(
        "securityhub-policy-root", region=home, policy_id=policy.id, target_id=target_id(ctx, ROOT_OU),
        opts=opts(provider))
    return policy.id


def _config(cfg: LandingZoneConfig, provider: aws.Provider, security_id: pulumi.Output[str]) -> pulumi.Output[str]:
    part = partition(cfg.home_region)
    role = aws.iam.Role(
        "config-aggregator-role", name=_name(cfg, "config-aggregator"),
        description="AWS Config reads the organization's accounts for the organization aggregator",
        assume_role_policy=security_id.apply(lambda sid: service_trust(CONFIG, sid)), opts=opts(provider))
    attachment = aws.iam.RolePolicyAttachment(
        "config-aggregator-role-policy", role=role.name,
        policy_arn=f"arn:{part}:iam::aws:policy/{CONFIG_ORGANIZATIONS_POLICY}", opts=opts(provider))
    aggregator = aws.cfg.ConfigurationAggregator(
        "config-aggregator", name=cfg.security_services.config.aggregator_name, region=cfg.home_region,
        organization_aggregation_source=aws.cfg.ConfigurationAggregatorOrganizationAggregationSourceArgs(
            role_arn=role.arn, regions=list(cfg.governed_regions), all_regions=False),
        opts=opts(provider, depends_on=[attachment]))
    return aggregator.arn


def _access_analyzer(cfg: LandingZoneConfig, provider: aws.Provider) -> dict[str, pulumi.Output[str]]:
    settings = cfg.security_services.access_analyzer
    arns: dict[str, pulumi.Output[str]] = {}
    for region in cfg.governed_regions:
        analyzer = aws.accessanalyzer.Analyzer(
            f"access-analyzer-{region}", analyzer_name=_name(cfg, "organization"), type="ORGANIZATION",
            region=region, opts=opts(provider))
        arns[region] = analyzer.arn
    if settings.unused_access:
        aws.accessanalyzer.Analyzer(
            "access-analyzer-unused", analyzer_name=_name(cfg, "unused-access"), type="ORGANIZATION_UNUSED_ACCESS",
            region=cfg.home_region,
            configuration=aws.accessanalyzer.AnalyzerConfigurationArgs(
                unused_access=aws.accessanalyzer.AnalyzerConfigurationUnusedAccessArgs(
                    unused_access_age=settings.unused_access_days)),
            opts=opts(provider))
    return arns


def _members(ctx: StageContext) -> list[tuple[str, str, pulumi.Output[str]]]:
    """(name, email, id) of every member account but the Security account (the administrator itself)."""
    cfg = ctx.config
    return [(a.name, a.email, account_id(ctx, a.name)) for a in cfg.accounts if a.name != cfg.security_account.name]


def _inspector(ctx: StageContext, provider: aws.Provider, security_id: pulumi.Output[str]) -> None:
    # Auto-enable covers accounts that join later; the accounts there already are enabled by the Enabler.
    cfg = ctx.config
    types = {t.value for t in cfg.security_services.inspector.resource_types}
    accounts = [security_id, *(i for _, _, i in _members(ctx))]
    for region in cfg.governed_regions:
        org_config = aws.inspector2.OrganizationConfiguration(
            f"inspector-organization-{region}", region=region,
            auto_enable=aws.inspector2.OrganizationConfigurationAutoEnableArgs(
                ec2="EC2" in types, ecr="ECR" in types, lambda_="LAMBDA" in types,
                lambda_code="LAMBDA_CODE" in types),
            opts=opts(provider))
        aws.inspector2.Enabler(
            f"inspector-{region}", region=region, account_ids=accounts, resource_types=sorted(types),
            opts=opts(provider, depends_on=[org_config]))


def _macie(ctx: StageContext, provider: aws.Provider) -> None:
    # Auto-enable covers accounts that join later; each account there already becomes an enabled member.
    for region in ctx.config.governed_regions:
        account = aws.macie2.Account(f"macie-{region}", region=region, status="ENABLED",
                                     finding_publishing_frequency="FIFTEEN_MINUTES", opts=opts(provider))
        org_config = aws.macie2.OrganizationConfiguration(
            f"macie-organization-{region}", region=region, auto_enable=True,
            opts=opts(provider, depends_on=[account]))
        for name, email, member_id in _members(ctx):
            aws.macie2.Member(f"macie-member-{name}-{region}", region=region, account_id=member_id, email=email,
                              status="ENABLED", invite=False, opts=opts(provider, depends_on=[org_config]))


def _detective(ctx: StageContext, provider: aws.Provider) -> dict[str, pulumi.Output[str]]:
    # Auto-enable covers accounts that join later; each account there already becomes a member of the graph.
    graphs: dict[str, pulumi.Output[str]] = {}
    for region in ctx.config.governed_regions:
        graph = aws.detective.Graph(f"detective-{region}", region=region, opts=opts(provider))
        org_config = aws.detective.OrganizationConfiguration(
            f"detective-organization-{region}", region=region, graph_arn=graph.graph_arn, auto_enable=True,
            opts=opts(provider))
        for name, email, member_id in _members(ctx):
            aws.detective.Member(f"detective-member-{name}-{region}", region=region, account_id=member_id,
                                 email_address=email, graph_arn=graph.graph_arn, disable_email_notification=True,
                                 opts=opts(provider, depends_on=[org_config]))
        graphs[region] = graph.graph_arn
    return graphs


# ---- designations (stage security, management account) ---------------------------------------------------------


def designate_administrators(cfg: LandingZoneConfig, management: aws.Provider, security_id: pulumi.Output[str],
                             after: Sequence[pulumi.Resource]) -> list[str]:
    """The Security account as administrator of each chosen service that has a designation API of its own, in
    each region where the service needs it (GuardDuty, Inspector, Macie and Detective per governed region; Security
    Hub in the home region, which central configuration extends to the linked regions). Registered by stage
    ``security`` from the management account, after the Organizations delegations (``after``): the service's
    call accepts an account Organizations already lists, while the reverse order is refused.

    Returns the logical names registered."""
    services = cfg.security_services
    names: list[str] = []

    def depends() -> pulumi.ResourceOptions:
        return opts(management, depends_on=list(after))

    for region in cfg.governed_regions:
        if services.guardduty.enabled:
            aws.guardduty.OrganizationAdminAccount(f"guardduty-admin-{region}", admin_account_id=security_id,
                                                   region=region, opts=depends())
            names.append(f"guardduty-admin-{region}")
        if services.inspector.enabled:
            aws.inspector2.DelegatedAdminAccount(f"inspector-admin-{region}", account_id=security_id,
                                                 region=region, opts=depends())
            names.append(f"inspector-admin-{region}")
        if services.macie.enabled:
            aws.macie2.OrganizationAdminAccount(f"macie-admin-{region}", admin_account_id=security_id,
                                                region=region, opts=depends())
            names.append(f"macie-admin-{region}")
        if services.detective.enabled:
            aws.detective.OrganizationAdminAccount(f"detective-admin-{region}", account_id=security_id,
                                                   region=region, opts=depends())
            names.append(f"detective-admin-{region}")
    if services.securityhub.enabled:
        aws.securityhub.OrganizationAdminAccount("securityhub-admin", admin_account_id=security_id,
                                                 region=cfg.home_region, opts=depends())
        names.append("securityhub-admin")
    return names


# ---- findings to people -----------------------------------------------------------------------------------------


def budgets_alert_topic(cfg: LandingZoneConfig) -> bool:
    """Whether stage governance sends some budget's alerts to the topic (budgets.*.notify_security_topic)."""
    return any(b is not None and b.notify_security_topic for b in (account_budget(cfg, a) for a in cfg.accounts))


def _findings_route(ctx: StageContext, provider: aws.Provider,
                    security_id: pulumi.Output[str]) -> pulumi.Output[str]:
    cfg = ctx.config
    home, part = cfg.home_region, partition(cfg.home_region)
    notify = cfg.security_services.notifications
    # The management account's budgets publish their alerts here (stage governance); nobody else's.
    budgets: pulumi.Output[str | None] = (management_account_id(ctx) if budgets_alert_topic(cfg)
                                          else pulumi.Output.from_input(None))
    key = aws.kms.Key(
        "findings-topic-key", description=f"Encrypts the security findings topic of {cfg.name}",
        enable_key_rotation=True, deletion_window_in_days=30, region=home,
        policy=pulumi.Output.all(security_id, budgets).apply(lambda v: topic_key_policy(part, v[0], v[1])),
        opts=opts(provider))
    aws.kms.Alias("findings-topic-key-alias", name=f"alias/{cfg.name}-security-findings", target_key_id=key.key_id,
                  region=home, opts=opts(provider))
    topic = aws.sns.Topic("findings-topic", name=_name(cfg, "security-findings"), kms_master_key_id=key.arn,
                          region=home, opts=opts(provider))
    topic_policy_resource = aws.sns.TopicPolicy(
        "findings-topic-policy", arn=topic.arn, region=home,
        policy=pulumi.Output.all(security_id, topic.arn, budgets).apply(
            lambda v: topic_policy(part, v[0], v[1], v[2])),
        opts=opts(provider))
    for i, address in enumerate(notify.email):
        aws.sns.TopicSubscription(f"findings-email-{i}", topic=topic.arn, protocol="email", endpoint=address,
                                  region=home, opts=opts(provider))
    for i, url in enumerate(notify.https):
        aws.sns.TopicSubscription(f"findings-https-{i}", topic=topic.arn, protocol="https", endpoint=url,
                                  region=home, opts=opts(provider))

    def rule_to_topic(name: str, pattern: str, description: str) -> None:
        rule = aws.cloudwatch.EventRule(name, name=_name(cfg, name), description=description, event_pattern=pattern,
                                        region=home, opts=opts(provider))
        aws.cloudwatch.EventTarget(f"{name}-topic", rule=rule.name, arn=topic.arn, target_id="findings-topic",
                                   region=home, opts=opts(provider, depends_on=[topic_policy_resource]))

    services = cfg.security_services
    if services.securityhub.enabled:
        rule_to_topic("securityhub-findings", securityhub_pattern(notify.minimum_severity.at_or_above),
                      f"Security Hub findings of every governed region at {notify.minimum_severity.value} or above")
    if services.guardduty.enabled:
        pattern = guardduty_pattern(notify.minimum_severity.guardduty_minimum)
        rule_to_topic("guardduty-findings", pattern,
                      f"GuardDuty findings at {notify.minimum_severity.value} or above (every governed region)")
        others = [r for r in cfg.governed_regions if r != home]
        if others:
            # EventBridge targets a topic of its own region only: the other regions forward GuardDuty findings
            # to the home region's default bus, where the rule above publishes them.
            home_bus = security_id.apply(lambda sid: f"arn:{part}:events:{home}:{sid}:event-bus/default")
            role = aws.iam.Role(
                "findings-forwarding-role", name=_name(cfg, "findings-forwarding"),
                description="EventBridge forwards GuardDuty findings to the home region's default event bus",
                assume_role_policy=security_id.apply(lambda sid: service_trust(EVENTS, sid)), opts=opts(provider))
            aws.iam.RolePolicy(
                "findings-forwarding-role-policy", role=role.name,
                policy=home_bus.apply(lambda arn: _policy([
                    {"Effect": "Allow", "Action": "events:PutEvents", "Resource": arn}])), opts=opts(provider))
            for region in others:
                rule = aws.cloudwatch.EventRule(
                    f"guardduty-findings-{region}", name=_name(cfg, "guardduty-findings"), event_pattern=pattern,
                    description=f"GuardDuty findings of {region}, forwarded to {home}", region=region,
                    opts=opts(provider))
                aws.cloudwatch.EventTarget(
                    f"guardduty-findings-{region}-forward", rule=rule.name, arn=home_bus, role_arn=role.arn,
                    target_id="home-region-bus", region=region, opts=opts(provider))
    return topic.arn


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    services = cfg.security_services
    provider = Providers(ctx).account(cfg.security_account.name)
    security_id = account_id(ctx, cfg.security_account.name)

    pulumi.export("enabled_services", services.enabled_services())
    if services.guardduty.enabled:
        pulumi.export("guardduty_detector_ids", _guardduty(cfg, provider))
    if services.securityhub.enabled:
        pulumi.export("securityhub_policy_id", _securityhub(ctx, provider))
    if services.config.enabled:
        pulumi.export("config_aggregator_arn", _config(cfg, provider, security_id))
    if services.access_analyzer.enabled:
        pulumi.export("access_analyzer_arns", _access_analyzer(cfg, provider))
    if services.inspector.enabled:
        _inspector(ctx, provider, security_id)
    if services.macie.enabled:
        _macie(ctx, provider)
    if services.detective.enabled:
        pulumi.export("detective_graph_arns", _detective(ctx, provider))
    pulumi.export("security_topic_arn", _findings_route(ctx, provider, security_id))
