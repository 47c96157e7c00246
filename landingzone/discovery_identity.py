"""Discovery of how people sign in: the IAM Identity Center instance and its assignments (from the management
account), and the IAM users of each account with their console passwords and access keys.

Plain data for the audit (landingzone/audit/access.py). Reads go through discovery's reader (retries, refused
reads recorded as not visible); absent things (no login profile) are expected answers, not errors.

Cost: the instance, its permission sets (one describe each), the management account's assignments (one call per
permission set), and the groups until one member-account assignment is found; per account one list of users
plus two reads per user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

NO_SUCH_ENTITY = "NoSuchEntity"


@dataclass(frozen=True)
class IamUserInfo:
    """An IAM user and the long-lived credentials it holds."""

    account_id: str
    name: str
    console_password: bool
    """A login profile exists (the user can sign in to the console)."""
    active_access_keys: int


@dataclass(frozen=True)
class ManagementAssignment:
    """Someone who may sign in to the management account through Identity Center."""

    principal_type: str
    """GROUP or USER."""
    principal: str
    """Display name of the group (user name of a user); the id when the name cannot be read."""
    permission_set: str
    """Name of the permission set (its ARN when the name cannot be read)."""


@dataclass
class IdentityCenterView:
    """The organization's Identity Center, as the management account sees it."""

    visible: bool = True
    """False when the instance could not be listed (refused or not offered): nothing below was read."""
    instance_arn: str | None = None
    identity_store_id: str | None = None
    permission_sets: dict[str, str] = field(default_factory=dict)
    """ARN -> name."""
    member_assignment_found: bool | None = None
    """Some member account has an assignment; None when the groups could not be read."""
    management_assignments: list[ManagementAssignment] = field(default_factory=list)
    management_visible: bool = True

    @property
    def enabled(self) -> bool:
        return self.instance_arn is not None


class _Reads:
    """What this module needs of discovery's reader: ``client(service, region)`` and a recorder for reads that
    gave nothing usable (returns False for an error that must propagate)."""

    def __init__(self, reader: Any, unusable: Callable[[Exception, str, str, str | None], bool]) -> None:
        self.reader = reader
        self.unusable = unusable

    def call(self, service: str, operation: str, region: str | None = None, **kwargs: Any) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = getattr(self.reader.client(service, region), operation)(**kwargs)
            return result
        except ClientError as exc:
            if self.unusable(exc, service, operation, region):
                return None
            raise

    def pages(self, service: str, operation: str, key: str, region: str | None = None,
              **kwargs: Any) -> list[Any] | None:
        client = self.reader.client(service, region)
        items: list[Any] = []
        try:
            for page in client.get_paginator(operation).paginate(**kwargs):
                items.extend(page.get(key, []))
        except ClientError as exc:
            if self.unusable(exc, service, operation, region):
                return None
            raise
        return items


def read_identity_center(reader: Any, unusable: Callable[[Exception, str, str, str | None], bool],
                         management_id: str | None, region: str) -> IdentityCenterView:
    r = _Reads(reader, unusable)
    view = IdentityCenterView()
    instances = r.pages("sso-admin", "list_instances", "Instances", region)
    if instances is None:
        view.visible = False
        return view
    own = [i for i in instances if i.get("OwnerAccountId") in (None, management_id)] or instances
    if not own:
        return view
    instance = own[0]
    view.instance_arn, view.identity_store_id = instance["InstanceArn"], instance.get("IdentityStoreId")
    arns = r.pages("sso-admin", "list_permission_sets", "PermissionSets", region,
                   InstanceArn=view.instance_arn) or []
    for arn in arns:
        got = r.call("sso-admin", "describe_permission_set", region, InstanceArn=view.instance_arn,
                     PermissionSetArn=arn)
        view.permission_sets[arn] = got["PermissionSet"]["Name"] if got else arn
    store = view.identity_store_id
    if management_id is not None:
        for arn in view.permission_sets:
            found = r.pages("sso-admin", "list_account_assignments", "AccountAssignments", region,
                            InstanceArn=view.instance_arn, AccountId=management_id, PermissionSetArn=arn)
            if found is None:
                view.management_visible = False
                continue
            for item in found:
                view.management_assignments.append(ManagementAssignment(
                    item["PrincipalType"], _principal_name(r, store, item, region), view.permission_sets[arn]))
    groups = r.pages("identitystore", "list_groups", "Groups", region, IdentityStoreId=store) if store else None
    if groups is None:
        return view
    view.member_assignment_found = False
    for group in groups:
        found = r.pages("sso-admin", "list_account_assignments_for_principal", "AccountAssignments", region,
                        InstanceArn=view.instance_arn, PrincipalId=group["GroupId"], PrincipalType="GROUP")
        if any(a.get("AccountId") != management_id for a in found or []):
            view.member_assignment_found = True
            break
    return view


def _principal_name(r: _Reads, store: str | None, item: dict[str, Any], region: str) -> str:
    principal = str(item["PrincipalId"])
    if store is None:
        return principal
    if item["PrincipalType"] == "GROUP":
        got = r.call("identitystore", "describe_group", region, IdentityStoreId=store, GroupId=principal)
        return str(got.get("DisplayName", principal)) if got else principal
    got = r.call("identitystore", "describe_user", region, IdentityStoreId=store, UserId=principal)
    return str(got.get("UserName", principal)) if got else principal


def read_iam_users(reader: Any, unusable: Callable[[Exception, str, str, str | None], bool],
                   account_id: str) -> list[IamUserInfo] | None:
    """The account's IAM users with console password and active access keys; None when not readable."""
    r = _Reads(reader, unusable)
    users = r.pages("iam", "list_users", "Users")
    if users is None:
        return None
    iam = reader.client("iam", None)
    found: list[IamUserInfo] = []
    for user in users:
        name = user["UserName"]
        try:
            iam.get_login_profile(UserName=name)
            password = True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != NO_SUCH_ENTITY:
                if unusable(exc, "iam", "get_login_profile", None):
                    return None
                raise
            password = False
        keys = r.pages("iam", "list_access_keys", "AccessKeyMetadata", UserName=name)
        if keys is None:
            return None
        found.append(IamUserInfo(account_id, name, password, sum(k.get("Status") == "Active" for k in keys)))
    return found
