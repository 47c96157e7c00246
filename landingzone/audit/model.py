"""The audit's vocabulary: practices, check metadata, findings, and the context a check reads.

A check is a plain function from an :class:`AuditContext` (discovered data plus a little interpretation) to the
issues it found; its metadata (stable id, severity, rationale, remediation, practice, CIS and NIST ids) is
data on the :class:`Check` next to it, registered with :func:`check`. Nothing here calls AWS.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from landingzone.config import AccountKind, LandingZoneConfig
from landingzone.constants import DEFAULT_ORG_ADMIN_PATH
from landingzone.discovery import AccountInfo, Discovery, NotVisible


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]


class Practice(StrEnum):
    """The practices of docs/practices.md (their ids are its headings), which the landing zone implements and the
    audit checks."""

    SEPARATE_ENVIRONMENTS = "separate-environments"
    MANAGEMENT_ACCOUNT = "management-account"
    ORGANIZATIONS = "organizations"
    DELEGATED_SECURITY = "delegated-security-admin"
    ORGANIZATION_TRAIL = "organization-trail"
    TRAIL_QUERY = "trail-query-layer"
    OUS_WITH_SCPS = "ous-with-scps"
    ORG_ADMIN_ROLES = "org-admin-roles"
    SECURITY_GROUPS = "security-group-references"
    ROOT_ACCESS = "root-access"
    ACCOUNT_GOVERNANCE = "account-governance"
    SECURITY_SERVICES = "security-services"
    PEOPLE_THROUGH_IDENTITY_CENTER = "people-through-identity-center"
    ACCOUNT_BASELINE = "account-baseline"

    @property
    def label(self) -> str:
        return PRACTICE_TITLES[self]


PRACTICE_TITLES: dict[Practice, str] = {
    Practice.SEPARATE_ENVIRONMENTS: "Production and development in separate accounts",
    Practice.MANAGEMENT_ACCOUNT: "A new, empty management account with minimal access",
    Practice.ORGANIZATIONS: "AWS Organizations with all features manages the accounts",
    Practice.DELEGATED_SECURITY: "A Security account is delegated administrator for security services",
    Practice.ORGANIZATION_TRAIL: "An organization-wide CloudTrail trail into a central, protected bucket",
    Practice.TRAIL_QUERY: "CloudTrail is queryable beyond the 90-day event history (Athena or Lake)",
    Practice.OUS_WITH_SCPS: "Accounts grouped in OUs that carry SCPs",
    Practice.ORG_ADMIN_ROLES: "Admin roles under /org-admin/, protected by an SCP",
    Practice.SECURITY_GROUPS: "Security groups by workload role that reference each other",
    Practice.ROOT_ACCESS: "Member accounts without root credentials (centralized root access)",
    Practice.ACCOUNT_GOVERNANCE: "Contacts, regions and budgets for every account",
    Practice.SECURITY_SERVICES: "Security services on organization-wide, findings reach people",
    Practice.PEOPLE_THROUGH_IDENTITY_CENTER: "People sign in through IAM Identity Center",
    Practice.ACCOUNT_BASELINE: "Every account gets the same hardening (EBS encryption, S3 Block Public Access, IMDSv2)",
}


@dataclass(frozen=True)
class Cis:
    """CIS AWS Foundations Benchmark ids, per version, where the benchmark has the control."""

    v3: str | None = None
    v5: str | None = None
    v7: str | None = None

    def as_dict(self) -> dict[str, str]:
        pairs = (("v3.0", self.v3), ("v5.0", self.v5), ("v7.0", self.v7))
        return {version: cid for version, cid in pairs if cid}


@dataclass(frozen=True)
class Issue:
    """What a check found wrong about one resource."""

    resource: str
    """ARN or id of what is wrong (organization id, account id, trail ARN, security group id, ...)."""
    message: str
    account_id: str | None = None
    region: str | None = None


CheckFunction = Callable[["AuditContext"], Iterable[Issue]]
Needs = tuple[str, ...] | Callable[["AuditContext"], tuple[str, ...]]
"""The reads a check depends on, as ``service:operation`` patterns (fnmatch wildcards), optionally
``@management`` to count only the management account's reads; or a function of the context that returns them
(for a check whose needs depend on what was found)."""


@dataclass(frozen=True)
class Check:
    id: str
    """Stable id, LZ-<FAMILY>-<NNN>: never reused for another meaning."""
    title: str
    severity: Severity
    practice: Practice
    rationale: str
    remediation: str
    """What fixes it: the landingzone.yaml field or stage, and the AWS action for an organization not built by
    this tool."""
    family: str
    cis: Cis = field(default_factory=Cis)
    nist: tuple[str, ...] = ()
    run: CheckFunction | None = None
    applies: Callable[[AuditContext], bool] | None = None
    """When given and false, the check is not applicable (it neither passes nor fails)."""
    needs: Needs = ()
    """Reads the check depends on: when one of them gave nothing usable, the check cannot pass ("not
    evaluated" unless it found something anyway) and the audit is incomplete."""

    def needed(self, ctx: AuditContext) -> tuple[str, ...]:
        return self.needs(ctx) if callable(self.needs) else self.needs


@dataclass(frozen=True)
class Finding:
    check: Check
    issue: Issue

    @property
    def id(self) -> str:
        return self.check.id

    @property
    def severity(self) -> Severity:
        return self.check.severity


REGISTRY: dict[str, Check] = {}
_ID_RE = re.compile(r"^LZ-[A-Z]{3,4}-\d{3}$")


def check(*, id: str, title: str, severity: Severity, practice: Practice, rationale: str, remediation: str,  # noqa: A002
          cis: Cis | None = None, nist: tuple[str, ...] = (),
          applies: Callable[[AuditContext], bool] | None = None,
          needs: Needs = ()) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function with its metadata."""
    if not _ID_RE.match(id):
        raise ValueError(f"{id!r} is not a check id (LZ-XXX-NNN, a family of three or four letters)")

    def register(fn: CheckFunction) -> CheckFunction:
        if id in REGISTRY:
            raise ValueError(f"check id {id} is registered twice")
        family = fn.__module__.rsplit(".", 1)[-1]
        REGISTRY[id] = Check(id=id, title=title, severity=severity, practice=practice, rationale=rationale,
                             remediation=remediation, family=family, cis=cis or Cis(), nist=nist, run=fn,
                             applies=applies, needs=needs)
        return fn

    return register


# ---- context ---------------------------------------------------------------------------------------------------

_KIND_WORDS: tuple[tuple[AccountKind, tuple[str, ...]], ...] = (
    (AccountKind.LOG_ARCHIVE, ("log-archive", "logarchive", "log archive", "logging")),
    (AccountKind.SECURITY, ("security", "audit")),
    (AccountKind.SHARED_SERVICES, ("shared-services", "shared services", "shared", "infrastructure", "network")),
    (AccountKind.SANDBOX, ("sandbox",)),
    (AccountKind.DEVELOPMENT, ("nonprod", "non-prod", "development", "dev", "staging", "test", "qa")),
    (AccountKind.PRODUCTION, ("production", "prod", "prd")),
)


def guess_kind(name: str) -> AccountKind:
    """An account's kind from its name, when no configuration names it: first matching word wins, so
    "nonprod" is development before "prod" is production. Anything else is a workload."""
    lowered = name.lower()
    tokens = set(re.split(r"[^a-z0-9]+", lowered))
    for kind, words in _KIND_WORDS:
        for word in words:
            if (" " in word or "-" in word) and word in lowered:
                return kind
            if word in tokens:
                return kind
    return AccountKind.WORKLOAD


@dataclass(frozen=True)
class AuditSettings:
    """Thresholds and expectations that are not in the discovered data."""

    max_management_iam_users: int = 2
    """More IAM users than this in the management account is a finding (break-glass users only)."""
    org_admin_path: str = DEFAULT_ORG_ADMIN_PATH
    security_service_principals: tuple[str, ...] = (
        "cloudtrail.amazonaws.com", "guardduty.amazonaws.com", "securityhub.amazonaws.com", "config.amazonaws.com",
        "access-analyzer.amazonaws.com", "macie.amazonaws.com", "inspector2.amazonaws.com",
        "detective.amazonaws.com")
    """Security services whose delegated administrator must be the Security account when they are enabled."""
    enabled_security_services: tuple[str, ...] = ("guardduty", "securityhub", "config", "access-analyzer")
    """Services that must be on for every account in every governed region (security_services.*.enabled; the
    defaults when no configuration is given)."""
    guardduty_protection_plans: tuple[str, ...] = (
        "S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS")
    """GuardDuty protection plans that must be auto-enabled for ALL accounts."""
    securityhub_standards: tuple[str, ...] = (
        "aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/5.0.0")
    """Security Hub standards the root's configuration policy must enable (the end of their ARNs)."""
    governed_regions: tuple[str, ...] | None = None
    """The regions workloads may use (governed_regions in the configuration, or --region); None when none is
    configured, and the region-deny check does not apply."""
    exempt_buckets: tuple[str, ...] = ()
    """Buckets of the management account that are not workloads: the landing zone's own state bucket."""
    break_glass_groups: tuple[str, ...] | None = None
    """Groups that may be assigned to the management account (identity_center.break_glass_group); None without
    a configuration: groups named break-glass."""
    break_glass_iam_users: frozenset[tuple[str, str]] = frozenset()
    """(account name or id, user name) of IAM users kept on purpose (identity_center.break_glass_iam_users)."""


def state_buckets(cfg: LandingZoneConfig) -> tuple[str, ...]:
    """The S3 bucket of an s3:// state backend, which may live in the management account without being a
    workload."""
    url = cfg.state.backend_url or ""
    if not url.startswith("s3://"):
        return ()
    return (url[len("s3://"):].split("/", 1)[0].split("?", 1)[0],)


def _access_settings(cfg: LandingZoneConfig) -> dict[str, Any]:
    ic = cfg.identity_center
    if ic is None:
        return {}
    return {"break_glass_groups": (ic.break_glass_group,) if ic.break_glass_group else (),
            "break_glass_iam_users": frozenset((u.account, u.user_name) for u in ic.break_glass_iam_users)}


class AuditContext:
    """Discovered data, plus what the checks need to interpret it (account kinds, settings)."""

    def __init__(self, found: Discovery, *, kinds: Mapping[str, AccountKind] | None = None,
                 settings: AuditSettings | None = None) -> None:
        self.found = found
        self.settings = settings or AuditSettings(org_admin_path=found.options.org_admin_path)
        self.kinds: dict[str, AccountKind] = {a.id: guess_kind(a.name) for a in found.member_accounts()}
        self.kinds.update(kinds or {})

    @classmethod
    def from_config(cls, found: Discovery, cfg: LandingZoneConfig) -> AuditContext:
        """Account kinds from the configuration (by existing id, else by name); names it lacks are guessed."""
        by_name = {a.name: a.kind for a in cfg.accounts}
        by_id = {a.existing_id: a.kind for a in cfg.accounts if a.existing_id}
        kinds: dict[str, AccountKind] = {}
        for acct in found.member_accounts():
            kind = by_id.get(acct.id) or by_name.get(acct.name)
            if kind is not None:
                kinds[acct.id] = kind
        settings = AuditSettings(
            org_admin_path=cfg.org_admin.path,
            security_service_principals=tuple(s.service_principal for s in cfg.organization.security_services)
            if cfg.organization.security_services else AuditSettings().security_service_principals,
            enabled_security_services=tuple(cfg.security_services.enabled_services()),
            guardduty_protection_plans=tuple(p.value for p in cfg.security_services.guardduty.protection_plans),
            securityhub_standards=tuple(s.value for s in cfg.security_services.securityhub.standards),
            governed_regions=tuple(cfg.governed_regions), exempt_buckets=state_buckets(cfg),
            **_access_settings(cfg))
        return cls(found, kinds=kinds, settings=settings)

    def unread(self, *patterns: str) -> list[NotVisible]:
        """The reads that gave nothing usable and match one of the patterns (see :data:`Needs`)."""
        out = []
        mgmt = self.found.caller_account_id
        for nv in self.found.not_visible:
            for pattern in patterns:
                glob, _, scope = pattern.partition("@")
                if scope == "management" and nv.account_id not in (mgmt, None):
                    continue
                if fnmatch.fnmatchcase(nv.read, glob):
                    out.append(nv)
                    break
        return out

    def kind(self, account_id: str) -> AccountKind | None:
        return self.kinds.get(account_id)

    def accounts_of(self, *kinds: AccountKind) -> list[AccountInfo]:
        return [a for a in self.found.member_accounts() if self.kinds.get(a.id) in kinds]

    @property
    def security_accounts(self) -> list[AccountInfo]:
        return self.accounts_of(AccountKind.SECURITY)

    @property
    def has_organization(self) -> bool:
        return self.found.organization is not None
