"""The rules that span fields of a configuration: unique names, exactly one Security account, OU references,
guardrail targets and parameters, regions, network roles. Each yields one problem naming the field and the fix.

The model (:mod:`landingzone.config.model`) runs them once its fields are valid; this module knows the model only
as a type, so the two do not import each other at run time.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import TYPE_CHECKING

from landingzone.config.enums import WORKLOAD_ACCOUNT_KINDS, AccountKind, QueryLayer
from landingzone.config.governance import governance_problems
from landingzone.config.identity_center_rules import identity_center_problems
from landingzone.constants import MANAGEMENT_BASELINE, ROOT_OU
from landingzone.errors import ConfigProblem
from landingzone.policies.catalog import guardrail_problems

if TYPE_CHECKING:
    from landingzone.config.model import LandingZoneConfig, OrganizationalUnit

MAX_OU_DEPTH = 5
"""AWS Organizations allows OUs nested at most five levels below the root."""
ADMIN_PORTS = (22, 3389)
LAKE_RETENTION_RANGE = (7, 3653)


def _ou_depths(ous: list[OrganizationalUnit], loc: str, depth: int = 1) -> Iterator[tuple[str, int, str]]:
    for i, ou in enumerate(ous):
        here = f"{loc}[{i}]"
        yield here, depth, ou.name
        yield from _ou_depths(ou.children, f"{here}.children", depth + 1)


def cross_field_problems(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """The rules that span fields. Each yields one problem naming the field and the fix."""
    # Accounts: unique names and emails, never the management account.
    seen_names: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    mgmt_email = cfg.management_account.email.lower()
    for i, acct in enumerate(cfg.accounts):
        if acct.name in seen_names:
            yield ConfigProblem(f"accounts[{i}].name", f"{acct.name!r} is already the name of accounts"
                                f"[{seen_names[acct.name]}]; account names must be unique", acct.name)
        else:
            seen_names[acct.name] = i
        email = acct.email.lower()
        if email in seen_emails:
            yield ConfigProblem(f"accounts[{i}].email", f"{acct.email!r} is already the email of accounts"
                                f"[{seen_emails[email]}]; every account needs its own email", acct.email)
        else:
            seen_emails[email] = i
        if email == mgmt_email:
            yield ConfigProblem(f"accounts[{i}].email", f"{acct.email!r} is the management account's email; the "
                                "management account runs no workloads, use a new account", acct.email)
        if acct.existing_id is not None and acct.existing_id == cfg.management_account.id:
            yield ConfigProblem(f"accounts[{i}].existing_id", f"{acct.existing_id!r} is the management account; "
                                "member accounts must be other accounts", acct.existing_id)

    # Exactly one Security account.
    security = [i for i, a in enumerate(cfg.accounts) if a.kind == AccountKind.SECURITY]
    if len(security) != 1:
        where = "accounts" if not security else f"accounts[{security[1]}].kind"
        yield ConfigProblem(where, f"exactly one account of kind 'security' is needed, found {len(security)}; "
                            "it is the delegated administrator for CloudTrail and the security services",
                            len(security))
    archives = [i for i, a in enumerate(cfg.accounts) if a.kind == AccountKind.LOG_ARCHIVE]
    if len(archives) > 1:
        yield ConfigProblem(f"accounts[{archives[1]}].kind", "at most one account of kind 'log-archive'",
                            "log-archive")

    # Production and development never share an account: the kinds are exclusive per account, but the same
    # existing account id may not appear twice (that would be one account serving both).
    by_id: dict[str, int] = {}
    for i, acct in enumerate(cfg.accounts):
        if acct.existing_id is None:
            continue
        if acct.existing_id in by_id:
            other = cfg.accounts[by_id[acct.existing_id]]
            kinds = {acct.kind, other.kind}
            if kinds == {AccountKind.PRODUCTION, AccountKind.DEVELOPMENT}:
                msg = (f"{acct.existing_id!r} is also accounts[{by_id[acct.existing_id]}] ({other.kind}); "
                       "production and development must never share an account")
            else:
                msg = f"{acct.existing_id!r} is already accounts[{by_id[acct.existing_id]}]; ids must be unique"
            yield ConfigProblem(f"accounts[{i}].existing_id", msg, acct.existing_id)
        else:
            by_id[acct.existing_id] = i

    # Management account confirmation (practice management-account: brand-new, empty).
    if not cfg.management_account.new_and_empty and cfg.organization.existing_id is None:
        yield ConfigProblem("management_account.new_and_empty", "confirm that the management account is new and "
                            "runs no workloads (set to true), or adopt an existing organization with "
                            "organization.existing_id", False)
    if cfg.organization.existing_id and not cfg.organization.existing_root_id:
        yield ConfigProblem("organization.existing_root_id", "adopting an existing organization needs its root "
                            "id (r-xxxx; `aws organizations list-roots`)", None)

    # OU tree: unique sibling names, depth at most 5.
    def siblings(ous: list[OrganizationalUnit], loc: str) -> Iterator[ConfigProblem]:
        names: set[str] = set()
        for i, ou in enumerate(ous):
            if ou.name in names:
                yield ConfigProblem(f"{loc}[{i}].name", f"{ou.name!r} appears twice under the same parent", ou.name)
            names.add(ou.name)
            yield from siblings(ou.children, f"{loc}[{i}].children")

    yield from siblings(cfg.organizational_units, "organizational_units")
    for loc, depth, name in _ou_depths(cfg.organizational_units, "organizational_units"):
        if depth > MAX_OU_DEPTH:
            yield ConfigProblem(loc, f"OU {name!r} is nested {depth} levels deep; AWS Organizations allows at "
                                f"most {MAX_OU_DEPTH}", depth)
    ou_paths = {ROOT_OU, *cfg.ou_paths()}
    for i, acct in enumerate(cfg.accounts):
        if acct.ou not in ou_paths:
            yield ConfigProblem(f"accounts[{i}].ou", f"{acct.ou!r} is not an OU path; use 'Root' or one of "
                                f"{_few(sorted(ou_paths - {ROOT_OU}))}", acct.ou)

    # Guardrail targets resolve to Root, an OU or an account.
    names = {a.name for a in cfg.accounts}
    for gi, guard in enumerate(cfg.guardrails):
        for ti, target in enumerate(guard.targets):
            if target not in ou_paths and target not in names:
                yield ConfigProblem(f"guardrails[{gi}].targets[{ti}]", f"{target!r} is neither 'Root', an OU path "
                                    "nor an account name", target)

    # Guardrail ids exist in the library and their parameters validate.
    yield from guardrail_problems(cfg)

    # Account governance: retired accounts, budgets, the region-deny guardrail against the governed regions.
    yield from governance_problems(cfg)

    # Regions.
    if cfg.home_region not in cfg.governed_regions:
        yield ConfigProblem("governed_regions", f"the home region {cfg.home_region!r} must be one of the "
                            "governed regions", cfg.governed_regions)

    # Security services: each one turned on needs the Security account as its delegated administrator.
    yield from security_service_problems(cfg)
    # Identity Center: names, references, policies, the management account for break-glass only.
    yield from identity_center_problems(cfg)

    # Baseline: one stack per account, the management account's named "management".
    for i, acct in enumerate(cfg.accounts):
        if acct.name == MANAGEMENT_BASELINE:
            yield ConfigProblem(f"accounts[{i}].name", f"{acct.name!r} names the management account's baseline "
                                "stack; give the member account another name", acct.name)
    for region in cfg.baseline.ebs_default_kms_keys:
        if region not in cfg.governed_regions:
            yield ConfigProblem(f"baseline.ebs_default_kms_keys.{region}", f"{region!r} is not a governed region; "
                                f"use one of {_few(cfg.governed_regions)} or remove the entry", region)

    # Logging.
    low, high = LAKE_RETENTION_RANGE
    if cfg.logging.query_layer == QueryLayer.LAKE and not low <= cfg.logging.lake_retention_days <= high:
        yield ConfigProblem("logging.lake_retention_days", f"{cfg.logging.lake_retention_days} is outside "
                            f"{low}..{high} days, the range CloudTrail Lake accepts", cfg.logging.lake_retention_days)

    # Network.
    net_accounts: set[str] = set()
    for ni, net in enumerate(cfg.network):
        loc = f"network[{ni}]"
        if net.account in net_accounts:
            yield ConfigProblem(f"{loc}.account", f"{net.account!r} has network settings twice; merge them",
                                net.account)
        net_accounts.add(net.account)
        if net.account not in names:
            yield ConfigProblem(f"{loc}.account", f"{net.account!r} is not an account name", net.account)
        elif cfg.account(net.account).kind not in WORKLOAD_ACCOUNT_KINDS:
            yield ConfigProblem(f"{loc}.account", f"{net.account!r} is a {cfg.account(net.account).kind} account; "
                                "network settings are for workload accounts", net.account)
        if (net.vpc_id is None) == (net.vpc_cidr is None):
            yield ConfigProblem(f"{loc}.vpc_id", "give exactly one of vpc_id (existing VPC) or vpc_cidr (VPC to "
                                "create)", net.vpc_id)
        role_names: set[str] = set()
        for ri, role in enumerate(net.roles):
            if role.name in role_names:
                yield ConfigProblem(f"{loc}.roles[{ri}].name", f"{role.name!r} is declared twice", role.name)
            role_names.add(role.name)
        for ri, rule in enumerate(net.rules):
            for end in ("source", "target"):
                role_name = getattr(rule, end)
                if role_name not in role_names:
                    yield ConfigProblem(f"{loc}.rules[{ri}].{end}", f"{role_name!r} is not a declared role; declare "
                                        f"it under {loc}.roles", role_name)
            if rule.to_port is not None and rule.to_port < rule.port:
                yield ConfigProblem(f"{loc}.rules[{ri}].to_port", f"{rule.to_port} is below port {rule.port}",
                                    rule.to_port)
        for ei, edge in enumerate(net.edge_ingress):
            if edge.role not in role_names:
                yield ConfigProblem(f"{loc}.edge_ingress[{ei}].role", f"{edge.role!r} is not a declared role",
                                    edge.role)
            if edge.port in ADMIN_PORTS and ipaddress.ip_network(edge.cidr).prefixlen == 0:
                yield ConfigProblem(f"{loc}.edge_ingress[{ei}].cidr", f"{edge.cidr!r} opens admin port {edge.port} "
                                    "to the whole internet; use a VPN or bastion range, or Session Manager", edge.cidr)


def _few(items: list[str], limit: int = 6) -> str:
    if not items:
        return "(no OUs are declared)"
    shown = ", ".join(repr(i) for i in items[:limit])
    return shown + (", ..." if len(items) > limit else "")


def security_service_problems(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """A service turned on under security_services must be delegated (organization.security_services): the stage
    enables it from the Security account as delegated administrator, which nothing else designates."""
    from landingzone.config.security_services import SERVICE_FIELDS

    delegated = {s.value for s in cfg.organization.security_services}
    for name, service in SERVICE_FIELDS.items():
        # (a service left at its default already follows the delegation; this is an explicit enabled: true)
        if getattr(cfg.security_services, name).enabled and service not in delegated:
            yield ConfigProblem(
                f"security_services.{name}.enabled",
                f"{service} is turned on but not delegated to the Security account; add {service!r} to "
                f"organization.security_services, or set security_services.{name}.enabled: false", True)
