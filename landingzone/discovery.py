"""What exists already: read an AWS organization with boto3 into typed, plain data.

The audit (landingzone/audit/) only ever sees the :class:`Discovery` this module returns, so every check can be
tested by feeding data in. Rules this module follows:

- The boto3 ``Session`` is injected (:func:`discover` takes it); nothing here creates a client at import time.
- Every list call goes through a paginator where the API has one.
- Per-account reads (org-admin roles, security groups, buckets, query layer) run through the access role
  (``arn:aws:iam::<id>:role/<access_role_name>``) in a bounded thread pool.
- Access denied is data, not silence: the read that was refused is recorded as :class:`NotVisible` (account,
  region, service, operation, error code) and the report shows it. Any other AWS error is raised as a
  :class:`DiscoveryError` naming the read that failed.
- A progress callback is told about each step, from the calling thread (never from a worker thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from landingzone.constants import DEFAULT_ACCESS_ROLE_NAME, DEFAULT_ORG_ADMIN_PATH
from landingzone.errors import LandingZoneError

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

WORKLOAD_KINDS = ("ec2", "lambda", "rds", "ecs", "eks")
"""Resource kinds counted in the management account (seed: no workloads there)."""


class DiscoveryError(LandingZoneError):
    """An AWS read failed for a reason other than access denied."""


@dataclass(frozen=True)
class NotVisible:
    """A read the credentials were refused (or the endpoint does not offer): part of the organization unseen."""

    service: str
    operation: str
    error_code: str
    message: str
    account_id: str | None = None
    region: str | None = None

    def __str__(self) -> str:
        where = "/".join(p for p in (self.account_id, self.region) if p)
        return f"{self.service}:{self.operation} in {where or 'organization'}: {self.error_code}"


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
    """Send every call to this endpoint (moto, LocalStack); None for AWS."""
    max_workers: int = 8
    """Accounts read at the same time."""


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
        if self.protocol == "-1" or self.from_port is None or self.to_port is None:
            return True
        if self.protocol not in ("tcp", "6"):
            return False
        return self.from_port <= port <= self.to_port or self.from_port == -1


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
    bucket_names: list[str] = field(default_factory=list)
    glue_tables: list[GlueTableInfo] = field(default_factory=list)
    workgroups: list[WorkgroupInfo] = field(default_factory=list)
    ebs_encryption_by_default: dict[str, bool] = field(default_factory=dict)
    """Region -> EBS encryption by default on (regions whose read was refused are missing)."""
    account_public_access_block: bool | None = None
    """All four account-level S3 Block Public Access settings on; None when the read was refused."""
    imds_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Region -> the account's EC2 instance metadata defaults (HttpTokens, HttpPutResponseHopLimit, ...)."""


@dataclass(frozen=True)
class QuotaInfo:
    code: str
    name: str
    value: float


@dataclass
class ManagementAccountView:
    """Reads that only concern the management account."""

    workloads: dict[str, int] = field(default_factory=dict)
    """Resource kind -> count over the governed regions (ec2, lambda, rds, ecs, eks)."""
    workloads_visible: bool = True
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
    management: ManagementAccountView = field(default_factory=ManagementAccountView)
    account_views: dict[str, AccountView] = field(default_factory=dict)
    quotas: list[QuotaInfo] = field(default_factory=list)
    not_visible: list[NotVisible] = field(default_factory=list)

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


# ---- reading ---------------------------------------------------------------------------------------------------


_CLIENT_LOCK = threading.Lock()


class _Reader:
    """Calls AWS for one account; refused reads become NotVisible, other errors DiscoveryError."""

    def __init__(self, session: boto3.Session, account_id: str, options: DiscoveryOptions,
                 sink: list[NotVisible], lock: threading.Lock, credentials: Mapping[str, str] | None = None) -> None:
        self.session = session
        self.credentials = dict(credentials or {})
        """Assumed-role credentials for a member account; empty for the session's own account."""
        self.account_id = account_id
        self.options = options
        self._sink = sink
        self._lock = lock
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.options.home_region
        key = (service, region)
        if key not in self._clients:
            # One boto3 session for every account (member credentials are passed per client), so service models
            # are loaded once; a boto3 session is not thread-safe, hence the lock around client creation.
            with _CLIENT_LOCK:
                self._clients[key] = self.session.client(
                    service, region_name=region, endpoint_url=self.options.endpoint_url,
                    config=_client_config(self.options), **self.credentials)
            if service == "s3control" and self.options.endpoint_url is not None:
                self._clients[key].meta.events.register("before-send.s3-control", self._single_host)
        return self._clients[key]

    def _single_host(self, request: Any, **_: Any) -> None:
        """S3 Control puts the account id in the host name (<id>.endpoint); an emulator has one host."""
        request.url = request.url.replace(f"//{self.account_id}.", "//", 1)

    def refused(self, exc: ClientError, service: str, operation: str, region: str | None) -> bool:
        """Record a refused read and return True; return False for any other error (the caller raises)."""
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        # An emulator (endpoint override) answers reads it does not implement with a server error; against AWS
        # a server error is a real failure and is raised.
        emulator_gap = self.options.endpoint_url is not None and isinstance(status, int) and status >= 500
        if code in ACCESS_DENIED_CODES or code in NOT_OFFERED_CODES or status == 501 or emulator_gap:
            message = str(exc.response.get("Error", {}).get("Message", "")).splitlines()[0][:200] \
                if exc.response.get("Error", {}).get("Message") else ""
            if emulator_gap:
                code, message = f"HTTP {status}", "the endpoint does not implement this read"
            with self._lock:
                self._sink.append(NotVisible(service, operation, code or f"HTTP {status}", message,
                                             self.account_id, region))
            return True
        return False

    def call(self, service: str, operation: str, region: str | None = None, **kwargs: Any) -> dict[str, Any] | None:
        """One call; None when refused (recorded)."""
        try:
            result: dict[str, Any] = getattr(self.client(service, region), operation)(**kwargs)
            return result
        except ClientError as exc:
            if self.refused(exc, service, operation, region):
                return None
            raise _error(exc, service, operation, self.account_id, region) from exc

    def pages(self, service: str, operation: str, key: str, region: str | None = None,
              **kwargs: Any) -> list[Any] | None:
        """Every item under ``key`` across all pages; None when refused (recorded)."""
        items: list[Any] = []
        client = self.client(service, region)
        try:
            if client.can_paginate(operation):
                for page in client.get_paginator(operation).paginate(**kwargs):
                    items.extend(page.get(key, []))
            else:  # a few list calls have no paginator in botocore (athena list_work_groups): follow NextToken
                token: dict[str, str] = {}
                while True:
                    page = getattr(client, operation)(**kwargs, **token)
                    items.extend(page.get(key, []))
                    if not page.get("NextToken"):
                        break
                    token = {"NextToken": page["NextToken"]}
        except ClientError as exc:
            if self.refused(exc, service, operation, region):
                return None
            raise _error(exc, service, operation, self.account_id, region) from exc
        return items


def _client_config(options: DiscoveryOptions) -> Config:
    # An emulator answers at once or not at all: no retries there (a read it lacks would be retried in vain).
    return Config(retries={"max_attempts": 1 if options.endpoint_url else 5, "mode": "standard"})


def _error(exc: ClientError, service: str, operation: str, account_id: str | None,
           region: str | None) -> DiscoveryError:
    code = exc.response.get("Error", {}).get("Code", "?")
    message = exc.response.get("Error", {}).get("Message", "")
    where = "/".join(p for p in (account_id, region) if p)
    return DiscoveryError(f"discovery: {service}:{operation} in {where} failed: {code}: {message}")


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _sts_client(session: boto3.Session, options: DiscoveryOptions) -> Any:
    return session.client("sts", region_name=options.home_region, endpoint_url=options.endpoint_url,
                          config=_client_config(options))


def discover(session: boto3.Session, options: DiscoveryOptions | None = None, *,
             on_progress: ProgressCallback | None = None) -> Discovery:
    """Read the organization the session's account manages (or belongs to).

    ``session`` holds the management account's credentials (the standard chain or a profile); member accounts
    are read through ``options.access_role_name``.
    """
    options = options or DiscoveryOptions()
    notify = on_progress or (lambda _p: None)
    sink: list[NotVisible] = []
    lock = threading.Lock()
    sts = _sts_client(session, options)
    caller = sts.get_caller_identity()["Account"]
    mgmt = _Reader(session, caller, options, sink, lock)
    found = Discovery(options=options, caller_account_id=caller, not_visible=sink)

    notify(DiscoveryProgress("organization"))
    _read_organization(mgmt, found)
    if found.organization is not None:
        notify(DiscoveryProgress("service control policies"))
        _read_policies(mgmt, found)
    notify(DiscoveryProgress("trails"))
    _read_trails(mgmt, found)
    notify(DiscoveryProgress("management account"))
    _read_management(mgmt, found)
    _read_quotas(mgmt, found)

    # Per-account reads: the management account with the caller's session, members through the access role.
    accounts = [a.id for a in found.member_accounts()] if found.organization else []
    if found.organization is None or caller == found.management_account_id:
        accounts.insert(0, caller)
    total = len(accounts)
    notify(DiscoveryProgress("accounts", 0, total))
    with ThreadPoolExecutor(max_workers=max(1, options.max_workers), thread_name_prefix="discovery") as pool:
        futures = {pool.submit(_read_account, session, sts, acct, caller, options, sink, lock): acct
                   for acct in accounts}
        for done, future in enumerate(as_completed(futures), start=1):
            view = future.result()  # a DiscoveryError from a worker propagates here
            found.account_views[view.account_id] = view
            notify(DiscoveryProgress("accounts", done, total, view.account_id))

    notify(DiscoveryProgress("trail buckets"))
    _read_trail_buckets(session, sts, found, options, sink, lock)
    notify(DiscoveryProgress("done", total, total))
    return found


def _describe_organization(r: _Reader) -> OrganizationInfo | None:
    """The caller's organization; None when it is in none, or when the read was refused (recorded)."""
    try:
        org = r.client("organizations").describe_organization()["Organization"]
    except ClientError as exc:
        if _error_code(exc) == "AWSOrganizationsNotInUseException":
            return None
        if r.refused(exc, "organizations", "describe_organization", None):
            return None
        raise _error(exc, "organizations", "describe_organization", r.account_id, None) from exc
    return OrganizationInfo(
        id=org["Id"], arn=org["Arn"], feature_set=org.get("FeatureSet", ""),
        management_account_id=org.get("MasterAccountId", ""),
        management_account_email=org.get("MasterAccountEmail", ""))


def _read_organization(r: _Reader, found: Discovery) -> None:
    found.organization = _describe_organization(r)
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

    Uses only ``options.home_region`` and ``options.endpoint_url``. Refused reads are recorded in
    ``not_visible``; any other AWS error raises :class:`DiscoveryError`, as in :func:`discover`.
    """
    options = options or DiscoveryOptions()
    identity = _sts_client(session, options).get_caller_identity()
    sink: list[NotVisible] = []
    r = _Reader(session, str(identity["Account"]), options, sink, threading.Lock())
    organization = _describe_organization(r)
    if organization is None:
        return OrganizationSummary(r.account_id, str(identity["Arn"]), not_visible=sink)
    roots = r.pages("organizations", "list_roots", "Roots")
    accounts = r.pages("organizations", "list_accounts", "Accounts")
    return OrganizationSummary(
        r.account_id, str(identity["Arn"]), organization,
        root_id=roots[0]["Id"] if roots else None,
        account_count=None if accounts is None else len(accounts),
        not_visible=sink)


def _read_policies(r: _Reader, found: Discovery) -> None:
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


def _read_trails(r: _Reader, found: Discovery) -> None:
    home = r.options.home_region
    # Each region lists the trails whose home it is; multi-region trails also show as shadow trails elsewhere,
    # so ask each governed region for its own trails only and keep one record per ARN.
    listed: dict[str, dict[str, Any]] = {}
    for region in dict.fromkeys((home, *r.options.regions)):
        answer = r.call("cloudtrail", "describe_trails", region, includeShadowTrails=False)
        for trail in (answer or {}).get("trailList", []):
            listed.setdefault(trail["TrailARN"], trail)
    for trail in listed.values():
        region = trail.get("HomeRegion", home)
        status = r.call("cloudtrail", "get_trail_status", region, Name=trail["TrailARN"])
        found.trails.append(TrailInfo(
            name=trail["Name"], arn=trail["TrailARN"], home_region=region,
            owner_account_id=trail["TrailARN"].split(":")[4],
            is_organization_trail=bool(trail.get("IsOrganizationTrail")),
            is_multi_region=bool(trail.get("IsMultiRegionTrail")),
            log_file_validation=bool(trail.get("LogFileValidationEnabled")),
            kms_key_id=trail.get("KmsKeyId"), s3_bucket=trail.get("S3BucketName"),
            is_logging=None if status is None else bool(status.get("IsLogging"))))
    stores = r.pages("cloudtrail", "list_event_data_stores", "EventDataStores", home)
    if stores is None:
        found.event_data_stores_visible = False
        return
    for store in stores:
        detail = r.call("cloudtrail", "get_event_data_store", home, EventDataStore=store["EventDataStoreArn"]) or store
        found.event_data_stores.append(EventDataStoreInfo(
            arn=store["EventDataStoreArn"], name=store.get("Name", ""), status=detail.get("Status", ""),
            organization_enabled=bool(detail.get("OrganizationEnabled")),
            retention_days=int(detail.get("RetentionPeriod", 0))))


def _read_management(r: _Reader, found: Discovery) -> None:
    view = found.management
    users = r.pages("iam", "list_users", "Users")
    if users is None:
        view.iam_users_visible = False
    else:
        view.iam_users = [u["UserName"] for u in users]
    counts = dict.fromkeys(WORKLOAD_KINDS, 0)
    for region in r.options.regions:
        reservations = r.pages("ec2", "describe_instances", "Reservations", region, Filters=[
            {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}])
        functions = r.pages("lambda", "list_functions", "Functions", region)
        databases = r.pages("rds", "describe_db_instances", "DBInstances", region)
        clusters = r.pages("ecs", "list_clusters", "clusterArns", region)
        eks = r.pages("eks", "list_clusters", "clusters", region)
        for kind, items in (("lambda", functions), ("rds", databases), ("ecs", clusters), ("eks", eks)):
            if items is None:
                view.workloads_visible = False
            else:
                counts[kind] += len(items)
        if reservations is None:
            view.workloads_visible = False
        else:
            counts["ec2"] += sum(len(res.get("Instances", [])) for res in reservations)
    view.workloads = counts


def _read_quotas(r: _Reader, found: Discovery) -> None:
    """Organizations quotas Service Quotas exposes (informational; the audit prints them)."""
    quotas = r.pages("service-quotas", "list_service_quotas", "Quotas", ServiceCode="organizations")
    if quotas is None:
        return
    found.quotas = [QuotaInfo(q["QuotaCode"], q.get("QuotaName", ""), float(q.get("Value", 0))) for q in quotas]


def _member_credentials(sts: Any, account_id: str, caller: str, options: DiscoveryOptions,
                        sink: list[NotVisible], lock: threading.Lock) -> dict[str, str] | None:
    """{} for the caller's own account; access-role credentials for a member; None when refused (recorded)."""
    if account_id == caller:
        return {}
    role_arn = f"arn:aws:iam::{account_id}:role/{options.access_role_name}"
    try:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="landingzone-audit")["Credentials"]
    except ClientError as exc:
        code = _error_code(exc)
        if code in ACCESS_DENIED_CODES or code == "AccessDenied":
            with lock:
                sink.append(NotVisible("sts", "assume_role", code, f"cannot assume {role_arn}", account_id, None))
            return None
        raise _error(exc, "sts", "assume_role", account_id, None) from exc
    return {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}


def _read_account(session: boto3.Session, sts: Any, account_id: str, caller: str, options: DiscoveryOptions,
                  sink: list[NotVisible], lock: threading.Lock) -> AccountView:
    view = AccountView(account_id)
    creds = _member_credentials(sts, account_id, caller, options, sink, lock)
    if creds is None:
        view.visible = False
        view.roles_visible = False
        return view
    r = _Reader(session, account_id, options, sink, lock, creds)
    roles = r.pages("iam", "list_roles", "Roles", PathPrefix=options.org_admin_path)
    if roles is None:
        view.roles_visible = False
    else:
        view.org_admin_roles = [RoleInfo(account_id, role["RoleName"], role.get("Path", "/"), role["Arn"])
                                for role in roles]
    for region in options.regions:
        groups = r.pages("ec2", "describe_security_groups", "SecurityGroups", region)
        vpcs = r.pages("ec2", "describe_vpcs", "Vpcs", region)
        if groups is None or vpcs is None:
            continue
        view.network_visible_regions.append(region)
        view.security_groups.extend(_security_group(account_id, region, g) for g in groups)
        view.vpcs.extend(VpcInfo(account_id, region, v["VpcId"], tuple(
            [v["CidrBlock"]] + [a["CidrBlock"] for a in v.get("CidrBlockAssociationSet", [])
                                if a.get("CidrBlock") and a["CidrBlock"] != v["CidrBlock"]])) for v in vpcs)
    view.bucket_names = [b["Name"] for b in r.pages("s3", "list_buckets", "Buckets") or []]
    home = options.home_region
    for db in r.pages("glue", "get_databases", "DatabaseList", home) or []:
        for table in r.pages("glue", "get_tables", "TableList", home, DatabaseName=db["Name"]) or []:
            location = table.get("StorageDescriptor", {}).get("Location", "")
            view.glue_tables.append(GlueTableInfo(account_id, home, db["Name"], table["Name"], location))
    for wg in r.pages("athena", "list_work_groups", "WorkGroups", home) or []:
        view.workgroups.append(WorkgroupInfo(account_id, home, wg["Name"], wg.get("State", "")))
    _read_account_settings(r, view, options)
    return view


def _call_or_gap(r: _Reader, service: str, operation: str, region: str) -> dict[str, Any] | None:
    """As _Reader.call; an emulator (endpoint override) that answers a read it lacks with an HTML error page
    (botocore cannot parse it) is recorded as not visible, like its other gaps."""
    try:
        return r.call(service, operation, region)
    except ResponseParserError:
        if r.options.endpoint_url is None:
            raise
        with r._lock:
            r._sink.append(NotVisible(service, operation, "HTTP 500", "the endpoint does not implement this read",
                                      r.account_id, region))
        return None


def _read_account_settings(r: _Reader, view: AccountView, options: DiscoveryOptions) -> None:
    """The account-level settings of stage baseline: EBS encryption by default and IMDS defaults per governed
    region, S3 Block Public Access for the account."""
    for region in options.regions:
        ebs = r.call("ec2", "get_ebs_encryption_by_default", region)
        if ebs is not None:
            view.ebs_encryption_by_default[region] = bool(ebs.get("EbsEncryptionByDefault"))
        imds = _call_or_gap(r, "ec2", "get_instance_metadata_defaults", region)
        if imds is not None:
            view.imds_defaults[region] = dict(imds.get("AccountLevel") or {})
    readable, block = _optional(r, "s3control", "get_public_access_block", {"NoSuchPublicAccessBlockConfiguration"},
                                AccountId=view.account_id)
    if readable:
        view.account_public_access_block = _public_access_block_on(
            (block or {}).get("PublicAccessBlockConfiguration"))


def _security_group(account_id: str, region: str, group: Mapping[str, Any]) -> SecurityGroupInfo:
    rules: list[SecurityGroupRule] = []
    for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        for perm in group.get(key, []):
            base = {"direction": direction, "protocol": str(perm.get("IpProtocol", "-1")),
                    "from_port": perm.get("FromPort"), "to_port": perm.get("ToPort")}
            rules.extend(SecurityGroupRule(**base, cidr_ipv4=ip["CidrIp"]) for ip in perm.get("IpRanges", []))
            rules.extend(SecurityGroupRule(**base, cidr_ipv6=ip["CidrIpv6"]) for ip in perm.get("Ipv6Ranges", []))
            rules.extend(SecurityGroupRule(**base, referenced_group_id=p.get("GroupId"))
                         for p in perm.get("UserIdGroupPairs", []))
            rules.extend(SecurityGroupRule(**base, prefix_list_id=p.get("PrefixListId"))
                         for p in perm.get("PrefixListIds", []))
    return SecurityGroupInfo(account_id, region, group["GroupId"], group.get("GroupName", ""), group.get("VpcId"),
                             tuple(rules))


def _read_trail_buckets(session: boto3.Session, sts: Any, found: Discovery, options: DiscoveryOptions,
                        sink: list[NotVisible], lock: threading.Lock) -> None:
    """Read each organization trail's bucket from the account that owns it (found through list_buckets)."""
    owners = {name: view.account_id for view in found.account_views.values() for name in view.bucket_names}
    names = sorted({t.s3_bucket for t in found.trails if t.is_organization_trail and t.s3_bucket})
    for name in names:
        owner = owners.get(name)
        if owner is None:
            found.buckets.append(BucketInfo(name, None, None, None, None, None, access_logging_known=False))
            continue
        creds = _member_credentials(sts, owner, found.caller_account_id, options, sink, lock)
        if creds is None:  # refused now although the account view was read moments ago: recorded, not read
            continue
        r = _Reader(session, owner, options, sink, lock, creds)
        found.buckets.append(_bucket(r, name, owner))


def _public_access_block_on(config: Mapping[str, Any] | None) -> bool:
    keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    return config is not None and all(bool(config.get(k)) for k in keys)


def _optional(r: _Reader, service: str, operation: str, absent: set[str], **kwargs: Any) -> tuple[bool, Any]:
    """(readable, result): result None when the thing is absent (an expected error code), readable False when
    refused (recorded)."""
    try:
        return True, getattr(r.client(service), operation)(**kwargs)
    except ClientError as exc:
        if _error_code(exc) in absent:
            return True, None
        if r.refused(exc, service, operation, r.options.home_region):
            return False, None
        raise _error(exc, service, operation, r.account_id, r.options.home_region) from exc


def _bucket(r: _Reader, name: str, owner: str) -> BucketInfo:
    ok_b, bucket_pab = _optional(r, "s3", "get_public_access_block", {"NoSuchPublicAccessBlockConfiguration"},
                                 Bucket=name)
    ok_a, account_pab = _optional(r, "s3control", "get_public_access_block",
                                  {"NoSuchPublicAccessBlockConfiguration"}, AccountId=owner)
    block: bool | None = None
    if _public_access_block_on((bucket_pab or {}).get("PublicAccessBlockConfiguration")) or \
            _public_access_block_on((account_pab or {}).get("PublicAccessBlockConfiguration")):
        block = True
    elif ok_b and ok_a:
        block = False
    ok_p, status = _optional(r, "s3", "get_bucket_policy_status", {"NoSuchBucketPolicy"}, Bucket=name)
    policy_public = (bool(status["PolicyStatus"].get("IsPublic")) if status else False) if ok_p else None
    ok_acl, acl = _optional(r, "s3", "get_bucket_acl", set(), Bucket=name)
    acl_public: bool | None = None
    if ok_acl and acl is not None:
        public_groups = ("/global/AllUsers", "/global/AuthenticatedUsers")
        acl_public = any(g.get("Grantee", {}).get("URI", "").endswith(public_groups) for g in acl.get("Grants", []))
    ok_log, logging = _optional(r, "s3", "get_bucket_logging", set(), Bucket=name)
    target = (logging or {}).get("LoggingEnabled", {}).get("TargetBucket") if ok_log else None
    return BucketInfo(name, owner, block, policy_public, acl_public, target, access_logging_known=ok_log)


def iter_not_visible(found: Discovery) -> Iterator[NotVisible]:
    """Refused reads, in a stable order (for reports)."""
    yield from sorted(found.not_visible, key=lambda n: (n.account_id or "", n.region or "", n.service, n.operation))
