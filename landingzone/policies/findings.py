"""The linter's vocabulary: a finding (PolicyFinding, distinct from the audit's Finding: this one is about a policy
document or a plan of policies, not about an organization), its severity (LintSeverity), and every finding id with
its meaning. Ids never change meaning; new checks get new ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LintSeverity = Literal["error", "warning"]

OLD_SCP_MAX_CHARACTERS = 5120
"""The per-SCP size quota before 2026-05-15, still shown in some AWS doc copies and partitions."""


@dataclass(frozen=True)
class PolicyFinding:
    """One problem in a policy or a plan of policies. ``id`` is stable; ``fix`` says what to change. (Distinct from
    the audit's Finding: this one is about a policy document, not about an organization.)"""

    id: str
    severity: LintSeverity
    message: str
    fix: str
    location: str = ""
    """Where in the policy, e.g. ``Statement[0].Action[2]``; empty for the whole policy."""
    accepted: str | None = None
    """Why a library template knowingly keeps this finding (None for a finding that needs fixing)."""

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"{self.severity} {self.id}{where}: {self.message} Fix: {self.fix}"


# Every finding id the linter emits, with a one-line summary (docs and tests use this table).
FINDING_IDS: dict[str, str] = {
    "INVALID_JSON": "The policy is not valid JSON.",
    "RCP_PRINCIPAL_NOT_STAR": "An RCP statement whose Principal is not \"*\" (or that uses NotPrincipal).",
    "RCP_ALLOW_NOT_SUPPORTED": "An RCP statement with Effect Allow (only RCPFullAWSAccess may allow).",
    "RCP_NOT_ACTION_NOT_SUPPORTED": "NotAction in an RCP.",
    "RCP_UNSUPPORTED_SERVICE": "An RCP action of a service RCPs do not apply to.",
    "MANAGEMENT_POLICY_UNKNOWN_ATTRIBUTE": "A declarative or S3 policy setting the policy type does not have.",
    "MANAGEMENT_POLICY_INVALID_VALUE": "A declarative or S3 policy value the setting does not take.",
    "UNPROTECTED_EXEMPTION": "A guardrail exempts a principal that no attached guardrail protects from change.",
    "NOT_AN_OBJECT": "The policy, a statement or a condition block is not a JSON object.",
    "INVALID_VERSION": "Version is missing or not 2012-10-17.",
    "UNKNOWN_ELEMENT": "An element SCPs do not support (other than Principal/NotPrincipal).",
    "MISSING_STATEMENT": "No Statement, or an empty one.",
    "PRINCIPAL_NOT_SUPPORTED": "Principal or NotPrincipal in an SCP.",
    "INVALID_EFFECT": "Effect is not Allow or Deny.",
    "INVALID_SID": "Sid has characters other than letters and digits.",
    "DUPLICATE_SID": "Two statements share a Sid.",
    "MISSING_ACTION": "A statement has neither Action nor NotAction (or both).",
    "MISSING_RESOURCE": "A statement has neither Resource nor NotResource (or both).",
    "INVALID_ACTION": "An action is not of the form service:Action.",
    "UNKNOWN_SERVICE": "An action's service prefix is not in the IAM catalogue.",
    "UNKNOWN_ACTION": "An action is not in the IAM catalogue (AWS would accept it and match nothing).",
    "ACTION_MATCHES_NOTHING": "An action wildcard matches no action in the IAM catalogue.",
    "UNKNOWN_CONDITION_OPERATOR": "A condition operator IAM does not know.",
    "UNKNOWN_CONDITION_KEY": "A condition key that is neither global nor defined by the service.",
    "INVALID_CONDITION_VALUE": "A condition value of the wrong type for its operator.",
    "POLICY_TOO_LARGE": "The minified policy is larger than its policy type's size quota.",
    "POLICY_SIZE_OVER_OLD_LIMIT": "The policy is larger than 5,120 characters, the quota before 2026-05-15.",
    "NOT_MINIFIED": "The text as written exceeds the quota; only its minified form fits.",
    "TOO_MANY_ATTACHMENTS": "A target would hold more policies of a type than its quota (the AWS default counts).",
    "REGION_DENY_WITHOUT_GLOBAL_EXEMPTIONS": "A region deny that also blocks global services (IAM, STS, ...).",
    "REGION_DENY_BLOCKS_GLOBAL_SERVICES": "A region deny that leaves some non-critical global services denied.",
    "LOCKOUT_DENY": "A Deny that also hits the principal administering the landing zone.",
}


def finding(fid: str, severity: LintSeverity, message: str, fix: str, location: str = "") -> PolicyFinding:
    assert fid in FINDING_IDS, fid
    return PolicyFinding(fid, severity, message, fix, location)
