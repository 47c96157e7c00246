"""Does the SCP chain over an account deny an action? The audit's question for the /org-admin/ protection.

The chain is the organization's structure as discovered: the policies on the root, on each OU down to the
account, and on the account. An action is allowed only when every level allows it (some Allow statement matches)
and no level denies it (some Deny statement matches, conditions included).

This local evaluation understands Action/NotAction, Resource/NotResource and the condition operators SCPs use in
practice (String*, Arn*, Bool, Null, with ...IfExists) over aws:PrincipalArn, aws:PrincipalAccount and
aws:RequestedRegion. A Deny whose condition uses anything else is treated as not applying: the audit then
reports the role as unprotected instead of trusting a guardrail it cannot read (false alarm, never false
comfort).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LevelPolicies:
    """The SCP documents attached directly to one level (root, OU or account)."""

    target: str
    policies: tuple[tuple[str, str], ...]
    """(policy name, JSON content)."""


@dataclass(frozen=True)
class ScpDecision:
    allowed: bool
    policy: str | None
    """The policy that denied, or the level that had no Allow."""
    reason: str


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, *, case: bool) -> bool:
    regex = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, value, 0 if case else re.IGNORECASE) is not None


def _matches_action(stmt: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in stmt:
        return not any(_glob(a, action, case=False) for a in _as_list(stmt["NotAction"]))
    return any(_glob(a, action, case=False) for a in _as_list(stmt.get("Action")))


def _matches_resource(stmt: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in stmt:
        return not any(_glob(r, resource, case=True) for r in _as_list(stmt["NotResource"]))
    resources = _as_list(stmt.get("Resource", "*"))
    return any(_glob(r, resource, case=True) for r in resources)


_KNOWN_KEYS = {"aws:principalarn", "aws:principalaccount", "aws:requestedregion"}


def _condition_holds(stmt: Mapping[str, Any], context: Mapping[str, str]) -> bool | None:
    """True/False when every operator and key is understood; None when something is not."""
    ctx = {k.lower(): v for k, v in context.items()}
    for raw_op, pairs in (stmt.get("Condition") or {}).items():
        op = raw_op
        for_any = op.startswith("ForAnyValue:")
        op = op.split(":", 1)[1] if ":" in op else op
        if_exists = op.endswith("IfExists")
        op = op.removesuffix("IfExists")
        del for_any  # single-valued keys only: ForAnyValue and plain behave the same here
        for raw_key, raw_values in pairs.items():
            key = raw_key.lower()
            if key not in _KNOWN_KEYS:
                return None
            values = [str(v) for v in _as_list(raw_values)]
            present = key in ctx
            if op == "Null":
                want_null = values[0].lower() == "true"
                if want_null == present:
                    return False
                continue
            if not present:
                if if_exists:
                    continue
                return False
            actual = ctx[key]
            negated = op.startswith(("StringNot", "ArnNot"))
            if op in ("StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals"):
                hit = actual in values
            elif op in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
                hit = actual.lower() in (v.lower() for v in values)
            elif op in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike"):
                hit = any(fnmatch.fnmatchcase(actual, v) for v in values)
            elif op == "Bool":
                hit = actual.lower() in (v.lower() for v in values)
            else:
                return None
            if hit == negated:
                return False
    return True


def evaluate(chain: Sequence[LevelPolicies], action: str, resource: str, context: Mapping[str, str]) -> ScpDecision:
    """The SCP decision for one request against the chain root -> OUs -> account."""
    for level in chain:
        allowed_here = False
        for name, content in level.policies:
            try:
                doc = json.loads(content)
            except ValueError:
                continue
            for stmt in _as_list(doc.get("Statement")):
                if not isinstance(stmt, Mapping) or not _matches_action(stmt, action) \
                        or not _matches_resource(stmt, resource):
                    continue
                holds = _condition_holds(stmt, context)
                if stmt.get("Effect") == "Deny" and holds is True:
                    sid = stmt.get("Sid", "")
                    return ScpDecision(False, name, f"denied by {name}{f' ({sid})' if sid else ''} on {level.target}")
                if stmt.get("Effect") == "Allow" and holds is True:
                    allowed_here = True
        if not allowed_here:
            return ScpDecision(False, None, f"no SCP on {level.target} allows {action}")
    return ScpDecision(True, None, "allowed by every level, denied by none")
