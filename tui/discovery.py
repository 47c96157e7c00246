"""What the current credentials can see of AWS Organizations, for the welcome screen.

A small read-only look (STS, Organizations): enough to say whether this is the management account, whether an
organization exists, and how many accounts it has. Access denied is data ("not visible"), never silence.
Runs in a worker thread; never called on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ORG_NOT_IN_USE = "AWSOrganizationsNotInUseException"


@dataclass(frozen=True)
class DiscoverySummary:
    account_id: str
    """The account the credentials belong to."""
    arn: str
    organization_id: str | None = None
    """None when the account is in no organization (or it is not visible, see notes)."""
    management_account_id: str | None = None
    feature_set: str | None = None
    root_id: str | None = None
    account_count: int | None = None
    notes: list[str] = field(default_factory=list)
    """What could not be seen, and why."""

    @property
    def is_management_account(self) -> bool:
        return self.organization_id is not None and self.management_account_id == self.account_id

    def lines(self) -> list[str]:
        out = [f"Signed in as {self.arn} (account {self.account_id})."]
        if self.organization_id is None:
            out.append("This account is in no organization: the wizard will create one, with this account "
                       "as its management account.")
        else:
            role = ("is the management account" if self.is_management_account else
                    f"is a member account (management account: {self.management_account_id})")
            out.append(f"Organization {self.organization_id} (feature set {self.feature_set}) exists; this "
                       f"account {role}.")
            if self.account_count is not None:
                out.append(f"It has {self.account_count} account(s); root {self.root_id or 'not visible'}.")
        out.extend(self.notes)
        return out


def _code(exc: Exception) -> str:
    response: dict[str, Any] = getattr(exc, "response", {}) or {}
    return str(response.get("Error", {}).get("Code", type(exc).__name__))


def discover(endpoint: str | None = None, profile: str | None = None,
             region: str = "us-east-1") -> DiscoverySummary:
    """Read-only discovery with the standard credential chain (or a profile), optionally against an
    emulator."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session(profile_name=profile, region_name=region)
    ident = session.client("sts", endpoint_url=endpoint).get_caller_identity()
    account_id, arn = str(ident["Account"]), str(ident["Arn"])
    orgs = session.client("organizations", endpoint_url=endpoint)
    notes: list[str] = []
    try:
        org = orgs.describe_organization()["Organization"]
    except ClientError as exc:
        if _code(exc) == ORG_NOT_IN_USE:
            return DiscoverySummary(account_id, arn)
        return DiscoverySummary(account_id, arn, notes=[f"The organization is not visible ({_code(exc)})."])
    summary: dict[str, Any] = {
        "organization_id": org["Id"],
        "management_account_id": org.get("MasterAccountId"),
        "feature_set": org.get("FeatureSet"),
    }
    try:
        roots = orgs.list_roots()["Roots"]
        summary["root_id"] = roots[0]["Id"] if roots else None
        count = 0
        for page in orgs.get_paginator("list_accounts").paginate():
            count += len(page["Accounts"])
        summary["account_count"] = count
    except (ClientError, BotoCoreError) as exc:
        notes.append(f"Accounts and roots are not visible from this account ({_code(exc)}); run the wizard "
                     "with management-account credentials to adopt this organization.")
    return DiscoverySummary(account_id, arn, notes=notes, **summary)
