"""The landing zone's description: ``LandingZoneConfig`` and its YAML file.

The docs are the model: every field has a docstring under it (pydantic reads them as descriptions, so they reach
the JSON Schema, `landingzone schema`, the commented file `landingzone init` writes, and the wizard's help).

Validation reports every problem at once. Field-level problems come from pydantic; cross-field rules (unique
names, exactly one Security account, OU references, ...) run once the fields are valid. Both end up as one
:class:`~landingzone.errors.ConfigError` whose problems each name a field path such as ``accounts[2].email``.
"""

from __future__ import annotations

import functools
import io
import ipaddress
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import email_validator
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from landingzone.errors import ConfigError, ConfigProblem

DEFAULT_CONFIG_PATH = Path("landingzone.yaml")
ROOT_OU = "Root"
"""The name by which an account or guardrail target refers to the organization root."""
MAX_OU_DEPTH = 5
"""AWS Organizations allows OUs nested at most five levels below the root."""
ADMIN_PORTS = (22, 3389)
LAKE_RETENTION_RANGE = (7, 3653)

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
_ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
_OU_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$")
_IAM_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
_IAM_PATH_RE = re.compile(r"^/([\w+=,.@-]+/)*$")


@functools.cache
def known_regions() -> frozenset[str]:
    """Region names in botocore's endpoint data, every partition. Read from the data files directly, so a broken
    AWS profile in the environment cannot break validation."""
    from botocore.loaders import create_loader

    endpoints = create_loader().load_data("endpoints")
    regions: set[str] = set()
    for part in endpoints["partitions"]:
        regions.update(part.get("regions", {}))
    return frozenset(regions)


def partition(region: str) -> str:
    """The ARN partition of a region (no API call: the region prefix decides)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, validate_assignment=False)


class AccountKind(StrEnum):
    """What an account is for. Kinds decide placement defaults and which stages touch the account."""

    SECURITY = "security"
    LOG_ARCHIVE = "log-archive"
    PRODUCTION = "production"
    DEVELOPMENT = "development"
    SANDBOX = "sandbox"
    SHARED_SERVICES = "shared-services"
    WORKLOAD = "workload"


WORKLOAD_KINDS = frozenset(
    {AccountKind.PRODUCTION, AccountKind.DEVELOPMENT, AccountKind.SANDBOX, AccountKind.WORKLOAD,
     AccountKind.SHARED_SERVICES}
)


class SecurityService(StrEnum):
    """Organization-integrated security services the Security account administers as delegated admin."""

    CLOUDTRAIL = "cloudtrail"
    GUARDDUTY = "guardduty"
    SECURITYHUB = "securityhub"
    CONFIG = "config"
    ACCESS_ANALYZER = "access-analyzer"
    MACIE = "macie"
    INSPECTOR = "inspector"
    DETECTIVE = "detective"

    @property
    def service_principal(self) -> str:
        return SERVICE_PRINCIPALS[self]


SERVICE_PRINCIPALS: dict[SecurityService, str] = {
    SecurityService.CLOUDTRAIL: "cloudtrail.amazonaws.com",
    SecurityService.GUARDDUTY: "guardduty.amazonaws.com",
    SecurityService.SECURITYHUB: "securityhub.amazonaws.com",
    SecurityService.CONFIG: "config.amazonaws.com",
    SecurityService.ACCESS_ANALYZER: "access-analyzer.amazonaws.com",
    SecurityService.MACIE: "macie.amazonaws.com",
    SecurityService.INSPECTOR: "inspector2.amazonaws.com",
    SecurityService.DETECTIVE: "detective.amazonaws.com",
}


def _check_email(value: str) -> str:
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise ValueError(f"{value!r} is not an email address ({exc})") from None
    return value


def _check_account_id(value: str | None) -> str | None:
    if value is not None and not _ACCOUNT_ID_RE.match(value):
        raise ValueError(f"{value!r} is not an AWS account id (twelve digits)")
    return value


class ManagementAccount(_Model):
    """The Organizations management account: it controls everything, so it holds nothing else."""

    email: str
    """Root email address of the management account (used to recognise it, never to sign in)."""
    id: str | None = None
    """Twelve-digit account id, when known. Lets validation refuse a workload account with the same id."""
    new_and_empty: bool = False
    """Confirmation that this account was created for the organization and runs no workloads (seed: 'create a
    brand new AWS account' to be the management account). Must be true unless adopting an existing
    organization, whose management account the audit then checks."""
    minimal_access: bool = False
    """Confirmation that only the few people who administer the organization can sign in to this account."""

    _email = field_validator("email")(_check_email)
    _id = field_validator("id")(_check_account_id)


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
    close_on_deletion: bool = False
    """Close the account if it is ever removed from the landing zone. Off by default: AWS allows closing at most
    10% of member accounts per 30 days and a closed account stays suspended for 90 days."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not 1 <= len(value) <= 50 or not re.match(r"^[\w .,@&+-]+$", value):
            raise ValueError(f"{value!r} is not a valid account name (1 to 50 letters, digits, spaces, . , @ & + -)")
        return value

    _email = field_validator("email")(_check_email)
    _id = field_validator("existing_id")(_check_account_id)


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
        if value == ROOT_OU or "/" in value or not _OU_NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid OU name (letters, digits, space . _ -; not 'Root'; no '/')")
        return value

    @field_validator("existing_id")
    @classmethod
    def _ou_id(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$", value):
            raise ValueError(f"{value!r} is not an OU id (ou-xxxx-xxxxxxxx)")
        return value


class GuardrailAssignment(_Model):
    """One guardrail from the SCP library attached to one or more targets."""

    id: str
    """Library id, such as "protect-org-admin-roles-strict" (`landingzone policies list` shows them all)."""
    parameters: dict[str, Any] = Field(default_factory=dict)
    """Values for the template's parameters; the rest take their defaults."""
    targets: list[str] = Field(min_length=1)
    """Where the SCP is attached: "Root", an OU path such as "Workloads/Prod", or an account name."""


class QueryLayer(StrEnum):
    """How the organization trail is queried beyond CloudTrail's 90-day event history."""

    ATHENA = "athena"
    LAKE = "lake"
    NONE = "none"


class LoggingConfig(_Model):
    """The organization trail, its bucket and its query layer."""

    trail_name: str = "organization-trail"
    """Name of the organization-wide CloudTrail trail."""
    bucket_retention_days: int = Field(default=365, ge=1, le=36500)
    """Days the trail's log files are kept in the bucket before they expire."""
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


class Protocol(StrEnum):
    TCP = "tcp"
    UDP = "udp"


Port = Annotated[int, Field(ge=0, le=65535)]


class SecurityGroupRole(_Model):
    """A workload role (web, app, db, ...): one security group per role in the account's VPC."""

    name: str
    """Role name, unique in the account, such as "app" or "db-client"."""
    description: str = ""
    """What runs with this role; becomes the security group description."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.match(r"^[a-z][a-z0-9-]{0,62}$", value):
            raise ValueError(f"{value!r} is not a valid role name (lower-case letters, digits, -)")
        return value


class RoleRule(_Model):
    """Traffic allowed from one role to another, by security-group reference (never by IP range)."""

    source: str
    """Role the traffic comes from."""
    target: str
    """Role the traffic goes to."""
    port: Port
    """Destination port (first of the range when to_port is set)."""
    to_port: Port | None = None
    """Last port of a range; defaults to port."""
    protocol: Protocol = Protocol.TCP
    """tcp or udp."""


class EdgeIngress(_Model):
    """Declared ingress from outside the VPC: the only place a CIDR is allowed."""

    role: str
    """Role that receives the traffic (e.g. the load balancer role)."""
    cidr: str
    """IPv4 or IPv6 CIDR the traffic comes from."""
    port: Port
    """Destination port."""
    protocol: Protocol = Protocol.TCP
    """tcp or udp."""
    description: str = ""
    """Why this ingress exists."""

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            ipaddress.ip_network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid CIDR ({exc})") from None
        return value


class NetworkConfig(_Model):
    """Role-based security groups for one workload account."""

    account: str
    """Name of the account (from accounts)."""
    vpc_id: str | None = None
    """Existing VPC to place the groups in (vpc-...). Give this or vpc_cidr."""
    vpc_cidr: str | None = None
    """IPv4 CIDR of a VPC to create when there is no existing one."""
    roles: list[SecurityGroupRole] = Field(default_factory=list)
    """Workload roles; each becomes a security group."""
    rules: list[RoleRule] = Field(default_factory=list)
    """Which role may reach which, on which port."""
    edge_ingress: list[EdgeIngress] = Field(default_factory=list)
    """Explicitly declared ingress from CIDRs (load balancers, VPN ranges). Never 0.0.0.0/0 to 22 or 3389."""

    @field_validator("vpc_id")
    @classmethod
    def _vpc_id(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^vpc-[0-9a-f]{8,17}$", value):
            raise ValueError(f"{value!r} is not a VPC id (vpc- followed by 8 or 17 hex digits)")
        return value

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_cidr(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            net = ipaddress.ip_network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid CIDR ({exc})") from None
        if net.version != 4 or not 16 <= net.prefixlen <= 28:
            raise ValueError(f"{value!r}: a VPC needs an IPv4 CIDR between /16 and /28")
        return value


class OrgAdminConfig(_Model):
    """Administration roles in member accounts, under a protected IAM path (seed: role pathing + SCP)."""

    path: str = "/org-admin/"
    """IAM path of the administration roles; the protect-org-admin-roles guardrails protect it."""
    role_names: list[str] = Field(default_factory=lambda: ["LandingZoneAdministrator"])
    """Roles created under the path in every member account, trusted only by the Security account."""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not _IAM_PATH_RE.match(value) or value == "/":
            raise ValueError(f"{value!r} is not an IAM path below / (e.g. /org-admin/, starting and ending with /)")
        return value

    @field_validator("role_names")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        for name in value:
            if not _IAM_NAME_RE.match(name):
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
    your partition or organization still has the old limits (5 SCPs per target, 5,120 characters)."""

    scp_per_target: int = Field(default=10, ge=1, le=100)
    """SCPs that may be attached directly to one root, OU or account (FullAWSAccess counts)."""
    scp_max_characters: int = Field(default=10240, ge=100, le=100000)
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
    """SCPs from the library and where they are attached."""
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    """Organization trail and query layer."""
    network: list[NetworkConfig] = Field(default_factory=list)
    """Role-based security groups per workload account."""
    close_default_security_groups: bool = True
    """Strip every rule from the default security group of the default VPC, in the management account and every
    member account, in each governed region (stage security; CIS AWS Foundations 5.4). Accounts or regions without
    a default VPC are skipped. Set false only while workloads still rely on those rules; the audit (LZ-NET-004)
    keeps reporting them."""
    org_admin: OrgAdminConfig = Field(default_factory=OrgAdminConfig)
    """Administration roles under the protected /org-admin/ path."""
    access_role_name: str = "OrganizationAccountAccessRole"
    """Role the management account assumes in member accounts (created by Organizations with each account)."""
    state: StateConfig = Field(default_factory=StateConfig)
    """Pulumi state backend."""
    aws: AwsSettings = Field(default_factory=AwsSettings)
    """AWS endpoint override and profile."""
    quotas: QuotaConfig = Field(default_factory=QuotaConfig)
    """SCP quotas checked before anything is registered."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
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
        if not _IAM_NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a valid IAM role name")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> LandingZoneConfig:
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


def _ou_depths(ous: list[OrganizationalUnit], loc: str, depth: int = 1) -> Iterator[tuple[str, int, str]]:
    for i, ou in enumerate(ous):
        here = f"{loc}[{i}]"
        yield here, depth, ou.name
        yield from _ou_depths(ou.children, f"{here}.children", depth + 1)


def cross_field_problems(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """The rules that span fields. Each yields one problem naming the field and the fix."""
    # Accounts: unique names and emails, never the management account.
    seen_names: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    mgmt_email = cfg.management_account.email.lower()
    for i, acct in enumerate(cfg.accounts):
        if acct.name in seen_names:
            yield ConfigProblem(f"accounts[{i}].name", f"{acct.name!r} is already the name of accounts"
                                f"[{seen_names[acct.name]}]; account names must be unique", acct.name)
        else:
            seen_names[acct.name] = i
        email = acct.email.lower()
        if email in seen_emails:
            yield ConfigProblem(f"accounts[{i}].email", f"{acct.email!r} is already the email of accounts"
                                f"[{seen_emails[email]}]; every account needs its own email", acct.email)
        else:
            seen_emails[email] = i
        if email == mgmt_email:
            yield ConfigProblem(f"accounts[{i}].email", f"{acct.email!r} is the management account's email; the "
                                "management account runs no workloads, use a new account", acct.email)
        if acct.existing_id is not None and acct.existing_id == cfg.management_account.id:
            yield ConfigProblem(f"accounts[{i}].existing_id", f"{acct.existing_id!r} is the management account; "
                                "member accounts must be other accounts", acct.existing_id)

    # Exactly one Security account.
    security = [i for i, a in enumerate(cfg.accounts) if a.kind == AccountKind.SECURITY]
    if len(security) != 1:
        where = "accounts" if not security else f"accounts[{security[1]}].kind"
        yield ConfigProblem(where, f"exactly one account of kind 'security' is needed, found {len(security)}; "
                            "it is the delegated administrator for CloudTrail and the security services",
                            len(security))
    archives = [i for i, a in enumerate(cfg.accounts) if a.kind == AccountKind.LOG_ARCHIVE]
    if len(archives) > 1:
        yield ConfigProblem(f"accounts[{archives[1]}].kind", "at most one account of kind 'log-archive'",
                            "log-archive")

    # Production and development never share an account: the kinds are exclusive per account, but the same
    # existing account id may not appear twice (that would be one account serving both).
    by_id: dict[str, int] = {}
    for i, acct in enumerate(cfg.accounts):
        if acct.existing_id is None:
            continue
        if acct.existing_id in by_id:
            other = cfg.accounts[by_id[acct.existing_id]]
            kinds = {acct.kind, other.kind}
            if kinds == {AccountKind.PRODUCTION, AccountKind.DEVELOPMENT}:
                msg = (f"{acct.existing_id!r} is also accounts[{by_id[acct.existing_id]}] ({other.kind}); "
                       "production and development must never share an account")
            else:
                msg = f"{acct.existing_id!r} is already accounts[{by_id[acct.existing_id]}]; ids must be unique"
            yield ConfigProblem(f"accounts[{i}].existing_id", msg, acct.existing_id)
        else:
            by_id[acct.existing_id] = i

    # Management account confirmation (seed: brand-new, empty management account).
    if not cfg.management_account.new_and_empty and cfg.organization.existing_id is None:
        yield ConfigProblem("management_account.new_and_empty", "confirm that the management account is new and "
                            "runs no workloads (set to true), or adopt an existing organization with "
                            "organization.existing_id", False)
    if cfg.organization.existing_id and not cfg.organization.existing_root_id:
        yield ConfigProblem("organization.existing_root_id", "adopting an existing organization needs its root "
                            "id (r-xxxx; `aws organizations list-roots`)", None)

    # OU tree: unique sibling names, depth at most 5.
    def siblings(ous: list[OrganizationalUnit], loc: str) -> Iterator[ConfigProblem]:
        names: set[str] = set()
        for i, ou in enumerate(ous):
            if ou.name in names:
                yield ConfigProblem(f"{loc}[{i}].name", f"{ou.name!r} appears twice under the same parent", ou.name)
            names.add(ou.name)
            yield from siblings(ou.children, f"{loc}[{i}].children")

    yield from siblings(cfg.organizational_units, "organizational_units")
    for loc, depth, name in _ou_depths(cfg.organizational_units, "organizational_units"):
        if depth > MAX_OU_DEPTH:
            yield ConfigProblem(loc, f"OU {name!r} is nested {depth} levels deep; AWS Organizations allows at "
                                f"most {MAX_OU_DEPTH}", depth)
    ou_paths = {ROOT_OU, *cfg.ou_paths()}
    for i, acct in enumerate(cfg.accounts):
        if acct.ou not in ou_paths:
            yield ConfigProblem(f"accounts[{i}].ou", f"{acct.ou!r} is not an OU path; use 'Root' or one of "
                                f"{_few(sorted(ou_paths - {ROOT_OU}))}", acct.ou)

    # Guardrail targets resolve to Root, an OU or an account.
    names = {a.name for a in cfg.accounts}
    for gi, guard in enumerate(cfg.guardrails):
        for ti, target in enumerate(guard.targets):
            if target not in ou_paths and target not in names:
                yield ConfigProblem(f"guardrails[{gi}].targets[{ti}]", f"{target!r} is neither 'Root', an OU path "
                                    "nor an account name", target)

    # Guardrail ids exist in the library and their parameters validate. Imported here, not at the top: the
    # library imports this module (RenderContext.from_config), and validation runs once both are loaded.
    from landingzone.policies.catalog import guardrail_problems

    yield from guardrail_problems(cfg)

    # Regions.
    if cfg.home_region not in cfg.governed_regions:
        yield ConfigProblem("governed_regions", f"the home region {cfg.home_region!r} must be one of the "
                            "governed regions", cfg.governed_regions)

    # Logging.
    low, high = LAKE_RETENTION_RANGE
    if cfg.logging.query_layer == QueryLayer.LAKE and not low <= cfg.logging.lake_retention_days <= high:
        yield ConfigProblem("logging.lake_retention_days", f"{cfg.logging.lake_retention_days} is outside "
                            f"{low}..{high} days, the range CloudTrail Lake accepts", cfg.logging.lake_retention_days)

    # Network.
    net_accounts: set[str] = set()
    for ni, net in enumerate(cfg.network):
        loc = f"network[{ni}]"
        if net.account in net_accounts:
            yield ConfigProblem(f"{loc}.account", f"{net.account!r} has network settings twice; merge them",
                                net.account)
        net_accounts.add(net.account)
        if net.account not in names:
            yield ConfigProblem(f"{loc}.account", f"{net.account!r} is not an account name", net.account)
        elif cfg.account(net.account).kind not in WORKLOAD_KINDS:
            yield ConfigProblem(f"{loc}.account", f"{net.account!r} is a {cfg.account(net.account).kind} account; "
                                "network settings are for workload accounts", net.account)
        if (net.vpc_id is None) == (net.vpc_cidr is None):
            yield ConfigProblem(f"{loc}.vpc_id", "give exactly one of vpc_id (existing VPC) or vpc_cidr (VPC to "
                                "create)", net.vpc_id)
        role_names: set[str] = set()
        for ri, role in enumerate(net.roles):
            if role.name in role_names:
                yield ConfigProblem(f"{loc}.roles[{ri}].name", f"{role.name!r} is declared twice", role.name)
            role_names.add(role.name)
        for ri, rule in enumerate(net.rules):
            for end in ("source", "target"):
                role_name = getattr(rule, end)
                if role_name not in role_names:
                    yield ConfigProblem(f"{loc}.rules[{ri}].{end}", f"{role_name!r} is not a declared role; declare "
                                        f"it under {loc}.roles", role_name)
            if rule.to_port is not None and rule.to_port < rule.port:
                yield ConfigProblem(f"{loc}.rules[{ri}].to_port", f"{rule.to_port} is below port {rule.port}",
                                    rule.to_port)
        for ei, edge in enumerate(net.edge_ingress):
            if edge.role not in role_names:
                yield ConfigProblem(f"{loc}.edge_ingress[{ei}].role", f"{edge.role!r} is not a declared role",
                                    edge.role)
            if edge.port in ADMIN_PORTS and ipaddress.ip_network(edge.cidr).prefixlen == 0:
                yield ConfigProblem(f"{loc}.edge_ingress[{ei}].cidr", f"{edge.cidr!r} opens admin port {edge.port} "
                                    "to the whole internet; use a VPN or bastion range, or Session Manager", edge.cidr)


def _few(items: list[str], limit: int = 6) -> str:
    if not items:
        return "(no OUs are declared)"
    shown = ", ".join(repr(i) for i in items[:limit])
    return shown + (", ..." if len(items) > limit else "")


# ---- validation entry points -----------------------------------------------------------------------------------


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _problems_from_validation_error(exc: ValidationError) -> list[ConfigProblem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "extra_forbidden":
            msg = "unknown field; check its spelling (`landingzone schema` lists the fields)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        problems.append(ConfigProblem(_loc_to_path(loc), msg, err.get("input")))
    return problems


def validate_config(data: Any, *, source: str | None = None) -> LandingZoneConfig:
    """Validate a parsed document; raise ConfigError with every problem found."""
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem("", f"the configuration must be a mapping of fields, not "
                                             f"{type(data).__name__}", None)], source=source)
    try:
        return LandingZoneConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_problems_from_validation_error(exc), source=source) from None
    except ConfigError as exc:
        raise ConfigError(exc.problems, source=source) from None


# ---- YAML ------------------------------------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 110
    yaml.preserve_quotes = True
    return yaml


def _plain(node: Any) -> Any:
    """ruamel round-trip nodes -> plain Python (dict/list/scalars)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool | int | float | str) or node is None:
        if isinstance(node, str):
            return str(node)
        if isinstance(node, bool):
            return bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        return node
    return str(node)


def parse_yaml(text: str, *, source: str | None = None) -> Any:
    """Parse YAML text (round-trip, so comments survive a later save)."""
    try:
        return _yaml().load(io.StringIO(text))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([ConfigProblem("", f"{where}not valid YAML ({problem})", None)], source=source) from None
    except (ValueError, TypeError, RecursionError) as exc:  # odd scalars, deep nesting
        raise ConfigError([ConfigProblem("", f"not valid YAML ({exc})", None)], source=source) from None


def loads_config(text: str, *, source: str | None = None) -> LandingZoneConfig:
    return validate_config(_plain(parse_yaml(text, source=source)), source=source)


def load_config(path: Path | str) -> LandingZoneConfig:
    """Read and validate a configuration file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem("", f"{path} does not exist; create one with `landingzone init "
                                             "--preset medium` or the wizard (`landingzone`)")],
                          source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem("", f"cannot read {path}: {exc}")], source=str(path)) from None
    return loads_config(text, source=str(path))


def config_to_data(cfg: LandingZoneConfig) -> dict[str, Any]:
    """The configuration as plain data, without fields left at their defaults (short, readable files)."""
    data: dict[str, Any] = cfg.model_dump(mode="json", exclude_defaults=True)
    # Always write the fields a reader looks for first, even at their defaults.
    data.setdefault("home_region", cfg.home_region)
    data.setdefault("governed_regions", list(cfg.governed_regions))
    return data


def _merge_into(node: Any, value: Any) -> Any:
    """Update a round-trip node in place with new plain data so that comments on kept keys survive."""
    if isinstance(node, CommentedMap) and isinstance(value, dict):
        for key in [k for k in node if k not in value]:
            del node[key]
        for key, val in value.items():
            node[key] = _merge_into(node[key], val) if key in node else val
        return node
    if isinstance(node, CommentedSeq) and isinstance(value, list):
        for i, val in enumerate(value):
            if i < len(node):
                node[i] = _merge_into(node[i], val)
            else:
                node.append(val)
        del node[len(value):]
        return node
    return value


def dumps_config(cfg: LandingZoneConfig, *, original: str | None = None) -> str:
    """YAML text for a configuration. With the original text, its comments and key order are kept."""
    data = config_to_data(cfg)
    yaml = _yaml()
    doc: Any
    if original is not None:
        doc = parse_yaml(original)
        doc = _merge_into(doc, data) if isinstance(doc, CommentedMap) else data
    else:
        doc = data
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def save_config(cfg: LandingZoneConfig, path: Path | str) -> None:
    """Write the configuration, keeping the comments of the file it replaces."""
    path = Path(path)
    original = path.read_text(encoding="utf-8") if path.exists() else None
    path.write_text(dumps_config(cfg, original=original), encoding="utf-8")


def json_schema() -> dict[str, Any]:
    schema: dict[str, Any] = LandingZoneConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "landingzone configuration"
    return schema


def field_descriptions(model: type[BaseModel] = LandingZoneConfig) -> dict[str, str]:
    """Top-level field -> docstring, for comments in generated files and help in the wizard."""
    return {name: (info.description or "") for name, info in model.model_fields.items()}



# ---- state backend ---------------------------------------------------------------------------------------------

STATE_DIR = Path(".landingzone") / "state"


def default_backend_url(config_path: Path | str) -> str:
    """file:// in .landingzone/state beside the configuration file (absolute: the CLI runs elsewhere)."""
    return (Path(config_path).resolve().parent / STATE_DIR).as_uri()


def backend_url(cfg: LandingZoneConfig, config_path: Path | str) -> str:
    return cfg.state.backend_url or default_backend_url(config_path)


# ---- commented files -------------------------------------------------------------------------------------------


def _wrap(text: str, width: int = 100) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(" ".join(text.split()), width=width))


def commented_yaml(cfg: LandingZoneConfig, *, header: str = "landingzone configuration") -> str:
    """YAML for a configuration with each top-level field explained by its docstring (what `init` writes)."""
    data = cfg.model_dump(mode="json", exclude_defaults=True)
    for key in ("home_region", "governed_regions"):
        data.setdefault(key, getattr(cfg, key))
    order = [name for name in LandingZoneConfig.model_fields if name in data]
    doc = CommentedMap((key, data[key]) for key in order)
    docs = field_descriptions()
    for key in order:
        doc.yaml_set_comment_before_after_key(key, before="\n" + _wrap(docs.get(key, "")), indent=0)
    doc.yaml_set_start_comment(
        f"{header}\n"
        "Validate: landingzone validate --config <this file>   Schema: landingzone schema\n"
        "Fields left out take their documented defaults.")
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()
