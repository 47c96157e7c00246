"""Posture audit: checks an organization, as discovered, against the practices the landing zone implements.

One module per check family (organization, management, delegation, logging, guardrails, identity, network,
security services, access, account_baseline);
each check is registered with its metadata in :data:`landingzone.audit.model.REGISTRY`. :func:`run_audit` runs
them over a :class:`~landingzone.audit.model.AuditContext` and returns an :class:`AuditReport`.

A check whose needed reads (its ``needs``) gave nothing usable cannot pass: it is "not evaluated", or "fail" when
it found something in what was read; either way the report is incomplete and lists the reads it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from landingzone.audit import (
    access,
    account_baseline,
    delegation,
    governance,
    guardrails,
    identity,
    logging,
    management,
    network,
    organization,
    regions,
    security_services,
)
from landingzone.audit.model import REGISTRY, AuditContext, Check, Finding, Practice, Severity
from landingzone.discovery import NotVisible, iter_not_visible

FAMILIES = (organization, management, delegation, logging, guardrails, regions, identity, network, governance,
            security_services, access, account_baseline)
"""Imported for their registrations (one module per family)."""

Status = Literal["pass", "fail", "n/a", "not evaluated"]


@dataclass(frozen=True)
class CheckResult:
    check: Check
    status: Status
    findings: tuple[Finding, ...] = ()
    gaps: tuple[NotVisible, ...] = ()
    """Needed reads that gave nothing usable: what this result could not take into account."""


@dataclass(frozen=True)
class PracticeScore:
    practice: Practice
    passed: int
    failed: int
    not_applicable: int
    not_evaluated: int = 0

    @property
    def score(self) -> int | None:
        """Percentage of the practice's evaluated checks that pass; None when none was (not-evaluated checks are
        left out: they are neither a pass nor a failure, and the report says the audit is incomplete)."""
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
                                     sum(r.status == "fail" for r in mine), sum(r.status == "n/a" for r in mine),
                                     sum(r.status == "not evaluated" for r in mine)))
        return out

    @property
    def complete(self) -> bool:
        """True when every check saw every read it needs."""
        return not any(r.gaps for r in self.results)

    @property
    def not_evaluated(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "not evaluated"]

    @property
    def missing_reads(self) -> list[NotVisible]:
        """The needed reads the audit lacks, once each, in a stable order."""
        seen = {n for r in self.results for n in r.gaps}
        return [n for n in self.not_visible if n in seen]

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
        gaps = tuple(ctx.unread(*chk.needed(ctx)))
        if chk.applies is not None and not chk.applies(ctx):
            results.append(CheckResult(chk, "not evaluated" if gaps else "n/a", gaps=gaps))
            continue
        found = tuple(Finding(chk, issue) for issue in chk.run(ctx))
        results.append(CheckResult(chk, "fail" if found else "not evaluated" if gaps else "pass", found, gaps))
    org = ctx.found.organization
    return AuditReport(
        results=tuple(results), not_visible=tuple(iter_not_visible(ctx.found)),
        organization_id=org.id if org else None, accounts_audited=len(ctx.found.account_views),
        quotas=tuple((f"{q.name} ({q.code})", q.value) for q in ctx.found.quotas))


__all__ = ["AuditContext", "AuditReport", "CheckResult", "PracticeScore", "Severity", "checks", "run_audit"]
