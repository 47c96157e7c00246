"""The rules of the ``identity_center`` section that span fields, and the views the stages, the plan and the
wizard share: which account administers Identity Center, and which accounts an assignment reaches.

Each rule yields one problem naming the field and the fix. This module knows the model only as a type.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from landingzone.config.enums import AccountKind
from landingzone.config.identity_center import (
    MANAGEMENT_TARGET,
    aws_managed_policies,
    managed_policy_path,
)
from landingzone.constants import ROOT_OU
from landingzone.errors import ConfigProblem

if TYPE_CHECKING:
    from landingzone.config.identity_center import IdentityCenterConfig
    from landingzone.config.model import LandingZoneConfig


def administrator_account(cfg: LandingZoneConfig) -> str | None:
    """The member account that administers Identity Center: the configured one, else the shared-services
    account; None when there is neither (a configuration problem)."""
    ic = cfg.identity_center
    if ic is None:
        return None
    if ic.administrator_account is not None:
        return ic.administrator_account
    shared = [a.name for a in cfg.accounts if a.kind == AccountKind.SHARED_SERVICES]
    return shared[0] if shared else None


def target_accounts(cfg: LandingZoneConfig, target: str) -> list[str]:
    """The account names a target reaches: an account; every account in an OU and below it; every member
    account for "Root"; ``management`` for the management account. Unknown targets reach nothing."""
    if target == MANAGEMENT_TARGET:
        return [MANAGEMENT_TARGET]
    if target == ROOT_OU:
        return [a.name for a in cfg.accounts]
    names = {a.name for a in cfg.accounts}
    if target in names:
        return [target]
    return [a.name for a in cfg.accounts if a.ou == target or a.ou.startswith(f"{target}/")]


@dataclass(frozen=True, order=True)
class Grant:
    """One account assignment: members of ``group`` reach ``account`` with ``permission_set``."""

    account: str
    """Account name, or ``management``."""
    permission_set: str
    group: str


def grants(cfg: LandingZoneConfig) -> list[Grant]:
    """Every (account, permission set, group) the assignments give, each once, sorted by account."""
    ic = cfg.identity_center
    if ic is None:
        return []
    found: set[Grant] = set()
    for assignment in ic.assignments:
        for target in assignment.targets:
            for account in target_accounts(cfg, target):
                found.add(Grant(account, assignment.permission_set, assignment.group))
    return sorted(found)


def management_permission_sets(ic: IdentityCenterConfig) -> set[str]:
    """Permission sets assigned to the management account. AWS lets only the management account manage a
    permission set provisioned there, so stage management_access owns them and all their assignments."""
    return {a.permission_set for a in ic.assignments if MANAGEMENT_TARGET in a.targets}


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"declare it, or use one of {', '.join(map(repr, known[:6])) or '(none declared)'}"


def identity_center_problems(cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
    """Names unique, references known, AWS managed policies known, the management account break-glass only."""
    ic = cfg.identity_center
    if ic is None:
        return
    loc = "identity_center"
    account_names = {a.name for a in cfg.accounts}

    admin = administrator_account(cfg)
    if ic.administrator_account is not None and ic.administrator_account not in account_names:
        fix = ("the management account must not administer Identity Center (AWS recommends a member account)"
               if ic.administrator_account == MANAGEMENT_TARGET else _suggest(ic.administrator_account,
                                                                             sorted(account_names)))
        yield ConfigProblem(f"{loc}.administrator_account", f"{ic.administrator_account!r} is not a member "
                            f"account; {fix}", ic.administrator_account)
    elif admin is None:
        yield ConfigProblem(f"{loc}.administrator_account", "no account administers Identity Center: name a member "
                            "account here, or add an account of kind 'shared-services' (the default)", None)
    if (ic.instance_arn is None) != (ic.identity_store_id is None):
        missing = "identity_store_id" if ic.identity_store_id is None else "instance_arn"
        yield ConfigProblem(f"{loc}.{missing}", "give instance_arn and identity_store_id together, or neither (then "
                            "both are found with `aws sso-admin list-instances`)", None)

    # Permission sets: unique names, known AWS managed policies.
    seen: set[str] = set()
    known_policies = aws_managed_policies()
    for pi, pset in enumerate(ic.permission_sets):
        if pset.name in seen:
            yield ConfigProblem(f"{loc}.permission_sets[{pi}].name", f"{pset.name!r} is declared twice; permission "
                                "set names are unique in the instance", pset.name)
        seen.add(pset.name)
        boundary = pset.permissions_boundary
        refs = [(f"{loc}.permission_sets[{pi}].managed_policies[{mi}]", ref, pset.managed_policies is None)
                for mi, ref in enumerate(pset.effective_managed_policies)]
        if boundary is not None and boundary.managed_policy is not None:
            refs.append((f"{loc}.permission_sets[{pi}].permissions_boundary.managed_policy",
                         boundary.managed_policy, False))
        for where, ref, from_preset in refs:
            if ref.startswith("arn:") or managed_policy_path(ref) in known_policies:
                continue
            if from_preset:
                where = f"{loc}.permission_sets[{pi}].preset"
            close = difflib.get_close_matches(ref, sorted(known_policies), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            yield ConfigProblem(where, f"{ref!r} is not an AWS managed policy; {hint}write it with its path (e.g. "
                                "job-function/Billing), or give its full ARN if it is newer than landingzone's list",
                                ref)
        if not (pset.effective_managed_policies or pset.customer_managed_policies or pset.inline_policy):
            yield ConfigProblem(f"{loc}.permission_sets[{pi}]", f"{pset.name!r} grants nothing; add a preset, "
                                "managed_policies, customer_managed_policies or an inline_policy", pset.name)

    # Groups: unique display names.
    group_names: set[str] = set()
    for gi, group in enumerate(ic.groups):
        if group.name.lower() in group_names:
            yield ConfigProblem(f"{loc}.groups[{gi}].name", f"{group.name!r} is declared twice (display names are "
                                "unique in the identity store, ignoring case)", group.name)
        group_names.add(group.name.lower())
    declared_groups = [g.name for g in ic.groups]
    if ic.break_glass_group is not None and ic.break_glass_group not in declared_groups:
        yield ConfigProblem(f"{loc}.break_glass_group", f"{ic.break_glass_group!r} is not a declared group; "
                            f"{_suggest(ic.break_glass_group, declared_groups)}", ic.break_glass_group)

    # Assignments: known group, permission set and targets; the management account for break-glass only.
    pset_names = [p.name for p in ic.permission_sets]
    ou_paths = set(cfg.ou_paths())
    for ai, assignment in enumerate(ic.assignments):
        here = f"{loc}.assignments[{ai}]"
        if assignment.group not in declared_groups:
            yield ConfigProblem(f"{here}.group", f"{assignment.group!r} is not a declared group; "
                                f"{_suggest(assignment.group, declared_groups)} (under identity_center.groups)",
                                assignment.group)
        if assignment.permission_set not in pset_names:
            yield ConfigProblem(f"{here}.permission_set", f"{assignment.permission_set!r} is not a declared "
                                f"permission set; {_suggest(assignment.permission_set, pset_names)} (under "
                                "identity_center.permission_sets; presets are declared with preset: NAME)",
                                assignment.permission_set)
        for ti, target in enumerate(assignment.targets):
            if target == MANAGEMENT_TARGET:
                if assignment.group != ic.break_glass_group:
                    yield ConfigProblem(f"{here}.targets[{ti}]", f"only the break-glass group may be assigned to "
                                        f"the management account, not {assignment.group!r}; remove 'management' "
                                        "from the targets (nobody uses the management account day to day; the "
                                        "emergency group is identity_center.break_glass_group)", target)
                continue
            if target != ROOT_OU and target not in account_names and target not in ou_paths:
                yield ConfigProblem(f"{here}.targets[{ti}]", f"{target!r} is neither 'Root', 'management', an OU "
                                    f"path nor an account name; {_suggest(target, sorted(ou_paths | account_names))}",
                                    target)

    # A permission set in the management account is owned there (AWS: only the management account manages it).
    in_management = management_permission_sets(ic)
    for pi, pset in enumerate(ic.permission_sets):
        if pset.name in in_management and pset.customer_managed_policies:
            yield ConfigProblem(f"{loc}.permission_sets[{pi}].customer_managed_policies", f"{pset.name!r} is "
                                "assigned to the management account, where customer managed policies would have "
                                "to be created by hand; use managed or inline policies for break-glass",
                                pset.name)

    for ui, user in enumerate(ic.break_glass_iam_users):
        if user.account not in account_names:
            yield ConfigProblem(f"{loc}.break_glass_iam_users[{ui}].account", f"{user.account!r} is not a member "
                                f"account; {_suggest(user.account, sorted(account_names))}", user.account)
