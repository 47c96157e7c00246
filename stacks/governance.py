"""Stage governance (management account, one provider): centralized root access, alternate contacts, budgets.

Everything here is set by member account id from the management account (practices `root-access` and
`account-governance` in docs/practices.md), so the stage is one stack with one provider for 1,000 accounts:

- iam.OrganizationsFeatures with RootCredentialsManagement and RootSessions (trusted access for
  iam.amazonaws.com is enabled by the organization stage), when ``governance.root_access.centralized``.
- account.AlternativeContact per account and contact type: the organization's set, overridden per account type by
  type (trusted access for account.amazonaws.com); the management account gets the organization's set.
- budgets.Budget per active member account: monthly COST budget in the management account, filtered to the
  member (LinkedAccount), alerts to the configured addresses and, when stage security_services exports one, the
  security SNS topic.

Outputs: root_features (list), alternate_contacts {account: [types]}, budgets {account: budget name}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config import LandingZoneConfig
from landingzone.config.governance import (
    ROOT_FEATURES,
    AlternateContact,
    BudgetSettings,
    ContactType,
    account_budget,
    account_contacts,
)
from stacks.base import Providers, StageContext, account_id, opts, upstream_output

SECURITY_TOPIC_STAGE = "security_services"
"""The stage that owns the security SNS topic (issue #14); its output SECURITY_TOPIC_OUTPUT is the topic ARN."""
SECURITY_TOPIC_OUTPUT = "security_topic_arn"
MANAGEMENT = "management"
"""Key of the management account in the outputs (member accounts are keyed by name)."""


def budget_name(cfg: LandingZoneConfig, account: str) -> str:
    """The budget's name: unique per landing zone and account, at most 100 characters, no ':' or '\\'."""
    return f"{cfg.name}-{account}-monthly"[:100]


def _contact(ctx: StageContext, provider: pulumi.ProviderResource, account: str, kind: ContactType,
             contact: AlternateContact) -> None:
    args: dict[str, Any] = {}
    if account != MANAGEMENT:
        args["account_id"] = account_id(ctx, account)
    aws.account.AlternativeContact(
        f"contact-{account}-{kind.value.lower()}",
        alternate_contact_type=kind.value,
        name=contact.name,
        title=contact.title,
        email_address=contact.email,
        phone_number=contact.phone,
        opts=opts(provider),
        **args,
    )


def security_topic(ctx: StageContext) -> pulumi.Output[Any] | None:
    """The security SNS topic ARN, when stage security_services is upstream of this one and exports it; None
    when it is not (the alerts then go to the addresses only)."""
    outputs = ctx.upstream.get(SECURITY_TOPIC_STAGE)
    if outputs is None:
        return None
    if isinstance(outputs, Mapping) and SECURITY_TOPIC_OUTPUT not in outputs:
        return None
    return upstream_output(ctx, SECURITY_TOPIC_STAGE, SECURITY_TOPIC_OUTPUT)


def _notifications(settings: BudgetSettings,
                   topic: pulumi.Output[Any] | None) -> list[aws.budgets.BudgetNotificationArgs]:
    topics = [topic] if topic is not None and settings.notify_security_topic else None
    return [
        aws.budgets.BudgetNotificationArgs(
            comparison_operator="GREATER_THAN",
            notification_type=alert.kind.value.upper(),
            threshold=alert.percent,
            threshold_type="PERCENTAGE",
            subscriber_email_addresses=list(settings.emails) or None,
            subscriber_sns_topic_arns=topics,
        )
        for alert in settings.alerts
    ]


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    gov = cfg.governance
    mgmt = Providers(ctx).management

    root_features: list[str] = []
    if gov.root_access.centralized:
        root_features = list(ROOT_FEATURES)
        aws.iam.OrganizationsFeatures("root-access", enabled_features=root_features, opts=opts(mgmt))

    contacts: dict[str, list[str]] = {}
    for kind, contact in gov.alternate_contacts.by_type().items():
        _contact(ctx, mgmt, MANAGEMENT, kind, contact)
        contacts.setdefault(MANAGEMENT, []).append(kind.value)
    for acct in cfg.accounts:
        for kind, contact in account_contacts(cfg, acct).items():
            _contact(ctx, mgmt, acct.name, kind, contact)
            contacts.setdefault(acct.name, []).append(kind.value)

    topic = security_topic(ctx)
    budgets: dict[str, str] = {}
    for acct in cfg.accounts:
        settings = account_budget(cfg, acct)
        if settings is None:
            continue
        name = budget_name(cfg, acct.name)
        aws.budgets.Budget(
            f"budget-{acct.name}",
            name=name,
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{settings.monthly_limit_usd:.2f}",
            limit_unit="USD",
            cost_filters=[aws.budgets.BudgetCostFilterArgs(name="LinkedAccount",
                                                           values=[account_id(ctx, acct.name)])],
            notifications=_notifications(settings, topic),
            opts=opts(mgmt),
        )
        budgets[acct.name] = name

    pulumi.export("root_features", root_features)
    pulumi.export("alternate_contacts", contacts)
    pulumi.export("budgets", budgets)
