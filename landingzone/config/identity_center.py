"""The ``identity_center`` section: how people sign in (IAM Identity Center), as code.

People reach member accounts through Identity Center permission sets assigned to groups, never as IAM users; the
management account is reached only by the break-glass group. The section describes:

- the instance: found by the orchestrator (``sso-admin ListInstances`` from the management account) unless given
  here; an organization instance is enabled once in the console (README, "IAM Identity Center");
- the member account that administers Identity Center as delegated administrator (shared-services by default:
  AWS recommends not administering it from the management account);
- permission sets, each from the preset library (:data:`PRESETS`) or written out;
- groups, created in the Identity Store or provisioned by an external identity provider (SCIM) and looked up by
  display name;
- assignments: group x permission set x targets (account names, OU paths expanded to their accounts, "Root" for
  every member account, and "management" for the management account, break-glass only).

The rules that span fields are in :mod:`landingzone.config.identity_center_rules`.
"""

from __future__ import annotations

import functools
import json
import re
from enum import StrEnum
from importlib import resources
from typing import Any

from pydantic import Field, field_validator, model_validator

from landingzone.config.base import _Model
from landingzone.constants import known_regions

MANAGEMENT_TARGET = "management"
"""The assignment target that names the management account (never reached through "Root" or an OU)."""

SSO_SERVICE_PRINCIPAL = "sso.amazonaws.com"
"""IAM Identity Center's service principal: trusted access (stage organization) and delegated administration
(stage security)."""

SESSION_HOURS = (1, 12)
"""Identity Center session durations: 1 to 12 hours."""

INLINE_POLICY_MAX = 32768
"""Characters of a permission set's inline policy (PutInlinePolicyToPermissionSet)."""

PERMISSION_SET_NAME_RE = re.compile(r"^[\w+=,.@-]{1,32}$", re.ASCII)  # IAM takes ASCII only
GROUP_NAME_RE = re.compile(r"^[^\x00-\x1f:]{1,1024}$")
INSTANCE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$")
IDENTITY_STORE_RE = re.compile(r"^d-[0-9a-f]{10}$|^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
_DURATION_RE = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$")
_POLICY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/[\w+=,.@/-]+$", re.ASCII)  # IAM takes ASCII only
_CUSTOMER_NAME_RE = re.compile(r"^[\w+=,.@-]{1,128}$", re.ASCII)  # IAM takes ASCII only
_IAM_PATH_RE = re.compile(r"^/([\w+=,.@-]+/)*$", re.ASCII)  # IAM takes ASCII only


def session_seconds(duration: str) -> int | None:
    """Seconds of an ISO 8601 duration such as PT8H or PT1H30M; None when it is not one (only hours, minutes and
    seconds: Identity Center takes nothing longer)."""
    match = _DURATION_RE.match(duration)
    if match is None or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


@functools.cache
def aws_managed_policies() -> frozenset[str]:
    """AWS managed policy names with their path below ``policy/`` (``ReadOnlyAccess``, ``job-function/Billing``):
    the list shipped in landingzone/data/aws-managed-policies.txt (its header says where it comes from)."""
    text = resources.files("landingzone").joinpath("data/aws-managed-policies.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def managed_policy_path(reference: str) -> str:
    """``ReadOnlyAccess`` or ``arn:aws:iam::aws:policy/job-function/Billing`` -> the path/name below policy/."""
    return reference.split(":policy/", 1)[1] if reference.startswith("arn:") else reference


class PermissionSetPreset(StrEnum):
    """The preset library: permission sets most organizations start with."""

    ADMINISTRATOR = "Administrator"
    POWER_USER = "PowerUser"
    READ_ONLY = "ReadOnly"
    SECURITY_AUDIT = "SecurityAudit"
    BILLING = "Billing"
    BREAK_GLASS = "BreakGlass"


PRESETS: dict[PermissionSetPreset, dict[str, Any]] = {
    PermissionSetPreset.ADMINISTRATOR: {
        "description": "Full administration of the account, for platform engineers",
        "session_duration": "PT4H", "managed_policies": ["AdministratorAccess"]},
    PermissionSetPreset.POWER_USER: {
        "description": "Everything but IAM and Organizations, for developers",
        "session_duration": "PT8H", "managed_policies": ["PowerUserAccess"]},
    PermissionSetPreset.READ_ONLY: {
        "description": "Read-only access to resources and their data",
        "session_duration": "PT8H", "managed_policies": ["ReadOnlyAccess"]},
    PermissionSetPreset.SECURITY_AUDIT: {
        "description": "Read security configuration and metadata, for the security team and auditors",
        "session_duration": "PT8H", "managed_policies": ["SecurityAudit", "job-function/ViewOnlyAccess"]},
    PermissionSetPreset.BILLING: {
        "description": "Billing and cost management",
        "session_duration": "PT4H", "managed_policies": ["job-function/Billing"]},
    PermissionSetPreset.BREAK_GLASS: {
        "description": "Emergency administration, the only way into the management account; short sessions",
        "session_duration": "PT1H", "managed_policies": ["AdministratorAccess"]},
}
"""What each preset fills in; fields given in the file win."""


class CustomerManagedPolicy(_Model):
    """A customer managed policy that must exist, under this name and path, in every account the permission set
    is assigned to (Identity Center attaches it by name)."""

    name: str
    """Policy name."""
    path: str = "/"
    """IAM path of the policy, starting and ending with /."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _CUSTOMER_NAME_RE.match(value):
            raise ValueError(f"{value!r} is not an IAM policy name (1 to 128 letters, digits and + = , . @ _ -)")
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not _IAM_PATH_RE.match(value):
            raise ValueError(f"{value!r} is not an IAM path (e.g. / or /landingzone/)")
        return value


class PermissionsBoundary(_Model):
    """The most a permission set's role may do: an AWS managed policy or a customer managed one (exactly one)."""

    managed_policy: str | None = None
    """AWS managed policy, by name (e.g. PowerUserAccess) or full ARN."""
    customer_managed_policy: CustomerManagedPolicy | None = None
    """Customer managed policy, by name and path, present in every target account."""

    @model_validator(mode="after")
    def _exactly_one(self) -> PermissionsBoundary:
        if (self.managed_policy is None) == (self.customer_managed_policy is None):
            raise ValueError("give exactly one of managed_policy or customer_managed_policy")
        return self


class PermissionSet(_Model):
    """A permission set: the role Identity Center provisions in each account it is assigned to."""

    name: str
    """Permission set name, unique in the instance: 1 to 32 letters, digits and + = , . @ _ -."""
    preset: PermissionSetPreset | None = None
    """Start from a preset of the library (Administrator, PowerUser, ReadOnly, SecurityAudit, Billing,
    BreakGlass); the fields given here replace the preset's."""
    description: str | None = None
    """What the permission set is for (up to 700 characters)."""
    session_duration: str | None = None
    """How long a sign-in lasts, ISO 8601, 1 to 12 hours: PT1H, PT8H, PT1H30M. Default PT1H."""
    managed_policies: list[str] | None = None
    """AWS managed policies, by name with its path (ReadOnlyAccess, job-function/Billing) or by full ARN (for a
    policy newer than the list landingzone knows)."""
    customer_managed_policies: list[CustomerManagedPolicy] = Field(default_factory=list)
    """Customer managed policies, by name and path; they must exist in every target account."""
    inline_policy: dict[str, Any] | None = None
    """An IAM policy document (Version and Statement) embedded in the permission set."""
    permissions_boundary: PermissionsBoundary | None = None
    """A permissions boundary for the provisioned role."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not PERMISSION_SET_NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a permission set name (1 to 32 letters, digits and + = , . @ _ -)")
        return value

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        if value is not None and not 1 <= len(value) <= 700:
            raise ValueError(f"a description has 1 to 700 characters, this one {len(value)}")
        return value

    @field_validator("session_duration")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is None:
            return value
        seconds = session_seconds(value)
        low, high = SESSION_HOURS
        if seconds is None:
            raise ValueError(f"{value!r} is not an ISO 8601 duration; write hours and minutes such as PT8H or "
                             "PT1H30M")
        if not low * 3600 <= seconds <= high * 3600:
            raise ValueError(f"{value!r} is outside {low} to {high} hours, what Identity Center allows; use PT{low}H "
                             f"to PT{high}H")
        return value

    @field_validator("managed_policies")
    @classmethod
    def _managed(cls, value: list[str] | None) -> list[str] | None:
        for ref in value or []:
            if ref.startswith("arn:") and not _POLICY_ARN_RE.match(ref):
                raise ValueError(f"{ref!r} is not an AWS managed policy ARN (arn:aws:iam::aws:policy/NAME)")
        return value

    @field_validator("inline_policy")
    @classmethod
    def _inline(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return value
        if "Statement" not in value:
            raise ValueError("an inline policy is an IAM policy document with Version and Statement")
        if len(json.dumps(value, separators=(",", ":"))) > INLINE_POLICY_MAX:
            raise ValueError(f"the inline policy is longer than {INLINE_POLICY_MAX} characters, the most Identity "
                             "Center takes; move statements into a customer managed policy")
        return value

    # ---- the preset applied -------------------------------------------------------------------------------------

    def _preset_value(self, key: str) -> Any:
        return PRESETS[self.preset].get(key) if self.preset is not None else None

    @property
    def effective_description(self) -> str:
        return self.description or self._preset_value("description") or f"Permission set {self.name}"

    @property
    def effective_session_duration(self) -> str:
        return self.session_duration or self._preset_value("session_duration") or "PT1H"

    @property
    def effective_managed_policies(self) -> list[str]:
        if self.managed_policies is not None:
            return list(self.managed_policies)
        return list(self._preset_value("managed_policies") or [])


class IdentityCenterGroup(_Model):
    """A group people belong to; permission sets are assigned to groups, never to single users."""

    name: str
    """Display name of the group, unique in the identity store."""
    description: str = ""
    """What the group is for (created groups only)."""
    external: bool = False
    """The group comes from an external identity provider through SCIM (Okta, Entra ID, Google): landingzone
    looks it up by display name and never creates or deletes it. False: landingzone creates it in the Identity
    Store (members are added in the console or by your identity provider)."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not GROUP_NAME_RE.match(value) or value != value.strip():
            raise ValueError(f"{value!r} is not a group display name (1 to 1024 characters, no ':' or control "
                             "characters, no leading or trailing space)")
        return value


class Assignment(_Model):
    """Members of a group may sign in to the target accounts with a permission set."""

    group: str
    """Name of a group from identity_center.groups."""
    permission_set: str
    """Name of a permission set from identity_center.permission_sets."""
    targets: list[str] = Field(min_length=1)
    """Account names, OU paths (every account in the OU and below it), "Root" (every member account) or
    "management" (the management account: the break-glass group only)."""


class BreakGlassUser(_Model):
    """An IAM user kept for emergencies in a member account; the audit does not report it."""

    account: str
    """Name of the member account (from accounts)."""
    user_name: str
    """IAM user name."""


class IdentityCenterConfig(_Model):
    """IAM Identity Center: permission sets, groups and assignments (stage access)."""

    instance_arn: str | None = None
    """ARN of the Identity Center instance (arn:aws:sso:::instance/ssoins-...). Empty: found with ListInstances
    before the run. Give it together with identity_store_id."""
    identity_store_id: str | None = None
    """Id of the instance's identity store (d-xxxxxxxxxx). Empty: found with the instance."""
    region: str | None = None
    """Region where Identity Center is enabled (an instance lives in one region). Default: the home region."""
    administrator_account: str | None = None
    """Member account that administers Identity Center as delegated administrator (stage security registers
    it; stage access runs there). Default: the shared-services account. Never the management account."""
    permission_sets: list[PermissionSet] = Field(default_factory=list)
    """Permission sets, each from the preset library or written out."""
    groups: list[IdentityCenterGroup] = Field(default_factory=list)
    """Groups: created in the Identity Store, or external (SCIM) and looked up by display name."""
    assignments: list[Assignment] = Field(default_factory=list)
    """Which group may sign in where with which permission set."""
    break_glass_group: str | None = None
    """The one group that may be assigned to the management account (stage management_access, from the
    management account, as AWS requires). Empty: nobody is assigned there."""
    break_glass_iam_users: list[BreakGlassUser] = Field(default_factory=list)
    """IAM users kept on purpose in member accounts (emergency access when Identity Center is down); every
    other IAM user with a console password or an access key is an audit finding."""

    @field_validator("instance_arn")
    @classmethod
    def _instance(cls, value: str | None) -> str | None:
        if value is not None and not INSTANCE_ARN_RE.match(value):
            raise ValueError(f"{value!r} is not an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-...; "
                             "`aws sso-admin list-instances`)")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and value not in known_regions():
            raise ValueError(f"{value!r} is not a known AWS region (the region where Identity Center is enabled)")
        return value

    @field_validator("identity_store_id")
    @classmethod
    def _store(cls, value: str | None) -> str | None:
        if value is not None and not IDENTITY_STORE_RE.match(value):
            raise ValueError(f"{value!r} is not an identity store id (d-xxxxxxxxxx; `aws sso-admin list-instances`)")
        return value

    def permission_set(self, name: str) -> PermissionSet:
        for pset in self.permission_sets:
            if pset.name == name:
                return pset
        raise KeyError(name)

    def group(self, name: str) -> IdentityCenterGroup:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)


def library_permission_set(preset: PermissionSetPreset) -> PermissionSet:
    """The preset as a permission set named after it."""
    return PermissionSet(name=preset.value, preset=preset)
