"""The audit's vocabulary: practices, check metadata, findings, and the context a check reads.

A check is a plain function from an :class:`AuditContext` (discovered data plus a little interpretation) to the
issues it found; its metadata (stable id, severity, rationale, remediation, seed practice, CIS and NIST ids) is
data on the :class:`Check` next to it, registered with :func:`check`. Nothing here calls AWS.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from landingzone.config import AccountKind, LandingZoneConfig
from landingzone.constants import DEFAULT_ORG_ADMIN_PATH
from landingzone.discovery import AccountInfo, Discovery


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]


class Practice(StrEnum):
    """The seed's practices (../shared/seed/), which the landing zone implements and the audit checks."""

    SEPARATE_ENVIRONMENTS = "separate-environments"
    MANAGEMENT_ACCOUNT = "management-account"
    ORGANIZATIONS = "organizations"
    DELEGATED_SECURITY = "delegated-security-admin"
    ORGANIZATION_TRAIL = "organization-trail"
    TRAIL_QUERY = "trail-query-layer"
    OUS_WITH_SCPS = "ous-with-scps"
    ORG_ADMIN_ROLES = "org-admin-roles"
    SECURITY_GROUPS = "security-group-references"
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
_ID_RE = re.compile(r"^LZ-[A-Z]{3}-\d{3}$")


def check(*, id: str, title: str, severity: Severity, practice: Practice, rationale: str, remediation: str,  # noqa: A002
          cis: Cis | None = None, nist: tuple[str, ...] = (),
          applies: Callable[[AuditContext], bool] | None = None) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function with its metadata."""
    if not _ID_RE.match(id):
        raise ValueError(f"{id!r} is not a check id (LZ-XXX-NNN)")

    def register(fn: CheckFunction) -> CheckFunction:
        if id in REGISTRY:
            raise ValueError(f"check id {id} is registered twice")
        family = fn.__module__.rsplit(".", 1)[-1]
        REGISTRY[id] = Check(id=id, title=title, severity=severity, practice=practice, rationale=rationale,
                             remediation=remediation, family=family, cis=cis or Cis(), nist=nist, run=fn,
                             applies=applies)
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
            if cfg.organization.security_services else AuditSettings().security_service_principals)
        return cls(found, kinds=kinds, settings=settings)

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
