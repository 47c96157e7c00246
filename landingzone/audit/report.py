"""Render an AuditReport: table (terminal), json, markdown, sarif (SARIF 2.1.0 for CI code scanning)."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from landingzone.audit import AuditReport, checks
from landingzone.audit.model import Check, Finding, Severity
from landingzone.discovery import NotVisible

FORMATS = ("table", "json", "markdown", "sarif")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
_SECURITY_SEVERITY = {Severity.HIGH: "8.0", Severity.MEDIUM: "5.0", Severity.LOW: "2.0"}
"""GitHub code scanning reads properties.security-severity (a CVSS-like score) to rank security results."""


def _score_text(score: int | None) -> str:
    return "n/a" if score is None else f"{score}%"


def _check_data(chk: Check) -> dict[str, Any]:
    return {"id": chk.id, "title": chk.title, "severity": chk.severity.value, "family": chk.family,
            "practice": chk.practice.value, "rationale": chk.rationale, "remediation": chk.remediation,
            "cis": chk.cis.as_dict(), "nist_csf": list(chk.nist)}


def _finding_data(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "severity": f.severity.value, "resource": f.issue.resource, "message": f.issue.message,
            "account_id": f.issue.account_id, "region": f.issue.region}


def _read_data(n: NotVisible) -> dict[str, Any]:
    return {"account_id": n.account_id, "region": n.region, "service": n.service, "operation": n.operation,
            "reason": n.reason, "error_code": n.error_code, "message": n.message}


def _incomplete_text(report: AuditReport) -> str:
    return (f"INCOMPLETE AUDIT: {len(report.missing_reads)} needed read(s) gave nothing usable; "
            f"{len(report.not_evaluated)} check(s) not evaluated")


def to_data(report: AuditReport) -> dict[str, Any]:
    return {
        "organization_id": report.organization_id,
        "accounts_audited": report.accounts_audited,
        "complete": report.complete,
        "missing_reads": [_read_data(n) for n in report.missing_reads],
        "findings": [_finding_data(f) for f in report.findings],
        "checks": [{**_check_data(r.check), "status": r.status,
                    "missing_reads": [str(n) for n in r.gaps]} for r in report.results],
        "scores": [{"practice": s.practice.value, "title": s.practice.label, "score": s.score, "passed": s.passed,
                    "failed": s.failed, "not_applicable": s.not_applicable, "not_evaluated": s.not_evaluated}
                   for s in report.scores()],
        "not_visible": [_read_data(n) for n in report.not_visible],
        "quotas": [{"quota": name, "value": value} for name, value in report.quotas],
    }


def render_json(report: AuditReport) -> str:
    return json.dumps(to_data(report), indent=2)


def render_markdown(report: AuditReport) -> str:
    lines = [f"# Landing zone audit: {report.organization_id or 'no organization'}", "",
             f"{report.accounts_audited} account(s) audited, {len(report.findings)} finding(s).", ""]
    if not report.complete:
        lines += [f"> **{_incomplete_text(report)}.** The checks below marked not evaluated neither pass nor fail;",
                  "> the reads it lacks:", ">"]
        lines += [f"> - {n}" for n in report.missing_reads]
        lines += ["", "Not evaluated: " + ", ".join(
            f"{r.check.id} ({r.check.title})" for r in report.not_evaluated) if report.not_evaluated else
            "Every check was evaluated; those with findings lacked part of what they read.", ""]
    lines += ["## Score per practice", "", "| Practice | Score | Passed | Failed | N/A | Not evaluated |",
              "|---|---|---|---|---|---|"]
    for s in report.scores():
        lines.append(f"| {s.practice.label} | {_score_text(s.score)} | {s.passed} | {s.failed} | "
                     f"{s.not_applicable} | {s.not_evaluated} |")
    lines += ["", "## Findings", ""]
    if not report.findings:
        lines.append("None.")
    else:
        lines += ["| Id | Severity | Resource | Finding | Fix |", "|---|---|---|---|---|"]
        for f in report.findings:
            cells = [f.id, f.severity.value, f"`{f.issue.resource}`", f.issue.message, f.check.remediation]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if report.not_visible:
        lines += ["", "## Not visible", "", "Reads that gave nothing usable (refused, not offered, or failing after "
                  "the retries); what they would show was not audited.", ""]
        lines += [f"- {n}" for n in report.not_visible]
    return "\n".join(lines) + "\n"


def render_table(report: AuditReport, *, width: int = 120) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, highlight=False, force_terminal=False, color_system=None)
    console.print(f"Organization {report.organization_id or '(none)'}: {report.accounts_audited} account(s) "
                  f"audited, {len(report.findings)} finding(s)")
    if not report.complete:
        console.print(_incomplete_text(report))
        for n in report.missing_reads:
            console.print(f"  missing read: {n}")
        for r in report.not_evaluated:
            console.print(f"  not evaluated: {r.check.id} {r.check.title}")
    scores = Table(title="Score per practice", title_justify="left")
    for col in ("Practice", "Score", "Passed", "Failed", "N/A", "Not evaluated"):
        scores.add_column(col)
    for s in report.scores():
        scores.add_row(s.practice.label, _score_text(s.score), str(s.passed), str(s.failed), str(s.not_applicable),
                       str(s.not_evaluated))
    console.print(scores)
    if report.findings:
        table = Table(title="Findings", title_justify="left")
        for col in ("Id", "Severity", "Resource", "Finding"):
            table.add_column(col, overflow="fold")
        for f in report.findings:
            table.add_row(f.id, f.severity.value, f.issue.resource, f.issue.message)
        console.print(table)
        console.print("Fixes:")
        for chk in {f.check.id: f.check for f in report.findings}.values():
            console.print(f"  {chk.id}: {chk.remediation}")
    for n in report.not_visible:
        console.print(f"not visible: {n}")
    return buf.getvalue()


def _fingerprint(f: Finding) -> str:
    key = "|".join((f.id, f.issue.resource, f.issue.account_id or "", f.issue.region or ""))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def render_sarif(report: AuditReport, *, artifact_uri: str = "landingzone.yaml", version: str = "0.1.0") -> str:
    """SARIF 2.1.0. Each result points at the configuration file (code scanning needs a physical location) and
    names the AWS resource as a logical location."""
    rules = checks()
    index = {chk.id: i for i, chk in enumerate(rules)}
    sarif_rules = []
    for chk in rules:
        tags = ["security", f"practice/{chk.practice.value}", *(f"CIS-{v}/{c}" for v, c in chk.cis.as_dict().items()),
                *(f"NIST-CSF/{n}" for n in chk.nist)]
        sarif_rules.append({
            "id": chk.id, "name": chk.title.replace(" ", "").replace("/", "").replace(",", ""),
            "shortDescription": {"text": chk.title}, "fullDescription": {"text": chk.rationale},
            "help": {"text": f"Fix: {chk.remediation}", "markdown": f"**Fix:** {chk.remediation}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[chk.severity]},
            "properties": {"tags": tags, "security-severity": _SECURITY_SEVERITY[chk.severity],
                           "precision": "high", "cis": chk.cis.as_dict(), "nist-csf": list(chk.nist)},
        })
    results = []
    for f in report.findings:
        where = "/".join(p for p in (f.issue.account_id, f.issue.region) if p)
        results.append({
            "ruleId": f.id, "ruleIndex": index[f.id], "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.issue.message}. Fix: {f.check.remediation}"},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": artifact_uri}, "region": {"startLine": 1}},
                "logicalLocations": [{"name": f.issue.resource, "kind": "resource",
                                      "fullyQualifiedName": f"{where}/{f.issue.resource}" if where else
                                      f.issue.resource}],
            }],
            "partialFingerprints": {"landingzoneFinding/v1": _fingerprint(f)},
        })
    doc = {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "landingzone", "version": version, "semanticVersion": version,
                                "rules": sarif_rules}},
            "results": results,
            # The run itself succeeded; each read it lacks is a tool execution notification, and the run's
            # properties say whether the audit is complete and which checks were not evaluated.
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning", "message": {"text": f"missing read: {n}"},
                     "descriptor": {"id": "missing-read"}} for n in report.missing_reads],
            }],
            "properties": {"organizationId": report.organization_id, "complete": report.complete,
                           "notEvaluated": [r.check.id for r in report.not_evaluated],
                           "scores": {s.practice.value: s.score for s in report.scores()},
                           "notVisible": [str(n) for n in report.not_visible]},
        }],
    }
    return json.dumps(doc, indent=2)


def render(report: AuditReport, fmt: str, *, artifact_uri: str = "landingzone.yaml") -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "sarif":
        return render_sarif(report, artifact_uri=artifact_uri)
    if fmt == "table":
        return render_table(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
