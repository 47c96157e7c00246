"""The landing zone's description: ``LandingZoneConfig`` and the models of its sections.

The docs are the model: every field has a docstring under it (pydantic reads them as descriptions, so they reach
the JSON Schema, `landingzone schema`, the commented file `landingzone init` writes, and the wizard's help).
Field-level rules live on the fields; the rules that span fields are in :mod:`landingzone.config.rules`, run once
the fields are valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from landingzone.config.base import (
    IAM_NAME_RE,
    IAM_PATH_RE,
    NAME_RE,
    OU_NAME_RE,
    _Model,
    check_account_id,
    check_ascii,
    check_email,
)
from landingzone.config.baseline import BaselineConfig
from landingzone.config.enums import AccountKind, QueryLayer, SecurityService
from landingzone.config.governance import (
    ACCOUNT_CLOSURE_QUOTA,
    AccountState,
    AlternateContacts,
    BudgetSettings,
    GovernanceConfig,
)
from landingzone.config.identity_center import IdentityCenterConfig
from landingzone.config.network import NetworkConfig
from landingzone.config.rules import cross_field_problems
from landingzone.config.security_services import SecurityServicesConfig
from landingzone.constants import (
    DEFAULT_ACCESS_ROLE_NAME,
    DEFAULT_ORG_ADMIN_PATH,
    ROOT_OU,
    SCP_MAX_CHARACTERS,
    SCP_PER_TARGET,
    known_regions,
)
from landingzone.errors import ConfigError


class ManagementAccount(_Model):
    """The Organizations management account: it controls everything, so it holds nothing else."""

    email: str
    """Root email address of the management account (used to recognise it, never to sign in)."""
    id: str | None = None
    """Twelve-digit account id, when known. Lets validation refuse a workload account with the same id."""
    new_and_empty: bool = False
    """Confirmation that this account was created for the organization and runs no workloads (practice
    management-account in docs/practices.md: a brand new account becomes the management account). Must be true
    unless adopting an existing organization, whose management account the audit then checks."""
    minimal_access: bool = False
    """Confirmation that only the few people who administer the organization can sign in to this account."""

    _email = field_validator("email")(check_email)
    _id = field_validator("id")(check_account_id)


class OrganizationSettings(_Model):
    """AWS Organizations settings. The feature set is always ALL: SCPs and delegated administration need it."""

    existing_id: str | None = None
    """Id (o-xxxxxxxxxx) of an organization to adopt instead of creating one (brownfield)."""
    existing_root_id: str | None = None
    """Root id (r-xxxx) of the adopted organization; needed with existing_id."""
    security_services: list[SecurityService] = Field(
        default_factory=lambda: [SecurityService.CLOUDTRAIL, SecurityService.GUARDDUTY,
                                 SecurityService.SECURITYHUB, SecurityService.CONFIG,
                                 SecurityService.ACCESS_ANALYZER])
    """Services whose organization-wide administration is delegated to the Security account. CloudTrail is
    always included: the organization trail is created from the Security account."""

    @field_validator("existing_id")
    @classmethod
    def _org_id(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^o-[a-z0-9]{10,32}$", value):
            raise ValueError(f"{value!r} is not an organization id (o- followed by 10 to 32 characters)")
        return value

    @field_validator("existing_root_id")
    @classmethod
    def _root_id(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^r-[0-9a-z]{4,32}$", value):
            raise ValueError(f"{value!r} is not a root id (r- followed by 4 to 32 characters)")
        return value

    @field_validator("security_services")
    @classmethod
    def _cloudtrail_first(cls, value: list[SecurityService]) -> list[SecurityService]:
        if SecurityService.CLOUDTRAIL not in value:
            value = [SecurityService.CLOUDTRAIL, *value]
        return list(dict.fromkeys(value))


class Account(_Model):
    """A member account of the organization."""

    name: str
    """Account name, unique in the organization (also used in stack names for per-account stages)."""
    email: str
    """Root email address of the account; unique across AWS."""
    kind: AccountKind
    """What the account is for: security, log-archive, production, development, sandbox, shared-services or
    workload. Production and development are always separate accounts."""
    ou: str = ROOT_OU
    """Path of the OU the account sits in, such as "Workloads/Prod"; "Root" for the organization root."""
    existing_id: str | None = None
    """Twelve-digit id of an account that already exists and is adopted (imported) instead of created."""
    close_on_deletion: bool = Field(default=False, description=(
        "Close the account if it is ever removed from the landing zone. Off by default: AWS allows closing at most "
        f"{ACCOUNT_CLOSURE_QUOTA.describe()}, and a closed account stays suspended for 90 days. To retire an "
        "account without closing it, set state: suspended."))
    # (the description is built from the quota's data, landingzone.config.governance.ACCOUNT_CLOSURE_QUOTA)
    state: AccountState = AccountState.ACTIVE
    """active, or suspended: a retired account is moved to the top-level Suspended OU (declare it under
    organizational_units), where the deny-all guardrail stops everything in it, instead of being closed. It
    keeps its contacts; it loses its budget and is left out of the per-account stages."""
    alternate_contacts: AlternateContacts | None = None
    """This account's own alternate contacts; each type set here replaces the organization's
    (governance.alternate_contacts) for this account."""
    budget: BudgetSettings | None = None
    """This account's own monthly budget, replacing its OU's and the default (governance.budgets)."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        check_ascii(value, "account name")
        if not 1 <= len(value) <= 50 or not re.match(r"^[\w .,@&+-]+$", value):
            raise ValueError(f"{value!r} is not a valid account name (1 to 50 letters, digits, spaces, . , @ & + -)")
        return value

    _email = field_validator("email")(check_email)
    _id = field_validator("existing_id")(check_account_id)


class OrganizationalUnit(_Model):
    """An OU. Nest children to build the tree; accounts and guardrails refer to it by its path."""

    name: str
    """OU name, unique among its siblings."""
    children: list[OrganizationalUnit] = Field(default_factory=list)
    """Nested OUs (at most five levels below the root)."""
    existing_id: str | None = None
    """Id (ou-xxxx-xxxxxxxx) of an OU that already exists and is adopted instead of created."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value == ROOT_OU or "/" in value or not OU_NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid OU name (letters, digits, space . _ -; not 'Root'; no '/')")
        return value

    @field_validator("existing_id")
    @classmethod
    def _ou_id(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$", value):
            raise ValueError(f"{value!r} is not an OU id (ou-xxxx-xxxxxxxx)")
        return value


class GuardrailAssignment(_Model):
    """One guardrail from the library (an SCP, RCP, declarative policy for EC2 or S3 policy; the library entry
    decides the type) attached to one or more targets."""

    id: str
    """Library id, such as "protect-org-admin-roles-strict" or "rcp-protect-organization-trail" (`landingzone
    policies list` shows them all, with their policy types)."""
    parameters: dict[str, Any] = Field(default_factory=dict)
    """Values for the template's parameters; the rest take their defaults."""
    targets: list[str] = Field(min_length=1)
    """Where the policy is attached: "Root", an OU path such as "Workloads/Prod", or an account name."""



class LoggingConfig(_Model):
    """The organization trail, its bucket and its query layer."""

    trail_name: str = "organization-trail"
    """Name of the organization-wide CloudTrail trail."""
    bucket_retention_days: int = Field(default=365, ge=1, le=36500)
    """Days the trail's log files (and AWS Config's history and snapshots, in the Config bucket) are kept before they
    expire."""
    kms: bool = True
    """Encrypt log files with a customer-managed KMS key (CIS 3.5 / 4.5)."""
    query_layer: QueryLayer = QueryLayer.ATHENA
    """athena (default): Glue table with partition projection, workgroup and saved queries over the bucket.
    lake: a CloudTrail Lake event data store, only for organizations that already use Lake (closed to new
    customers since 2026-05-31). none: no query layer (the audit will flag it)."""
    lake_retention_days: int = 2557
    """Retention of the Lake event data store, 7 to 3653 days (only with query_layer: lake)."""

    @field_validator("trail_name")
    @classmethod
    def _trail_name(cls, value: str) -> str:
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$", value):
            raise ValueError(f"{value!r} is not a valid trail name (3 to 128 letters, digits, . _ -)")
        return value


class OrgAdminConfig(_Model):
    """Administration roles in member accounts, under a protected IAM path (practice org-admin-roles in
    docs/practices.md)."""

    path: str = DEFAULT_ORG_ADMIN_PATH
    """IAM path of the administration roles; the protect-org-admin-roles guardrails protect it."""
    role_names: list[str] = Field(default_factory=lambda: ["LandingZoneAdministrator"])
    """Roles created under the path in every member account, trusted only by the Security account."""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not IAM_PATH_RE.match(value) or value == "/":
            raise ValueError(f"{value!r} is not an IAM path below / (e.g. /org-admin/, starting and ending with /)")
        return value

    @field_validator("role_names")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        for name in value:
            if not IAM_NAME_RE.match(name):
                raise ValueError(f"{name!r} is not a valid IAM role name")
        return value


class StateConfig(_Model):
    """Where Pulumi keeps the state of every stage."""

    backend_url: str | None = None
    """file:///abs/path, s3://bucket/prefix?region=..., or https://api.pulumi.com. Default: file:// in
    .landingzone/state beside the configuration file."""

    @field_validator("backend_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(file://|s3://|https?://|azblob://|gs://)", value):
            raise ValueError(f"{value!r} is not a state backend URL (file://, s3://, https://...)")
        return value


class AwsSettings(_Model):
    """How the tool reaches AWS."""

    endpoint: str | None = None
    """Send every AWS call (pulumi providers and boto3) to this endpoint, e.g. http://127.0.0.1:5000 for moto or
    LocalStack. Leave empty for real AWS."""
    profile: str | None = None
    """Named AWS profile for the management account; empty uses the standard credential chain."""

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


class QuotaConfig(_Model):
    """Service quotas the tool checks before it registers anything. Values since 2026-05-15; override them if
    your partition or organization still has the old limits (5 SCPs per target, 5,120 characters). The other
    policy types' quotas are data (landingzone/policies/data/policy-types.json: RCPs 5 per target and 5,120
    characters; declarative and S3 policies 10 and 10,000)."""

    scp_per_target: int = Field(default=SCP_PER_TARGET, ge=1, le=100)
    """SCPs that may be attached directly to one root, OU or account (FullAWSAccess counts)."""
    scp_max_characters: int = Field(default=SCP_MAX_CHARACTERS, ge=100, le=100000)
    """Maximum characters of one SCP, whitespace included (the library minifies)."""


class LandingZoneConfig(_Model):
    """A secure multi-account AWS landing zone."""

    name: str
    """Name of the landing zone: lower-case letters, digits and -, 3 to 40 characters. Stack names derive from
    it and never change once created."""
    home_region: str = "us-east-1"
    """Region where the trail, bucket, KMS key and query layer live."""
    governed_regions: list[str] = Field(default_factory=lambda: ["us-east-1"])
    """Regions workloads may use; includes the home region. A region-deny guardrail can refuse the others."""
    management_account: ManagementAccount
    """The Organizations management account."""
    organization: OrganizationSettings = Field(default_factory=OrganizationSettings)
    """AWS Organizations settings and the security services to delegate."""
    accounts: list[Account] = Field(default_factory=list)
    """Member accounts: exactly one security account; production and development apart."""
    organizational_units: list[OrganizationalUnit] = Field(default_factory=list)
    """The OU tree below the root."""
    guardrails: list[GuardrailAssignment] = Field(default_factory=list)
    """Guardrails from the library (SCPs, RCPs, declarative and S3 policies) and where they are attached; the
    organization stage enables every policy type they use."""
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    """Organization trail and query layer."""
    security_services: SecurityServicesConfig = Field(default_factory=SecurityServicesConfig)
    """Security services turned on across the organization from the Security account, in every governed region
    (stage security_services): GuardDuty, Security Hub CSPM, AWS Config and IAM Access Analyzer by default;
    Inspector, Macie and Detective when chosen (priced per resource scanned); and where findings are sent."""
    network: list[NetworkConfig] = Field(default_factory=list)
    """Role-based security groups per workload account."""
    identity_center: IdentityCenterConfig | None = None
    """How people sign in: IAM Identity Center permission sets, groups and assignments (stages access and
    management_access). Empty: the landing zone manages no sign-in (the access role is the only way in)."""
    close_default_security_groups: bool = True
    """Strip every rule from the default security group of the default VPC, in the management account and every
    member account, in each governed region (stage security; CIS AWS Foundations 5.4). Accounts or regions without
    a default VPC are skipped. Set false only while workloads still rely on those rules; the audit (LZ-NET-004)
    keeps reporting them."""
    org_admin: OrgAdminConfig = Field(default_factory=OrgAdminConfig)
    """Administration roles under the protected /org-admin/ path."""
    baseline: BaselineConfig = Field(default_factory=BaselineConfig)
    """Hardening of every account: admin roles, EBS encryption, account-level S3 Block Public Access, IMDS
    defaults, a password policy where IAM users are allowed (stage baseline)."""
    access_role_name: str = DEFAULT_ACCESS_ROLE_NAME
    """Role the management account assumes in member accounts (created by Organizations with each account)."""
    state: StateConfig = Field(default_factory=StateConfig)
    """Pulumi state backend."""
    aws: AwsSettings = Field(default_factory=AwsSettings)
    """AWS endpoint override and profile."""
    quotas: QuotaConfig = Field(default_factory=QuotaConfig)
    """SCP quotas checked before anything is registered."""
    governance: GovernanceConfig = Field(default_factory=GovernanceConfig)
    """Account governance from the management account: centralized root access, alternate contacts, opt-in
    regions and budgets (stages regions and governance; docs/practices.md account-governance, root-access)."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid name (3 to 40 lower-case letters, digits and -, starting "
                             "with a letter)")
        return value

    @field_validator("home_region")
    @classmethod
    def _home_region(cls, value: str) -> str:
        if value not in known_regions():
            raise ValueError(f"{value!r} is not a known AWS region (e.g. us-east-1, eu-west-1)")
        return value

    @field_validator("governed_regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r not in known_regions()]
        if unknown:
            raise ValueError(f"{', '.join(map(repr, unknown))} not known AWS region(s) (e.g. us-east-1, eu-west-1)")
        return value

    @field_validator("access_role_name")
    @classmethod
    def _access_role(cls, value: str) -> str:
        if not IAM_NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid IAM role name")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> LandingZoneConfig:
        # A service whose `enabled` the file leaves out follows the delegation: off when the organization does not
        # delegate it (an explicit `enabled: true` without the delegation is a problem the rules report).
        self.security_services.follow_delegation({s.value for s in self.organization.security_services})
        problems = list(cross_field_problems(self))
        if problems:
            raise ConfigError(problems)
        return self

    # ---- derived views used by stages, plan, TUI -------------------------------------------------------------

    def ou_paths(self) -> list[str]:
        """Every OU path, parents before children."""
        return [path for path, _ in iter_ous(self.organizational_units)]

    def account(self, name: str) -> Account:
        for acct in self.accounts:
            if acct.name == name:
                return acct
        raise KeyError(name)

    def accounts_of_kind(self, kind: AccountKind) -> list[Account]:
        return [a for a in self.accounts if a.kind == kind]

    @property
    def security_account(self) -> Account:
        return self.accounts_of_kind(AccountKind.SECURITY)[0]

    @property
    def log_account(self) -> Account:
        """Where the trail bucket lives: the log-archive account when there is one, else the Security account."""
        archives = self.accounts_of_kind(AccountKind.LOG_ARCHIVE)
        return archives[0] if archives else self.security_account



def iter_ous(ous: list[OrganizationalUnit], prefix: str = "") -> Iterator[tuple[str, OrganizationalUnit]]:
    """Yield (path, OU) depth-first, parents first. Paths join names with '/'."""
    for ou in ous:
        path = f"{prefix}/{ou.name}" if prefix else ou.name
        yield path, ou
        yield from iter_ous(ou.children, path)



def json_schema() -> dict[str, Any]:
    schema: dict[str, Any] = LandingZoneConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "landingzone configuration"
    return schema


def field_descriptions(model: type[BaseModel] = LandingZoneConfig) -> dict[str, str]:
    """Top-level field -> docstring, for comments in generated files and help in the wizard."""
    return {name: (info.description or "") for name, info in model.model_fields.items()}



