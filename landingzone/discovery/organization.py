"""Organization-level reads, from the management account: the organization, OUs, accounts, SCPs, delegated
administrators, IAM's centralized root access, quotas; and the quick look of the wizard's welcome screen."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import boto3
from botocore.exceptions import ClientError

from landingzone.discovery.model import (
    AccountInfo,
    DelegatedAdmin,
    Discovery,
    DiscoveryOptions,
    NotVisible,
    OrganizationInfo,
    OuInfo,
    PolicyInfo,
    QuotaInfo,
    RootInfo,
)
from landingzone.discovery.reader import TRANSIENT_ERRORS, Reader, discovery_error, error_code, sts_client


def describe_organization(r: Reader) -> OrganizationInfo | None:
    """The caller's organization; None when it is in none, or when the read gave nothing usable (recorded)."""
    try:
        org = r.client("organizations").describe_organization()["Organization"]
    except ClientError as exc:
        if error_code(exc) == "AWSOrganizationsNotInUseException":
            return None
        if r.unusable(exc, "organizations", "describe_organization", None):
            return None
        raise discovery_error(exc, "organizations", "describe_organization", r.account_id, None) from exc
    except TRANSIENT_ERRORS as exc:
        r.unusable(exc, "organizations", "describe_organization", None)
        return None
    return OrganizationInfo(
        id=org["Id"], arn=org["Arn"], feature_set=org.get("FeatureSet", ""),
        management_account_id=org.get("MasterAccountId", ""),
        management_account_email=org.get("MasterAccountEmail", ""))


def read_organization(r: Reader, found: Discovery) -> None:
    found.organization = describe_organization(r)
    if found.organization is None:
        return
    roots = r.pages("organizations", "list_roots", "Roots") or []
    for root in roots:
        enabled = tuple(t["Type"] for t in root.get("PolicyTypes", []) if t.get("Status") == "ENABLED")
        found.roots.append(RootInfo(root["Id"], root.get("Name", "Root"), enabled))
    found.trusted_services = [
        s["ServicePrincipal"] for s in
        (r.pages("organizations", "list_aws_service_access_for_organization", "EnabledServicePrincipals") or [])]

    # OU tree, breadth first, with paths.
    parents: list[tuple[str, str]] = [(root.id, "") for root in found.roots]
    account_parent: dict[str, tuple[str, str]] = {}
    while parents:
        parent_id, parent_path = parents.pop(0)
        for acct in r.pages("organizations", "list_accounts_for_parent", "Accounts", ParentId=parent_id) or []:
            account_parent[acct["Id"]] = (parent_id, parent_path or "Root")
        children = r.pages("organizations", "list_organizational_units_for_parent", "OrganizationalUnits",
                           ParentId=parent_id) or []
        for ou in children:
            path = f"{parent_path}/{ou['Name']}" if parent_path else ou["Name"]
            found.ous.append(OuInfo(ou["Id"], ou["Name"], parent_id, path))
            parents.append((ou["Id"], path))
    for acct in r.pages("organizations", "list_accounts", "Accounts") or []:
        parent_id, path = account_parent.get(acct["Id"], ("", "Root"))
        found.accounts.append(AccountInfo(
            id=acct["Id"], name=acct.get("Name", ""), email=acct.get("Email", ""),
            status=acct.get("Status", "ACTIVE"), parent_id=parent_id, ou_path=path))

    # Delegated administrators: list the admins, then each admin's services (a per-service filter would need
    # to know every principal up front).
    for admin in r.pages("organizations", "list_delegated_administrators", "DelegatedAdministrators") or []:
        services = r.pages("organizations", "list_delegated_services_for_account", "DelegatedServices",
                           AccountId=admin["Id"]) or []
        for svc in services:
            found.delegated_admins.append(DelegatedAdmin(svc["ServicePrincipal"], admin["Id"]))


def read_policies(r: Reader, found: Discovery) -> None:
    listed = r.pages("organizations", "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY")
    if listed is None:
        found.policies_visible = False
        return
    for summary in listed:
        described = r.call("organizations", "describe_policy", PolicyId=summary["Id"])
        targets = r.pages("organizations", "list_targets_for_policy", "Targets", PolicyId=summary["Id"])
        if described is None or targets is None:
            found.policies_visible = False
            continue
        found.policies.append(PolicyInfo(
            id=summary["Id"], name=summary.get("Name", ""), aws_managed=bool(summary.get("AwsManaged")),
            content=described["Policy"].get("Content", ""), targets=tuple(t["TargetId"] for t in targets)))


def read_quotas(r: Reader, found: Discovery) -> None:
    """Organizations quotas Service Quotas exposes (informational; the audit prints them)."""
    quotas = r.pages("service-quotas", "list_service_quotas", "Quotas", ServiceCode="organizations")
    if quotas is None:
        return
    found.quotas = [QuotaInfo(q["QuotaCode"], q.get("QuotaName", ""), float(q.get("Value", 0))) for q in quotas]


# ---- a quick look (the wizard's welcome screen) ----------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationSummary:
    """Who the credentials are and what they see of AWS Organizations, from a handful of reads (no member
    account is read). Enough to say whether this is the management account, whether an organization exists and
    how many accounts it has."""

    caller_account_id: str
    caller_arn: str
    organization: OrganizationInfo | None = None
    """None when the caller's account is in no organization, or the organization is not visible (see
    ``not_visible``)."""
    root_id: str | None = None
    account_count: int | None = None
    """None when the organization's accounts could not be listed."""
    not_visible: list[NotVisible] = field(default_factory=list)

    @property
    def organization_visible(self) -> bool:
        return not any(n.operation == "describe_organization" for n in self.not_visible)

    @property
    def organization_id(self) -> str | None:
        return self.organization.id if self.organization else None

    @property
    def management_account_id(self) -> str | None:
        return self.organization.management_account_id if self.organization else None

    @property
    def is_management_account(self) -> bool:
        return self.organization is not None and self.management_account_id == self.caller_account_id


def summarize_organization(session: boto3.Session,
                           options: DiscoveryOptions | None = None) -> OrganizationSummary:
    """The quick look: caller identity, the organization, its root and how many accounts it has.

    Uses only ``options.home_region`` and ``options.endpoint_url``. Unusable reads are recorded in
    ``not_visible``; any other AWS error raises :class:`DiscoveryError`, as in :func:`discover`.
    """
    options = options or DiscoveryOptions()
    identity = sts_client(session, options).get_caller_identity()
    sink: list[NotVisible] = []
    r = Reader(session, str(identity["Account"]), options, sink, threading.Lock())
    organization = describe_organization(r)
    if organization is None:
        return OrganizationSummary(r.account_id, str(identity["Arn"]), not_visible=sink)
    roots = r.pages("organizations", "list_roots", "Roots")
    accounts = r.pages("organizations", "list_accounts", "Accounts")
    return OrganizationSummary(
        r.account_id, str(identity["Arn"]), organization,
        root_id=roots[0]["Id"] if roots else None,
        account_count=None if accounts is None else len(accounts),
        not_visible=sink)
