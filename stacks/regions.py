"""Stage regions (management account, one provider): the governed regions that are opt-in, enabled.

A governed region that is opt-in (af-south-1, eu-south-1, ... : landingzone.config.governance.OPT_IN_REGIONS) is
disabled in an account until enabled. This stage enables it with account.Region (AWS Account Management, by
member account id, trusted access for account.amazonaws.com) in the management account and every member account,
right after the organization stage and before every stage that works in those regions (they depend on it).
A separate stage from governance because that one runs last (its budgets alert the topic stage security_services
creates, which itself needs the regions).

Outputs: enabled_regions {account: [regions]} (the management account under "management").
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from landingzone.config.governance import opt_in
from stacks.base import Providers, StageContext, account_id, opts

MANAGEMENT = "management"


def program(ctx: StageContext) -> None:
    cfg = ctx.config
    regions = opt_in(cfg.governed_regions) if cfg.governance.enable_opt_in_regions else []
    enabled: dict[str, list[str]] = {}
    if not regions:  # nothing to enable: not even a provider
        pulumi.export("enabled_regions", enabled)
        return
    mgmt = Providers(ctx).management
    for account in [MANAGEMENT, *(a.name for a in cfg.accounts)]:
        for region in regions:
            args: dict[str, Any] = {} if account == MANAGEMENT else {"account_id": account_id(ctx, account)}
            aws.account.Region(f"region-{account}-{region}", region_name=region, enabled=True, opts=opts(mgmt),
                               **args)
            enabled.setdefault(account, []).append(region)

    pulumi.export("enabled_regions", enabled)
