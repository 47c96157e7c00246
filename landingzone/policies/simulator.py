"""An offline simulator of SCPs (and, through :mod:`landingzone.policies.resource_simulator`, RCPs): would this
request be allowed by the policies on the path root -> OUs -> account?

How AWS evaluates SCPs, and so how this does:

- A request from a member account is checked against the SCPs attached to the root, to every OU on the way down
  to the account, and to the account itself. An explicit Deny in any of them wins.
- Without a Deny, every level must Allow the action: a level whose SCPs allow nothing for it blocks it (that is
  what detaching FullAWSAccess from one OU does).
- SCPs never affect the management account, nor service-linked roles.

Conditions support the operators the library uses: String*, Arn*, Bool, Null, Numeric*, IpAddress/NotIpAddress,
each with ``IfExists``, and the ``ForAnyValue:`` / ``ForAllValues:`` set prefixes. Anything else raises
:class:`SimulationError` rather than guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from landingzone.policies.conditions import (
    SUPPORTED_OPERATORS,
    ConditionOperator,
    SimulationError,
    evaluate_condition,
    evaluate_operator,
    parse_operator,
    wildcard_match,
)

__all__ = ["SUPPORTED_OPERATORS", "ConditionOperator", "SimulationError", "evaluate_condition", "evaluate_operator",
           "parse_operator", "wildcard_match"]

if TYPE_CHECKING:
    from landingzone.config import LandingZoneConfig
    from landingzone.policies.catalog import AttachmentPlan

Decision = Literal["allowed", "denied"]


# ---- statements ----------------------------------------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def action_matches(patterns: Iterable[str], action: str) -> bool:
    """Action names are case-insensitive; ``*`` and ``?`` are wildcards."""
    return any(wildcard_match(p, action, ignore_case=True) for p in patterns)


def statement_covers_action(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not action_matches(_strings(statement["NotAction"]), action)
    return action_matches(_strings(statement.get("Action")), action)


def statement_covers_resource(statement: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not any(wildcard_match(p, resource) for p in _strings(statement["NotResource"]))
    patterns = _strings(statement.get("Resource", "*"))
    return any(wildcard_match(p, resource) for p in patterns)


def statement_applies(statement: Mapping[str, Any], action: str, resource: str,
                      context: Mapping[str, Any]) -> bool:
    return (statement_covers_action(statement, action) and statement_covers_resource(statement, resource)
            and evaluate_condition(statement.get("Condition"), context))


# ---- the tree of SCPs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedPolicy:
    """An SCP as attached: its name (or key) and its document."""

    name: str
    document: Mapping[str, Any]
    policy_type: str = "SERVICE_CONTROL_POLICY"

    @classmethod
    def parse(cls, name: str, content: str | Mapping[str, Any], policy_type: str = "SERVICE_CONTROL_POLICY"
              ) -> NamedPolicy:
        if isinstance(content, str):
            try:
                content = json.loads(content)
            except json.JSONDecodeError as exc:
                raise SimulationError(f"policy {name!r} is not valid JSON ({exc})") from None
        if not isinstance(content, Mapping):
            raise SimulationError(f"policy {name!r} is not a JSON object")
        return cls(name, content, policy_type)

    def statements(self) -> list[Mapping[str, Any]]:
        found = self.document.get("Statement", [])
        return [found] if isinstance(found, Mapping) else list(found)


def full_aws_access() -> NamedPolicy:
    from landingzone.policies.catalog import FULL_AWS_ACCESS_CONTENT, FULL_AWS_ACCESS_NAME

    return NamedPolicy.parse(FULL_AWS_ACCESS_NAME, FULL_AWS_ACCESS_CONTENT)


def default_policy(policy_type: str) -> NamedPolicy:
    """The AWS-managed policy every target carries for a type (FullAWSAccess, RCPFullAWSAccess)."""
    from landingzone.policies.policy_types import policy_type as type_info

    found = type_info(policy_type).default_policy
    if found is None:
        raise SimulationError(f"{policy_type} has no default policy to evaluate")
    return NamedPolicy.parse(found.name, found.content)


@dataclass(frozen=True)
class TreeAccount:
    """A member account: where it sits and the SCPs attached to it directly."""

    name: str
    ou: str
    """OU path such as "Workloads/Prod", or "Root"."""
    policies: Sequence[NamedPolicy]
    account_id: str | None = None


@dataclass
class PolicyTree:
    """The SCPs attached to the root, each OU (by path) and each account. Build it from a configuration and
    its AttachmentPlan (:meth:`from_config`) or from what discovery found in an organization."""

    root: Sequence[NamedPolicy]
    ous: Mapping[str, Sequence[NamedPolicy]]
    accounts: Sequence[TreeAccount] = ()
    management_account_id: str | None = None
    management_account_name: str | None = "management"
    default: NamedPolicy | None = None
    """What a new account gets attached (FullAWSAccess when None)."""
    resource_policies: PolicyTree | None = None
    """The RCPs attached along the same tree, when the organization uses RCPs (None: the type is not enabled)."""
    organization_id: str | None = None
    managed_settings: PolicyTree | None = None
    """Account settings that declarative and S3 policies set and lock, as Deny statements on the account-level
    actions the service then refuses (one per attribute, Sid = the attribute)."""

    def account(self, ref: str) -> TreeAccount:
        for acct in self.accounts:
            if ref in (acct.name, acct.account_id):
                return acct
        raise SimulationError(f"{ref!r} is neither an account name nor an account id in the organization")

    def levels(self, ou: str, account: TreeAccount | None) -> list[tuple[str, Sequence[NamedPolicy]]]:
        """The levels a request passes, root first, each with the SCPs attached there."""
        levels: list[tuple[str, Sequence[NamedPolicy]]] = [("Root", self.root)]
        if ou != "Root":
            parts = ou.split("/")
            for depth in range(1, len(parts) + 1):
                path = "/".join(parts[:depth])
                if path not in self.ous:
                    raise SimulationError(f"{path!r} is not an OU path in the organization")
                levels.append((f"OU {path}", self.ous[path]))
        if account is not None:
            levels.append((f"account {account.name}", account.policies))
        else:
            # A new account placed in this OU gets the default policy and nothing else.
            default = self.default or full_aws_access()
            levels.append((f"account (new, {default.name} only)", [default]))
        return levels

    @classmethod
    def from_config(cls, cfg: LandingZoneConfig, plan: AttachmentPlan | None = None,
                    account_ids: Mapping[str, str] | None = None) -> PolicyTree:
        """The trees the landing zone would build: FullAWSAccess everywhere plus the planned SCPs, and when the
        plan holds RCPs, RCPFullAWSAccess everywhere plus those (:attr:`resource_policies`)."""
        from landingzone.policies.catalog import RenderContext, plan_attachments
        from landingzone.policies.policy_types import RCP, SCP

        plan = plan or plan_attachments(cfg)
        ids = dict(account_ids or {})
        org_id = RenderContext.from_config(cfg).organization_id

        def build(policy_type: str) -> PolicyTree:
            by_key = {p.key: NamedPolicy.parse(p.key, p.content) for p in plan.policies
                      if p.policy_type == policy_type}
            default = default_policy(policy_type)

            def attached(target: str) -> list[NamedPolicy]:
                return [default] + [by_key[k] for k in plan.per_target.get(target, []) if k in by_key]

            accounts = [TreeAccount(a.name, a.ou, attached(a.name), ids.get(a.name, a.existing_id))
                        for a in cfg.accounts]
            return cls(root=attached("Root"), ous={path: attached(path) for path in cfg.ou_paths()},
                       accounts=accounts, management_account_id=cfg.management_account.id, default=default,
                       organization_id=org_id)

        tree = build(SCP)
        if any(p.policy_type == RCP for p in plan.policies):
            tree.resource_policies = build(RCP)
        tree.managed_settings = _managed_settings(cfg, plan, ids)
        return tree


def _managed_settings(cfg: LandingZoneConfig, plan: AttachmentPlan, ids: Mapping[str, str]) -> PolicyTree | None:
    from landingzone.policies.catalog import default_catalog
    from landingzone.policies.policy_types import AUTHORIZATION_TYPES

    catalog = default_catalog()
    by_key: dict[str, NamedPolicy] = {}
    for planned in plan.policies:
        if planned.policy_type in AUTHORIZATION_TYPES:
            continue
        locks = catalog.get(planned.guardrail_id).locked_actions(json.loads(planned.content))
        statements = [{"Sid": attr, "Effect": "Deny", "Action": actions, "Resource": "*"}
                      for attr, actions in locks.items()]
        if statements:
            by_key[planned.key] = NamedPolicy(planned.key, {"Version": "2012-10-17", "Statement": statements},
                                              planned.policy_type)
    if not by_key:
        return None

    def attached(target: str) -> list[NamedPolicy]:
        return [by_key[k] for k in plan.per_target.get(target, []) if k in by_key]

    accounts = [TreeAccount(a.name, a.ou, attached(a.name), ids.get(a.name, a.existing_id)) for a in cfg.accounts]
    empty = NamedPolicy("none", {"Version": "2012-10-17", "Statement": []})
    return PolicyTree(root=attached("Root"), ous={p: attached(p) for p in cfg.ou_paths()}, accounts=accounts,
                      management_account_id=cfg.management_account.id, default=empty)


# ---- simulate ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The outcome and what decided it."""

    decision: Decision
    policy: str | None
    """The SCP that decided: the denying one, or for an allow the one that allowed at the account level.
    None when SCPs do not apply, or when a level allows nothing."""
    statement_sid: str | None
    reason: str
    level: str | None = None
    """Where the deciding policy is attached (Root, OU <path>, account <name>)."""
    allowed_by: Mapping[str, str] = field(default_factory=dict)
    """For each level, the policy/statement that allowed (for an allow, or up to the level that lacked one)."""
    policy_type: str | None = None
    """The type of the deciding policy: SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, or for a locked account
    setting DECLARATIVE_POLICY_EC2 / S3_POLICY (None when no policy decided)."""

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


SERVICE_LINKED_RE = re.compile(
    r"^arn:aws[a-z-]*:(iam::\d{12}:role/aws-service-role/|sts::\d{12}:assumed-role/AWSServiceRoleFor)")
SERVICE_PRINCIPAL_RE = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$")
"""An AWS service principal such as cloudtrail.amazonaws.com (not an ARN)."""
ARN_ACCOUNT_RE = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::(\d{12}):")
_SESSION_RE = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/")


def request_context(principal_arn: str, region: str | None,
                    extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """The global keys a request carries, derived from the principal; ``extra`` adds or overrides keys."""
    context: dict[str, Any] = {}
    session = _SESSION_RE.match(principal_arn)
    if session:
        # aws:PrincipalArn of an assumed-role session is the role ARN. The session ARN drops the role's path, so
        # pass aws:PrincipalArn in ``extra`` when the path matters.
        partition, acct, role = session.groups()
        context["aws:PrincipalArn"] = f"arn:{partition}:iam::{acct}:role/{role}"
    else:
        context["aws:PrincipalArn"] = principal_arn
    found = ARN_ACCOUNT_RE.match(principal_arn)
    if found:
        context["aws:PrincipalAccount"] = found.group(2)
    if principal_arn.endswith(":root"):
        context["aws:PrincipalType"] = "Account"
    elif ":role/" in principal_arn or ":assumed-role/" in principal_arn:
        context["aws:PrincipalType"] = "AssumedRole"
    elif ":user/" in principal_arn:
        context["aws:PrincipalType"] = "User"
    if SERVICE_PRINCIPAL_RE.match(principal_arn):
        context["aws:PrincipalIsAWSService"] = "true"
        context["aws:PrincipalServiceName"] = principal_arn
    else:
        context["aws:PrincipalIsAWSService"] = "false"
    if region:
        context["aws:RequestedRegion"] = region
    for key, value in (extra or {}).items():
        for existing in [k for k in context if k.lower() == key.lower()]:
            del context[existing]
        context[key] = value
    return context


def simulate(action: str, principal_arn: str, account: str | None = None, region: str | None = None,
             resource: str = "*", context: Mapping[str, Any] | None = None, *, tree: PolicyTree,
             ou: str | None = None) -> Verdict:
    """Would SCPs allow ``action`` by ``principal_arn`` in ``account`` (name or id)? Give ``ou`` instead of
    ``account`` to ask about a new account in that OU. ``resource`` is matched against Resource patterns
    literally: pass the ARN the request acts on when a guardrail is scoped to resources."""
    if account is None and ou is None:
        raise SimulationError("name an account (name or id) or an OU path")
    member_refs = {ref for a in tree.accounts for ref in (a.name, a.account_id) if ref}
    mgmt = {tree.management_account_id, tree.management_account_name} - {None}
    principal_account = ARN_ACCOUNT_RE.match(principal_arn)
    if (account is not None and account not in member_refs and account in mgmt) or (
            principal_account is not None and principal_account.group(2) == tree.management_account_id):
        return Verdict("allowed", None, None, "SCPs never apply to the management account")
    if SERVICE_LINKED_RE.match(principal_arn):
        return Verdict("allowed", None, None, "SCPs do not affect service-linked roles")
    member = tree.account(account) if account is not None else None
    levels = tree.levels(member.ou if member is not None else str(ou), member)
    ctx = request_context(principal_arn, region, context)

    for level, policies in levels:
        for policy in policies:
            for index, statement in enumerate(policy.statements()):
                if statement.get("Effect") == "Deny" and statement_applies(statement, action, resource, ctx):
                    sid = statement.get("Sid") or f"Statement[{index}]"
                    return Verdict("denied", policy.name, sid,
                                   f"explicit Deny in {policy.name} ({sid}) attached to {level}", level,
                                   policy_type="SERVICE_CONTROL_POLICY")
    locked = _locked_setting(tree, member, ou, action)
    if locked is not None:
        return locked
    allowed_by: dict[str, str] = {}
    last: tuple[str, str, str] | None = None
    for level, policies in levels:
        hit = first_allow(policies, action, resource, ctx)
        if hit is None:
            return Verdict("denied", None, None,
                           f"no SCP attached to {level} allows {action} (every level from the root down must "
                           "allow it; attach FullAWSAccess or an Allow there)", level, allowed_by)
        allowed_by[level] = f"{hit[0]}:{hit[1]}"
        last = (hit[0], hit[1], level)
    assert last is not None
    return Verdict("allowed", last[0], last[1],
                   f"no Deny applies and every level allows {action}", last[2], allowed_by,
                   policy_type="SERVICE_CONTROL_POLICY")


def _locked_setting(tree: PolicyTree, member: TreeAccount | None, ou: str | None, action: str) -> Verdict | None:
    settings = tree.managed_settings
    if settings is None:
        return None
    target = settings.account(member.name) if member is not None else None
    for level, policies in settings.levels(target.ou if target is not None else str(ou), target):
        for policy in policies:
            for statement in policy.statements():
                if statement_covers_action(statement, action):
                    from landingzone.policies.policy_types import policy_type as type_info

                    label = type_info(policy.policy_type).label
                    return Verdict("denied", policy.name, str(statement["Sid"]),
                                   f"the {label} {policy.name} attached to {level} sets and locks "
                                   f"{statement['Sid']}: account administrators cannot change it", level,
                                   policy_type=policy.policy_type)
    return None


def first_allow(policies: Sequence[NamedPolicy], action: str, resource: str,
                 ctx: Mapping[str, Any]) -> tuple[str, str] | None:
    for policy in policies:
        for index, statement in enumerate(policy.statements()):
            if statement.get("Effect") == "Allow" and statement_applies(statement, action, resource, ctx):
                return policy.name, statement.get("Sid") or f"Statement[{index}]"
    return None
