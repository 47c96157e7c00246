"""Posture audit: checks an organization, as discovered, against the practices the landing zone implements.

One module per check family (organization, management, delegation, logging, guardrails, identity, network,
account_baseline);
each check is registered with its metadata in :data:`landingzone.audit.model.REGISTRY`. :func:`run_audit` runs
them over a :class:`~landingzone.audit.model.AuditContext` and returns an :class:`AuditReport`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from landingzone.audit import (
    account_baseline,
    delegation,
    guardrails,
    identity,
    logging,
    management,
    network,
    organization,
)
from landingzone.audit.model import REGISTRY, AuditContext, Check, Finding, Practice, Severity
from landingzone.discovery import NotVisible, iter_not_visible

FAMILIES = (organization, management, delegation, logging, guardrails, identity, network, account_baseline)
"""Imported for their registrations (one module per family)."""

Status = Literal["pass", "fail", "n/a"]


@dataclass(frozen=True)
class CheckResult:
    check: Check
    status: Status
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class PracticeScore:
    practice: Practice
    passed: int
    failed: int
    not_applicable: int

    @property
    def score(self) -> int | None:
        """Percentage of the practice's applicable checks that pass; None when none applies."""
        total = self.passed + self.failed
        return None if total == 0 else round(100 * self.passed / total)


@dataclass(frozen=True)
class AuditReport:
    results: tuple[CheckResult, ...]
    not_visible: tuple[NotVisible, ...] = ()
    organization_id: str | None = None
    accounts_audited: int = 0
    quotas: tuple[tuple[str, float], ...] = field(default_factory=tuple)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    @property
    def finding_ids(self) -> set[str]:
        return {f.id for f in self.findings}

    def scores(self) -> list[PracticeScore]:
        out = []
        for practice in Practice:
            mine = [r for r in self.results if r.check.practice == practice]
            out.append(PracticeScore(practice, sum(r.status == "pass" for r in mine),
                                     sum(r.status == "fail" for r in mine), sum(r.status == "n/a" for r in mine)))
        return out

    def fails(self, threshold: Severity) -> bool:
        """True when a finding is at or above the threshold severity."""
        return any(f.severity.rank >= threshold.rank for f in self.findings)


def checks() -> list[Check]:
    """Every registered check, by id."""
    return [REGISTRY[cid] for cid in sorted(REGISTRY)]


def run_audit(ctx: AuditContext, *, only: set[str] | None = None) -> AuditReport:
    """Run every check (or those in ``only``) over the context."""
    results = []
    for chk in checks():
        if only is not None and chk.id not in only:
            continue
        assert chk.run is not None
        if chk.applies is not None and not chk.applies(ctx):
            results.append(CheckResult(chk, "n/a"))
            continue
        found = tuple(Finding(chk, issue) for issue in chk.run(ctx))
        results.append(CheckResult(chk, "fail" if found else "pass", found))
    org = ctx.found.organization
    return AuditReport(
        results=tuple(results), not_visible=tuple(iter_not_visible(ctx.found)),
        organization_id=org.id if org else None, accounts_audited=len(ctx.found.account_views),
        quotas=tuple((f"{q.name} ({q.code})", q.value) for q in ctx.found.quotas))


__all__ = ["AuditContext", "AuditReport", "CheckResult", "PracticeScore", "Severity", "checks", "run_audit"]
