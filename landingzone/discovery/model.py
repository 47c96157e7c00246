"""What discovery reads, as typed plain data: the audit's only input (see landingzone.discovery)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from landingzone.constants import DEFAULT_ACCESS_ROLE_NAME, DEFAULT_ORG_ADMIN_PATH
from landingzone.discovery.services import SecurityServicesView
from landingzone.discovery_identity import IamUserInfo, IdentityCenterView
from landingzone.errors import LandingZoneError
from landingzone.governance_discovery import GovernanceView

ACCESS_DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
    "AccessDeniedForDependencyException", "UnrecognizedClientException", "InvalidClientTokenId",
    "AuthFailure", "OptInRequired",
})
"""Error codes that mean "you may not see this": recorded as NotVisible."""

NOT_OFFERED_CODES = frozenset({
    "NotImplemented", "NotImplementedError", "UnsupportedOperation", "InvalidAction",
    "UnknownOperationException", "UnsupportedOperationException",
})
"""Error codes that mean "this endpoint does not offer that read" (an emulator, a partition without the service):
also recorded as NotVisible, with the code, so a gap in coverage is shown and never mistaken for a pass."""

THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException", "ServiceUnavailable", "ServiceUnavailableException", "InternalError", "InternalFailure",
    "RequestTimeout", "RequestTimeoutException",
})
"""Error codes of a read that may succeed later (throttling, a service-side failure): botocore retries them; one
still failing after the last attempt is recorded as NotVisible (reason "failed"), and the audit goes on."""

WORKLOAD_RESOURCE_TYPES = ("ec2", "lambda", "rds", "ecs", "eks", "s3", "dynamodb", "apigateway", "elb")
"""Resource types counted in the management account (practice management-account: no workloads there; CIS v7.0
2.1.3 names compute, storage, database and application services: EC2, Lambda, ECS, S3, RDS, DynamoDB, API
Gateway, load balancers). apigateway counts REST and HTTP/WebSocket APIs; elb counts Application, Network,
Gateway and Classic load balancers."""


class DiscoveryError(LandingZoneError):
    """An AWS read failed in a way that retrying cannot fix and that is not a refusal (a bad request: a bug)."""


Reason = Literal["refused", "not offered", "failed"]


@dataclass(frozen=True)
class NotVisible:
    """A read that returned nothing usable: refused (access denied), not offered by the endpoint, or failed
    (server error, throttling, time-out, unreachable endpoint) after botocore's last retry. Part of the organization
    unseen: the checks that need it say "not evaluated"."""

    service: str
    operation: str
    error_code: str
    message: str
    account_id: str | None = None
    region: str | None = None
    reason: Reason = "refused"

    @property
    def read(self) -> str:
        """``service:operation``, what a check's ``needs`` patterns match."""
        return f"{self.service}:{self.operation}"

    def __str__(self) -> str:
        where = "/".join(p for p in (self.account_id, self.region) if p)
        detail = f": {self.message}" if self.message and self.reason == "failed" else ""
        return f"{self.service}:{self.operation} in {where or 'organization'}: {self.reason}, {self.error_code}{detail}"


@dataclass(frozen=True)
class DiscoveryProgress:
    """One step of discovery, for a progress display. ``done`` of ``total`` counts per-account reads."""

    step: str
    done: int = 0
    total: int = 0
    account_id: str | None = None


ProgressCallback = Callable[[DiscoveryProgress], None]


@dataclass(frozen=True)
class DiscoveryOptions:
    """What to read and how."""

    home_region: str = "us-east-1"
    """Region of the organization trail, its bucket and its query layer."""
    regions: tuple[str, ...] = ("us-east-1",)
    """Governed regions: security groups and management-account workloads are read in each."""
    access_role_name: str = DEFAULT_ACCESS_ROLE_NAME
    """Role assumed in each member account."""
    org_admin_path: str = DEFAULT_ORG_ADMIN_PATH
    """IAM path of the organization's administration roles."""
    endpoint_url: str | None = None
    """Send every call to this endpoint (moto, LocalStack); None for AWS or for the endpoints boto3 takes from
    ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>``."""
    max_workers: int = 8
    """Accounts read at the same time."""
    max_attempts: int | None = None
    """Attempts per read (botocore's adaptive retry mode: backoff, and a client-side rate limit when AWS
    throttles). None: 5 against AWS, 2 when an endpoint override is in effect (an emulator answers a read it lacks
    with a server error every time)."""
    identity_center_region: str | None = None
    """Region of the IAM Identity Center instance; None: the home region."""


# ---- the organization ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationInfo:
    id: str
    arn: str
    feature_set: str
    management_account_id: str
    management_account_email: str


@dataclass(frozen=True)
class RootInfo:
    id: str
    name: str
    enabled_policy_types: tuple[str, ...]


@dataclass(frozen=True)
class OuInfo:
    id: str
    name: str
    parent_id: str
    path: str
    """Names from the root down, joined by "/" (the config's OU path), e.g. "Workloads/Prod"."""


@dataclass(frozen=True)
class AccountInfo:
    id: str
    name: str
    email: str
    status: str
    parent_id: str
    ou_path: str
    """"Root" for an account directly under the root, else the OU path."""
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyInfo:
    """A service control policy and the targets (root, OU or account ids) it is attached to."""

    id: str
    name: str
    aws_managed: bool
    content: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class DelegatedAdmin:
    service_principal: str
    account_id: str


# ---- logging ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrailInfo:
    name: str
    arn: str
    home_region: str
    owner_account_id: str
    is_organization_trail: bool
    is_multi_region: bool
    log_file_validation: bool
    kms_key_id: str | None
    s3_bucket: str | None
    is_logging: bool | None
    """None when the trail's status could not be read."""
    management_events: tuple[bool, bool] | None = None
    """(read events, write events) of management events the trail records, from its event selectors; None when
    they could not be read. A trail without any selector records both (AWS's default)."""


@dataclass(frozen=True)
class EventDataStoreInfo:
    arn: str
    name: str
    status: str
    organization_enabled: bool
    retention_days: int


@dataclass(frozen=True)
class BucketInfo:
    """A trail bucket as its owner account sees it."""

    name: str
    account_id: str | None
    """Owner account; None when no account we can read lists the bucket."""
    block_public_access: bool | None
    """All four Block Public Access settings on, at bucket or account level; None when not readable."""
    policy_is_public: bool | None
    acl_is_public: bool | None
    access_logging_target: str | None
    """Bucket that receives the access logs; None when access logging is off or unreadable."""
    access_logging_known: bool = True
    versioning: bool | None = None
    """Versioning enabled; None when not readable."""
    tls_only: bool | None = None
    """The bucket policy denies every request made without TLS (aws:SecureTransport false); None when not
    readable."""


@dataclass(frozen=True)
class KeyInfo:
    """A KMS key an organization trail encrypts with, as its owner account sees it."""

    arn: str
    account_id: str
    rotation_enabled: bool | None
    """Automatic rotation on; None when not readable."""


@dataclass(frozen=True)
class GlueTableInfo:
    account_id: str
    region: str
    database: str
    name: str
    location: str


@dataclass(frozen=True)
class WorkgroupInfo:
    account_id: str
    region: str
    name: str
    state: str


# ---- per account -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleInfo:
    account_id: str
    name: str
    path: str
    arn: str


@dataclass(frozen=True)
class SecurityGroupRule:
    """One permission of a security group, flattened to a single source or destination."""

    direction: str  # "ingress" | "egress"
    protocol: str  # "-1" for all
    from_port: int | None
    to_port: int | None
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    referenced_group_id: str | None = None
    prefix_list_id: str | None = None

    def covers_port(self, port: int) -> bool:
        """True when the rule admits TCP or UDP traffic to the port (all-protocol rules admit every port; CIS
        v5.0 5.3 / v7.0 6.3 count TCP (6), UDP (17) and ALL (-1))."""
        if self.protocol == "-1":
            return True
        if self.protocol not in ("tcp", "6", "udp", "17"):
            return False
        if self.from_port is None or self.to_port is None or self.from_port == -1:
            return True
        return self.from_port <= port <= self.to_port

    @property
    def ports_text(self) -> str:
        if self.protocol == "-1":
            return "all traffic"
        name = {"6": "tcp", "17": "udp", "1": "icmp"}.get(self.protocol, self.protocol)
        if self.from_port is None or self.to_port is None or self.from_port == -1:
            return f"{name} all ports"
        span = str(self.from_port) if self.from_port == self.to_port else f"{self.from_port}-{self.to_port}"
        return f"{name} {span}"


@dataclass(frozen=True)
class SecurityGroupInfo:
    account_id: str
    region: str
    group_id: str
    name: str
    vpc_id: str | None
    rules: tuple[SecurityGroupRule, ...]

    @property
    def is_default(self) -> bool:
        return self.name == "default"


@dataclass(frozen=True)
class NetworkAclEntry:
    rule_number: int
    protocol: str
    """"-1" for all, "6" TCP, "17" UDP, ..."""
    allow: bool
    egress: bool
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    from_port: int | None = None
    to_port: int | None = None
    """None: every port (protocol -1, or a protocol without ports)."""


@dataclass(frozen=True)
class ConfigRecorderInfo:
    """AWS Config in one account and region: its configuration recorder (the customer-managed one; service-linked
    recorders record for their service only) and delivery channel."""

    name: str | None
    """None: the region has no recorder."""
    recording: bool = False
    all_supported: bool = False
    """Records all supported resource types (and the new ones as AWS adds them)."""
    include_global: bool = False
    """Also records the global resource types (IAM's)."""
    delivery_bucket: str | None = None
    """The delivery channel's bucket; None: no delivery channel."""


@dataclass(frozen=True)
class NetworkAclInfo:
    account_id: str
    region: str
    acl_id: str
    vpc_id: str | None
    is_default: bool
    entries: tuple[NetworkAclEntry, ...]


@dataclass(frozen=True)
class RootUserInfo:
    """What IAM's account summary says of an account's root user."""

    mfa_enabled: bool
    access_keys_present: bool


@dataclass(frozen=True)
class VpcInfo:
    account_id: str
    region: str
    vpc_id: str
    cidrs: tuple[str, ...]


@dataclass
class AccountView:
    """What the access role shows of one account (the management account is read with the caller's session)."""

    account_id: str
    visible: bool = True
    """False when the access role could not be assumed: nothing else here was read."""
    org_admin_roles: list[RoleInfo] = field(default_factory=list)
    roles_visible: bool = True
    security_groups: list[SecurityGroupInfo] = field(default_factory=list)
    vpcs: list[VpcInfo] = field(default_factory=list)
    network_visible_regions: list[str] = field(default_factory=list)
    network_acls: list[NetworkAclInfo] = field(default_factory=list)
    root_user: RootUserInfo | None = None
    """None when the account summary could not be read."""
    bucket_names: list[str] = field(default_factory=list)
    glue_tables: list[GlueTableInfo] = field(default_factory=list)
    workgroups: list[WorkgroupInfo] = field(default_factory=list)
    iam_users: list[IamUserInfo] | None = None
    """IAM users with their console passwords and access keys; None when not readable."""
    ebs_encryption_by_default: dict[str, bool] = field(default_factory=dict)
    """Region -> EBS encryption by default on (regions whose read gave nothing usable are missing)."""
    account_public_access_block: bool | None = None
    """All four account-level S3 Block Public Access settings on; None when the read gave nothing usable."""
    imds_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Region -> the account's EC2 instance metadata defaults (HttpTokens, HttpPutResponseHopLimit, ...)."""
    config_recorders: dict[str, ConfigRecorderInfo] = field(default_factory=dict)
    """Region -> AWS Config's recorder and delivery channel there (regions whose reads gave nothing usable are
    missing)."""


@dataclass(frozen=True)
class QuotaInfo:
    code: str
    name: str
    value: float


@dataclass
class ManagementAccountView:
    """Reads that only concern the management account."""

    workloads: dict[str, int] = field(default_factory=dict)
    """Resource type (WORKLOAD_RESOURCE_TYPES) -> count over the governed regions (S3 buckets: all of them)."""
    workloads_visible: bool = True
    bucket_names: list[str] = field(default_factory=list)
    """The management account's S3 buckets (counted as workloads unless exempted: AuditSettings)."""
    iam_users: list[str] = field(default_factory=list)
    iam_users_visible: bool = True


@dataclass
class Discovery:
    """Everything discovery read. Plain data: the audit's only input."""

    options: DiscoveryOptions
    caller_account_id: str
    organization: OrganizationInfo | None = None
    """None when the caller's account is not in an organization."""
    roots: list[RootInfo] = field(default_factory=list)
    ous: list[OuInfo] = field(default_factory=list)
    accounts: list[AccountInfo] = field(default_factory=list)
    trusted_services: list[str] = field(default_factory=list)
    delegated_admins: list[DelegatedAdmin] = field(default_factory=list)
    policies: list[PolicyInfo] = field(default_factory=list)
    policies_visible: bool = True
    trails: list[TrailInfo] = field(default_factory=list)
    event_data_stores: list[EventDataStoreInfo] = field(default_factory=list)
    event_data_stores_visible: bool = True
    buckets: list[BucketInfo] = field(default_factory=list)
    trail_keys: list[KeyInfo] = field(default_factory=list)
    management: ManagementAccountView = field(default_factory=ManagementAccountView)
    account_views: dict[str, AccountView] = field(default_factory=dict)
    quotas: list[QuotaInfo] = field(default_factory=list)
    governance: GovernanceView = field(default_factory=GovernanceView)
    """Alternate contacts and centralized root access (read only from the management account)."""
    security_services: SecurityServicesView = field(default_factory=SecurityServicesView)
    """The security services as their delegated administrators see them (landingzone.discovery.services)."""
    not_visible: list[NotVisible] = field(default_factory=list)
    identity_center: IdentityCenterView | None = None
    """IAM Identity Center as the management account sees it; None when not read (the caller is not the
    management account)."""

    @property
    def management_account_id(self) -> str | None:
        return self.organization.management_account_id if self.organization else None

    @property
    def root(self) -> RootInfo | None:
        return self.roots[0] if self.roots else None

    def account(self, account_id: str) -> AccountInfo | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    def ou(self, ou_id: str) -> OuInfo | None:
        return next((o for o in self.ous if o.id == ou_id), None)

    def member_accounts(self) -> list[AccountInfo]:
        return [a for a in self.accounts if a.id != self.management_account_id and a.status == "ACTIVE"]

    def ancestors(self, target_id: str) -> list[str]:
        """Ids from the root down to (and including) a target: root, OUs..., target."""
        chain = [target_id]
        parents = {o.id: o.parent_id for o in self.ous} | {a.id: a.parent_id for a in self.accounts}
        current = target_id
        while current in parents:
            current = parents[current]
            chain.append(current)
        return list(reversed(chain))

    def policies_on(self, target_id: str) -> list[PolicyInfo]:
        return [p for p in self.policies if target_id in p.targets]

    def delegated_admins_for(self, service_principal: str) -> list[str]:
        return [d.account_id for d in self.delegated_admins if d.service_principal == service_principal]




def iter_not_visible(found: Discovery) -> Iterator[NotVisible]:
    """Reads that gave nothing usable, in a stable order (for reports)."""
    yield from sorted(found.not_visible, key=lambda n: (n.account_id or "", n.region or "", n.service, n.operation))
