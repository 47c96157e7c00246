"""Organization-wide account governance settings (practices `account-governance` and `root-access` in
docs/practices.md): centralized root access, alternate contacts, opt-in regions, budgets, retiring accounts.

Everything here is set from the management account with one provider, by member account id, so the stage
(`governance`) stays one stack however many accounts there are. The facts the settings depend on (which regions
are opt-in, the account closure quota) are data in this module, with their source.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from landingzone.config.base import _Model, check_email
from landingzone.constants import known_regions
from landingzone.errors import ConfigProblem

if TYPE_CHECKING:
    from landingzone.config.model import Account, LandingZoneConfig

# ---- facts as data ---------------------------------------------------------------------------------------------

OPT_IN_REGIONS: frozenset[str] = frozenset({
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1",
})
"""Regions that are disabled in an account until enabled (every commercial region launched after 2019-03-20;
AWS Account Management reference, *Enable or disable a Region*). The others are on in every account."""

SUSPENDED_OU = "Suspended"
"""The top-level OU where retired accounts (``accounts[].state: suspended``) are moved."""

SUSPENDED_GUARDRAIL = "deny-all-suspended"
"""The guardrail library's deny-all SCP for the Suspended OU: nothing in a retired account keeps running."""

ROOT_FEATURES: tuple[str, ...] = ("RootCredentialsManagement", "RootSessions")
"""IAM organization features of centralized root access (iam.OrganizationsFeatures ``enabled_features``)."""

IAM_PRINCIPAL = "iam.amazonaws.com"
"""Trusted access that centralized root access needs."""
ACCOUNT_PRINCIPAL = "account.amazonaws.com"
"""Trusted access that alternate contacts and regions of member accounts need (AWS Account Management)."""


@dataclass(frozen=True)
class ClosureQuota:
    """How many member accounts AWS lets an organization close per rolling window."""

    percent: int
    minimum: int
    window_days: int
    since: date
    source: str

    def allowed(self, member_accounts: int) -> int:
        """Accounts that may be closed in one window for an organization with this many member accounts."""
        return max(self.minimum, math.floor(member_accounts * self.percent / 100))

    def describe(self) -> str:
        return (f"{self.percent}% of member accounts (minimum {self.minimum}) per rolling {self.window_days} days "
                f"(since {self.since.isoformat()})")


ACCOUNT_CLOSURE_QUOTA = ClosureQuota(
    percent=20, minimum=250, window_days=30, since=date(2026, 6, 23),
    source="AWS Account Management reference, document history (closure quota raised from 10%, minimum 10)")
"""The account closure quota in force (it was 10% of members, minimum 10, maximum 1,000 before 2026-06-23)."""


# ---- models ----------------------------------------------------------------------------------------------------


_PHONE_RE = re.compile(r"^[\s0-9()+-]{1,25}$")


class AccountState(StrEnum):
    """Whether an account is in use or retired."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class ContactType(StrEnum):
    """The alternate contact types of AWS Account Management."""

    SECURITY = "SECURITY"
    OPERATIONS = "OPERATIONS"
    BILLING = "BILLING"


class AlternateContact(_Model):
    """One alternate contact: who AWS writes to about security, operations or billing."""

    name: str = Field(min_length=1, max_length=64)
    """Person or team name."""
    title: str = Field(min_length=1, max_length=50)
    """Role title, such as "Security team"."""
    email: str
    """Email address (a team list, not a person's inbox)."""
    phone: str
    """Phone number, digits, spaces, + - ( ) only, such as "+1 206 555 0100"."""

    _email = field_validator("email")(check_email)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not _PHONE_RE.match(value) or not any(c.isdigit() for c in value):
            raise ValueError(f"{value!r} is not a phone number (digits, spaces, + - ( ), e.g. +1 206 555 0100)")
        return value


class AlternateContacts(_Model):
    """The security, operations and billing alternate contacts of an account (each optional)."""

    security: AlternateContact | None = None
    """Who AWS notifies about security issues (abuse reports, compromised credentials). The audit expects one
    on every account (LZ-GOV-001)."""
    operations: AlternateContact | None = None
    """Who AWS notifies about operational events (service health, scheduled maintenance)."""
    billing: AlternateContact | None = None
    """Who AWS notifies about invoices and payments."""

    def by_type(self) -> dict[ContactType, AlternateContact]:
        found = {ContactType.SECURITY: self.security, ContactType.OPERATIONS: self.operations,
                 ContactType.BILLING: self.billing}
        return {kind: contact for kind, contact in found.items() if contact is not None}

    def merged_over(self, base: AlternateContacts) -> AlternateContacts:
        """These contacts, each type falling back to ``base`` where not set here."""
        return AlternateContacts(security=self.security or base.security,
                                 operations=self.operations or base.operations,
                                 billing=self.billing or base.billing)


class AlertKind(StrEnum):
    """Whether an alert compares the actual or the forecasted spend with the limit."""

    ACTUAL = "actual"
    FORECASTED = "forecasted"


class BudgetAlert(_Model):
    """An alert when the month's spend reaches a percentage of the budget."""

    percent: float = Field(gt=0, le=1000)
    """Threshold in percent of the monthly limit (e.g. 80 or 100)."""
    kind: AlertKind = AlertKind.ACTUAL
    """actual (spend so far) or forecasted (AWS's forecast for the month)."""


MAX_BUDGET_EMAILS = 10
"""AWS Budgets allows ten email subscribers (and one SNS topic) per notification."""
MAX_BUDGET_ALERTS = 5
"""AWS Budgets allows five notifications per budget."""


class BudgetSettings(_Model):
    """A monthly cost budget with alerts."""

    monthly_limit_usd: float = Field(gt=0, le=1_000_000_000)
    """The monthly cost budget in US dollars."""
    alerts: list[BudgetAlert] = Field(
        default_factory=lambda: [BudgetAlert(percent=80), BudgetAlert(percent=100, kind=AlertKind.FORECASTED)],
        min_length=1, max_length=MAX_BUDGET_ALERTS)
    """When to alert (at most five): by default at 80% of actual spend and at a forecast of 100%."""
    emails: list[str] = Field(default_factory=list, max_length=MAX_BUDGET_EMAILS)
    """Email addresses that receive the alerts (at most ten). With no address and no security topic the budget
    alerts nobody, which validation refuses."""
    notify_security_topic: bool = True
    """Also send the alerts to the security SNS topic of stage security_services, when it exists."""

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        for item in value:
            check_email(item)
        if len({v.lower() for v in value}) != len(value):
            raise ValueError("an address appears twice")
        return value


class BudgetsConfig(_Model):
    """Monthly budgets per member account: a default, per OU defaults, and per-account overrides."""

    default: BudgetSettings | None = None
    """Budget of every member account not covered by an OU default or its own ``budget``; none when empty."""
    by_ou: dict[str, BudgetSettings] = Field(default_factory=dict)
    """OU path -> budget for the accounts in that OU and its children (the nearest OU wins)."""


class RootAccessConfig(_Model):
    """Centralized root access for member accounts (practice `root-access`)."""

    centralized: bool = True
    """Turn on IAM's RootCredentialsManagement and RootSessions organization features (trusted access for
    iam.amazonaws.com): member accounts can have their root credentials deleted (`landingzone root-credentials`),
    new accounts are created without them, and root-only tasks run as short AssumeRoot sessions. On by default;
    the audit reports it off (LZ-ROOT-001)."""


class GovernanceConfig(_Model):
    """Account governance from the management account: root access, contacts, regions, budgets."""

    root_access: RootAccessConfig = Field(default_factory=RootAccessConfig)
    """Centralized root access for member accounts."""
    alternate_contacts: AlternateContacts = Field(default_factory=AlternateContacts)
    """Alternate contacts set on every member account (an account's own ``alternate_contacts`` override them
    type by type). Needs trusted access for account.amazonaws.com, which the organization stage enables."""
    enable_opt_in_regions: bool = True
    """Enable the governed regions that are opt-in (af-south-1, eu-south-1, ...) in every member account before
    any other stage uses them (stage regions)."""
    budgets: BudgetsConfig = Field(default_factory=BudgetsConfig)
    """Monthly budgets per member account, with alerts to email addresses or the security topic."""


def opt_in(regions: list[str] | tuple[str, ...]) -> list[str]:
    """The regions of ``regions`` that are opt-in, in their order."""
    return [r for r in regions if r in OPT_IN_REGIONS]


# ---- per-account views (the stage, the plan and the wizard share them) ----------------------------------------


def account_contacts(cfg: LandingZoneConfig, acct: Account) -> dict[ContactType, AlternateContact]:
    """The alternate contacts an account gets: its own, each type falling back to the organization's."""
    base = cfg.governance.alternate_contacts
    own = acct.alternate_contacts
    return (own.merged_over(base) if own is not None else base).by_type()


def account_budget(cfg: LandingZoneConfig, acct: Account) -> BudgetSettings | None:
    """The budget of an active account: its own, else its nearest OU's, else the default; None for a retired
    account or when nothing applies."""
    if acct.state is AccountState.SUSPENDED:
        return None
    if acct.budget is not None:
        return acct.budget
    budgets = cfg.governance.budgets
    path = acct.ou
    while path and path != "Root":
        if path in budgets.by_ou:
            return budgets.by_ou[path]
        path = path.rpartition("/")[0]
    return budgets.default


def effective_ou(acct: Account) -> str:
    """Where an account sits: its ``ou``, or the Suspended OU once it is retired."""
    return SUSPENDED_OU if acct.state is AccountState.SUSPENDED else acct.ou


def governance_summary(cfg: LandingZoneConfig) -> dict[str, Any]:
    """What stages regions and governance do, per account, and what closing accounts would be up against."""
    gov = cfg.governance
    members = list(cfg.accounts)
    closing = [a.name for a in members if a.close_on_deletion]
    return {
        "root_access": list(ROOT_FEATURES) if gov.root_access.centralized else [],
        "opt_in_regions": opt_in(cfg.governed_regions) if gov.enable_opt_in_regions else [],
        "accounts": [
            {"name": a.name, "state": a.state.value, "ou": effective_ou(a),
             "contacts": [kind.value for kind in account_contacts(cfg, a)],
             "monthly_budget_usd": (b.monthly_limit_usd if (b := account_budget(cfg, a)) is not None else None)}
            for a in members],
        "close_on_deletion": closing,
        "closure_quota": ACCOUNT_CLOSURE_QUOTA.describe(),
        "closable_per_window": ACCOUNT_CLOSURE_QUOTA.allowed(len(members)),
    }


def governance_principals(cfg: LandingZoneConfig) -> list[str]:
    """Trusted access the governance and regions stages need (enabled by the organization stage) whenever the
    organization has member accounts: iam.amazonaws.com (centralized root access) and account.amazonaws.com
    (contacts and regions of members). Both stay on when the features are turned off or the contacts removed,
    because the organization stage runs first: taking the trusted access away before the governance stage has
    removed what depends on it would make that removal fail. Neither grants anything the management account does
    not already have."""
    return [IAM_PRINCIPAL, ACCOUNT_PRINCIPAL] if cfg.accounts else []


# ---- rules that span fields (run by landingzone.config.rules.cross_field_problems) -----------------------------

REGION_DENY_GUARDRAIL = "deny-unapproved-regions"


def suspended_guardrail_problems(cfg: LandingZoneConfig, guardrail_ids: Iterable[str]) -> Iterator[ConfigProblem]:
    """A retired account needs the deny-all guardrail on the Suspended OU, when the library (``guardrail_ids``)
    has it: moving an account there without it would leave it running as before."""
    if SUSPENDED_GUARDRAIL not in set(guardrail_ids):
        return
    if any(g.id == SUSPENDED_GUARDRAIL and SUSPENDED_OU in g.targets for g in cfg.guardrails):
        return
    first = next((i for i, a in enumerate(cfg.accounts) if a.state is AccountState.SUSPENDED), None)
    if first is not None:
        yield ConfigProblem(f"accounts[{first}].state", f"suspended accounts need the {SUSPENDED_GUARDRAIL} "
                            f"guardrail on the {SUSPENDED_OU} OU, or they keep running as before; add:\n"
                            f"    guardrails:\n      - {{id: {SUSPENDED_GUARDRAIL}, targets: [{SUSPENDED_OU}]}}",
                            "suspended")


def governance_problems(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """Retired accounts, budgets and the region-deny guardrail against the governed regions (it may allow fewer
    regions on some targets, a tighter rule, but never a region outside governed_regions: that region would be
    open with nothing of the landing zone enabling or watching it)."""
    top_level = {ou.name for ou in cfg.organizational_units}
    for i, acct in enumerate(cfg.accounts):
        if acct.state is not AccountState.SUSPENDED:
            continue
        if SUSPENDED_OU not in top_level:
            yield ConfigProblem(f"accounts[{i}].state", f"a suspended account moves to the top-level "
                                f"{SUSPENDED_OU!r} OU, which is not declared; add it:\n"
                                f"    organizational_units:\n      - name: {SUSPENDED_OU}", acct.state.value)
        if acct.kind.value in ("security", "log-archive"):
            yield ConfigProblem(f"accounts[{i}].state", f"{acct.name!r} is the {acct.kind.value} account: the "
                                "trail and the delegated administration depend on it, so it cannot be suspended; "
                                "move that role to another account first", acct.state.value)

    from landingzone.policies.catalog import default_catalog  # the library, as the guardrails stage reads it

    yield from suspended_guardrail_problems(cfg, default_catalog().ids())
    suspended = {a.name for a in cfg.accounts if a.state is AccountState.SUSPENDED}
    for ni, net in enumerate(cfg.network):
        if net.account in suspended:
            yield ConfigProblem(f"network[{ni}].account", f"{net.account!r} is suspended: the deny-all guardrail of "
                                "the Suspended OU refuses every change in it; remove its network settings",
                                net.account)

    budgets = cfg.governance.budgets
    paths = set(cfg.ou_paths())
    for path in budgets.by_ou:
        if path not in paths:
            shown = ", ".join(repr(p) for p in sorted(paths)[:6]) or "(no OUs are declared)"
            yield ConfigProblem(f"governance.budgets.by_ou.{path}", f"{path!r} is not an OU path; use one of "
                                f"{shown}", path)
    located: list[tuple[str, BudgetSettings]] = []
    if budgets.default is not None:
        located.append(("governance.budgets.default", budgets.default))
    located += [(f"governance.budgets.by_ou.{p}", b) for p, b in budgets.by_ou.items()]
    located += [(f"accounts[{i}].budget", a.budget) for i, a in enumerate(cfg.accounts) if a.budget is not None]
    for loc, budget in located:
        if not budget.emails:
            yield ConfigProblem(f"{loc}.emails", "a budget needs at least one address to alert (the security topic "
                                "of stage security_services is added when it exists), e.g.\n"
                                "    emails:\n      - finops@example.com", [])

    governed = list(cfg.governed_regions)
    for gi, guard in enumerate(cfg.guardrails):
        allowed = guard.parameters.get("allowed_regions") if guard.id == REGION_DENY_GUARDRAIL else None
        if not isinstance(allowed, list) or not allowed or not set(allowed) <= known_regions():
            continue  # not a valid list of regions: the guardrail's own parameter check reports it
        loc = f"guardrails[{gi}].parameters.allowed_regions"
        ungoverned = [r for r in allowed if r not in governed]
        if ungoverned:
            yield ConfigProblem(loc, f"allows {', '.join(ungoverned)}, which governed_regions does not list: "
                                "nothing in the landing zone watches or enables it there; add it to "
                                "governed_regions, or remove it here", allowed)
