"""The guardrail catalog: policy templates as data, rendered with parameters, planned per target against the quotas
of their policy type.

Each guardrail is one JSON file beside this module (``<id>.json``): its Organizations policy type (SCP, RCP,
declarative policy for EC2, S3 policy), metadata (title, what it does and why, parameters with defaults and
validation, exemptions, canonical source with the date it was checked, compliance mappings, the alternative for
partitions that lack the type) and the template (see :mod:`landingzone.policies.templates`).

Rendering minifies (no whitespace): AWS counts every character of a policy as submitted against the size quota.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from landingzone.constants import ROOT_OU
from landingzone.errors import ConfigError, ConfigProblem, QuotaError
from landingzone.policies.guardrail import (
    Exemption,
    Guardrail,
    GuardrailAlternative,
    GuardrailMappings,
    GuardrailSource,
    minify,
)
from landingzone.policies.policy_types import POLICY_TYPES, SCP, PolicyType, limits, policy_type
from landingzone.policies.templates import (
    CONTEXT_FIELDS,
    LIST_TYPES,
    GuardrailParameter,
    ParameterType,
    RenderContext,
    trail_bucket_pattern,
)

__all__ = ["CONTEXT_FIELDS", "LIST_TYPES", "Exemption", "Guardrail", "GuardrailAlternative", "GuardrailMappings",
           "GuardrailParameter", "GuardrailSource", "ParameterType", "RenderContext", "minify",
           "trail_bucket_pattern"]

if TYPE_CHECKING:
    # Types only: the configuration's cross-field rules use this catalog, so it imports no config at run time.
    from landingzone.config import LandingZoneConfig, QuotaConfig

FULL_AWS_ACCESS_NAME = "FullAWSAccess"
"""The AWS-managed SCP attached to every root, OU and account by default. It takes one of the attachment slots."""
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS_CONTENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
STRICT_ORG_ADMIN_PROTECTION = "protect-org-admin-roles-strict"
"""The guardrail the guardrails stage attaches to the root when administration roles exist and no
protect-org-admin-roles guardrail is assigned: it protects every principal the library's exemptions name."""


# ---- the catalog ---------------------------------------------------------------------------------------------


class GuardrailCatalog:
    """All guardrails of the library, by id, in id order."""

    def __init__(self, guardrails: Iterable[Guardrail]) -> None:
        self._by_id: dict[str, Guardrail] = {}
        for guard in sorted(guardrails, key=lambda g: g.id):
            if guard.id in self._by_id:
                raise ValueError(f"guardrail {guard.id!r} is defined twice")
            self._by_id[guard.id] = guard

    @classmethod
    def from_directory(cls, directory: Path) -> GuardrailCatalog:
        """Load every ``*.json`` in a directory; the file name (without .json) must equal the id."""
        guards = []
        for path in sorted(Path(directory).glob("*.json")):
            guards.append(load_guardrail(path.read_text(encoding="utf-8"), source=path.name,
                                         expected_id=path.stem))
        return cls(guards)

    def __iter__(self) -> Iterator[Guardrail]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, gid: object) -> bool:
        return gid in self._by_id

    def ids(self) -> list[str]:
        return list(self._by_id)

    def get(self, gid: str) -> Guardrail:
        """The guardrail with this id; ConfigError (naming the closest ids) when there is none."""
        try:
            return self._by_id[gid]
        except KeyError:
            raise ConfigError([ConfigProblem("id", self.unknown_id_message(gid), gid)]) from None

    def unknown_id_message(self, gid: str) -> str:
        close = difflib.get_close_matches(gid, self.ids(), n=2, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return f"{gid!r} is not a guardrail in the library{hint} (`landingzone policies list` shows them)"

    def render(self, gid: str, params: Mapping[str, Any] | None = None,
               context: RenderContext | None = None) -> str:
        """Parameters in, minified JSON out."""
        return self.get(gid).render(params, context)

    def config_problems(self, cfg: LandingZoneConfig) -> Iterator[ConfigProblem]:
        """Guardrail assignments that name no guardrail, or whose parameters do not validate."""
        context = RenderContext.from_config(cfg)
        for gi, assignment in enumerate(cfg.guardrails):
            if assignment.id not in self:
                yield ConfigProblem(f"guardrails[{gi}].id", self.unknown_id_message(assignment.id), assignment.id)
                continue
            guard = self.get(assignment.id)
            info = policy_type(guard.policy_type)
            if not info.available_in(context.partition):
                fallback = (f"; use {guard.alternative.guardrail} instead" if guard.alternative is not None
                            and guard.alternative.relation == "fallback" else "")
                yield ConfigProblem(f"guardrails[{gi}].id", f"{guard.id} is of policy type {guard.policy_type} "
                                    f"({info.title}), not known to be available in partition {context.partition}"
                                    f"{fallback}", assignment.id)
                continue
            problems = guard.parameter_problems(assignment.parameters, context)
            for problem in problems:
                yield ConfigProblem(f"guardrails[{gi}].{problem.path}", problem.message, problem.value)
            if not problems:
                try:
                    guard.resolve_parameters(assignment.parameters, context)
                except ConfigError as exc:
                    for problem in exc.problems:
                        yield ConfigProblem(f"guardrails[{gi}].{problem.path}", problem.message, problem.value)


def load_guardrail(text: str, *, source: str = "<text>", expected_id: str | None = None) -> Guardrail:
    """Parse and validate one guardrail data file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source}: not valid JSON ({exc})") from None
    try:
        guard = Guardrail.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{source}: not a valid guardrail: {exc}") from None
    if expected_id is not None and guard.id != expected_id:
        raise ValueError(f"{source}: id {guard.id!r} differs from the file name {expected_id!r}")
    return guard


@functools.cache
def default_catalog() -> GuardrailCatalog:
    """The library shipped with the package (the JSON files beside this module)."""
    guards = []
    for entry in sorted(resources.files(__package__ or "landingzone.policies").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            guards.append(load_guardrail(entry.read_text(encoding="utf-8"), source=entry.name,
                                         expected_id=entry.name[: -len(".json")]))
    return GuardrailCatalog(guards)


def guardrail_problems(cfg: LandingZoneConfig, catalog: GuardrailCatalog | None = None) -> Iterator[ConfigProblem]:
    """The configuration cross-check: every guardrail id exists and its parameters validate."""
    return (catalog or default_catalog()).config_problems(cfg)


# ---- attachment plan -----------------------------------------------------------------------------------------


TargetKind = Literal["root", "ou", "account"]


@dataclass
class PlannedPolicy:
    """One Organizations policy to create: rendered content and the targets (as the config names them) it is
    attached to."""

    key: str
    """Stable key within the plan: the guardrail id, or ``<id>-2``... when one id is used with other
    parameters. The guardrails stage exports policy ids under these keys."""
    guardrail_id: str
    name: str
    """Policy name: ``<landing zone name>-<key>``."""
    description: str
    content: str
    """Minified JSON."""
    targets: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    """The parameters given in the configuration (defaults not filled in)."""
    policy_type: PolicyType = SCP
    added_by_landing_zone: bool = False
    """True for the strict org-admin protection the stage adds when the configuration assigns none."""

    @property
    def characters(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class TargetUsage:
    """Quota use of one policy type on one root, OU or account."""

    target: str
    kind: TargetKind
    attached: int
    """Directly attached policies of the type, its AWS-managed default included (inherited ones do not count)."""
    limit: int
    largest_policy_chars: int
    """Size of the largest policy of the type attached here, the default policy included."""
    max_characters: int
    policy_type: PolicyType = SCP

    @property
    def over_limit(self) -> bool:
        return self.attached > self.limit

    @property
    def free(self) -> int:
        return self.limit - self.attached


@dataclass
class AttachmentPlan:
    """Which policies to create and where to attach them. The AWS-managed defaults (FullAWSAccess,
    RCPFullAWSAccess) stay attached everywhere (deny-list strategy), so they count toward every target's quota
    but are not among ``policies``."""

    policies: list[PlannedPolicy]
    per_target: dict[str, list[str]]
    """Policy keys per target, for targets that get at least one library policy (every type)."""
    targets: list[tuple[str, TargetKind]]
    """Every root, OU and account of the organization, with its kind (Root first, then OUs, then accounts)."""

    def policy(self, key: str) -> PlannedPolicy:
        for planned in self.policies:
            if planned.key == key:
                return planned
        raise KeyError(key)

    def policy_types(self) -> list[PolicyType]:
        """The policy types the plan uses, SCP first (always, since FullAWSAccess is everywhere)."""
        used = {p.policy_type for p in self.policies} | {SCP}
        return [t for t in POLICY_TYPES if t in used]

    def keys_of_type(self, target: str, policy_type_name: str) -> list[str]:
        return [k for k in self.per_target.get(target, []) if self.policy(k).policy_type == policy_type_name]

    def usage(self, quotas: QuotaConfig | None = None, policy_type_name: PolicyType = SCP) -> list[TargetUsage]:
        """Quota use of one type (SCP by default) on every target."""
        per_target, max_chars = limits(policy_type_name, quotas)
        default = policy_type(policy_type_name).default_policy
        result = []
        for target, kind in self.targets:
            keys = self.keys_of_type(target, policy_type_name)
            sizes = ([len(default.content)] if default else []) + [self.policy(k).characters for k in keys]
            result.append(TargetUsage(target=target, kind=kind, attached=len(keys) + (1 if default else 0),
                                      limit=per_target, largest_policy_chars=max(sizes, default=0),
                                      max_characters=max_chars, policy_type=policy_type_name))
        return result

    def usage_by_type(self, quotas: QuotaConfig | None = None) -> dict[PolicyType, list[TargetUsage]]:
        return {t: self.usage(quotas, t) for t in self.policy_types()}

    def check_quotas(self, quotas: QuotaConfig | None = None) -> None:
        """Raise QuotaError when a target would hold more policies of a type than allowed or a policy is too
        large for its type."""
        lines: list[str] = []
        first: tuple[str, int, int] | None = None
        for type_name, uses in self.usage_by_type(quotas).items():
            info = policy_type(type_name)
            default = info.default_policy
            for use in uses:
                if not use.over_limit:
                    continue
                keys = ", ".join(self.keys_of_type(use.target, type_name))
                listed = f"{default.name} + {keys}" if default else keys
                lines.append(f"{use.target!r} would have {use.attached} {info.label}s attached ({listed}); the "
                             f"limit is {use.limit} per target. Move some guardrails to a parent OU (inherited "
                             "policies do not count) or merge them.")
                first = first or (use.target, use.attached, use.limit)
        for planned in self.policies:
            _, max_chars = limits(planned.policy_type, quotas)
            if planned.characters > max_chars:
                label = policy_type(planned.policy_type).label
                lines.append(f"{label} {planned.key!r} has {planned.characters} characters; the limit is "
                             f"{max_chars}. Split it or drop actions.")
                first = first or (planned.key, planned.characters, max_chars)
        if first is None:
            return
        raise QuotaError("policy quota exceeded:\n  " + "\n  ".join(lines), target=first[0], count=first[1],
                         limit=first[2])


def needs_org_admin_protection(cfg: LandingZoneConfig) -> bool:
    """True when the landing zone creates administration roles and no protect-org-admin-roles guardrail is
    assigned: then protect-org-admin-roles-strict goes on the root, since the roles, and the access role every
    exemption names, must never be left open to whoever can create or change a role."""
    if not cfg.org_admin.role_names or not cfg.accounts:
        return False
    return not any(g.id.startswith("protect-org-admin-roles") for g in cfg.guardrails)


def effective_assignments(cfg: LandingZoneConfig) -> list[tuple[str, dict[str, Any], list[str], bool]]:
    """(guardrail id, parameters, targets, added by the landing zone) of every guardrail the stage attaches."""
    found = [(g.id, dict(g.parameters), list(g.targets), False) for g in cfg.guardrails]
    if needs_org_admin_protection(cfg):
        found.append((STRICT_ORG_ADMIN_PROTECTION, {}, [ROOT_OU], True))
    return found


def plan_attachments(cfg: LandingZoneConfig, catalog: GuardrailCatalog | None = None,
                     context: RenderContext | None = None) -> AttachmentPlan:
    """Render every guardrail the configuration assigns (plus the strict org-admin protection the stage adds when
    none is assigned) and group identical policies into one policy each. ``context`` overrides the render
    context (the guardrails stage passes the organization's real id)."""
    catalog = catalog or default_catalog()
    context = context or RenderContext.from_config(cfg)
    policies: list[PlannedPolicy] = []
    by_content: dict[tuple[str, str], PlannedPolicy] = {}
    uses: dict[str, int] = {}
    for gid, parameters, assigned_targets, added in effective_assignments(cfg):
        guard = catalog.get(gid)
        content = guard.render(parameters, context)
        planned = by_content.get((guard.id, content))
        if planned is None:
            uses[guard.id] = uses.get(guard.id, 0) + 1
            key = guard.id if uses[guard.id] == 1 else f"{guard.id}-{uses[guard.id]}"
            planned = PlannedPolicy(key=key, guardrail_id=guard.id, name=f"{cfg.name}-{key}"[:128],
                                    description=guard.title[:512], content=content,
                                    parameters=parameters, policy_type=guard.policy_type,
                                    added_by_landing_zone=added)
            by_content[(guard.id, content)] = planned
            policies.append(planned)
        for target in assigned_targets:
            if target not in planned.targets:
                planned.targets.append(target)
    per_target: dict[str, list[str]] = {}
    for planned in policies:
        for target in planned.targets:
            per_target.setdefault(target, []).append(planned.key)
    targets: list[tuple[str, TargetKind]] = [(ROOT_OU, "root")]
    targets += [(path, "ou") for path in cfg.ou_paths()]
    targets += [(acct.name, "account") for acct in cfg.accounts]
    return AttachmentPlan(policies=policies, per_target=per_target, targets=targets)
