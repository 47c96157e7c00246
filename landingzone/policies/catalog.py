"""The guardrail catalog: SCP templates as data, rendered with parameters, planned per target against the quotas.

Each guardrail is one JSON file beside this module (``<id>.json``): metadata (title, what it denies and why,
parameters with defaults and validation, exemptions, canonical source, compliance mappings) and the policy
template. Templates stay plain IAM JSON with two additions, both resolved at render time:

- ``"${name}"`` stands for parameter ``name``. A string that is exactly one placeholder takes the parameter's
  value (a list stays a list); a placeholder inside a longer string is replaced by the value's text. IAM policy
  variables such as ``${aws:username}`` contain a colon and are left alone.
- ``"${partition}"`` is not a parameter: it is always the ARN partition of the home region (``aws``,
  ``aws-cn``, ``aws-us-gov``), so that ARNs in a template match in every partition.
- ``{"$if": "name", "value": X}`` as the value of a key or a list item means X when parameter ``name`` is
  non-empty, and the key or item is left out otherwise (an optional exemption condition, for example).

Rendering minifies (no whitespace): AWS counts every character of an SCP as submitted against the size quota.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from landingzone.constants import (
    DEFAULT_ACCESS_ROLE_NAME,
    DEFAULT_ORG_ADMIN_PATH,
    ROOT_OU,
    SCP_MAX_CHARACTERS,
    SCP_PER_TARGET,
    known_regions,
    partition,
)
from landingzone.errors import ConfigError, ConfigProblem, QuotaError

if TYPE_CHECKING:
    # Types only: the configuration's cross-field rules use this catalog, so it imports no config at run time.
    from landingzone.config import LandingZoneConfig, QuotaConfig

FULL_AWS_ACCESS_NAME = "FullAWSAccess"
"""The AWS-managed SCP attached to every root, OU and account by default. It takes one of the attachment slots."""
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS_CONTENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'

ParameterType = Literal["string", "integer", "iam_path", "region_list", "arn_pattern_list", "string_list"]
LIST_TYPES: frozenset[str] = frozenset({"region_list", "arn_pattern_list", "string_list"})

CONTEXT_PLACEHOLDERS: frozenset[str] = frozenset({"partition"})
"""Placeholders every template may use without declaring them: values of the RenderContext, not parameters."""
_PLACEHOLDER_RE = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")
_WHOLE_PLACEHOLDER_RE = re.compile(r"^\$\{([a-z_][a-z0-9_]*)\}$")
_IAM_PATH_RE = re.compile(r"^/([\w+=,.@-]+/)*$")
_ARN_PATTERN_RE = re.compile(
    r"^arn:(\*|aws|aws-cn|aws-us-gov|aws-eusc|aws-iso[a-z-]*):[a-z0-9*-]*:[a-z0-9*-]*:(\*|\d{12}|):\S+$")
_ID_RE = re.compile(r"^[a-z][a-z0-9-]{2,63}$")


# ---- render context ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderContext:
    """Configuration-derived values that parameters may take as defaults (``default_from`` in a template)."""

    governed_regions: tuple[str, ...] = ("us-east-1",)
    """Regions workloads may use; deny-unapproved-regions allows exactly these by default."""
    org_admin_path: str = DEFAULT_ORG_ADMIN_PATH
    """IAM path of the administration roles the protect-org-admin-roles guardrails protect."""
    access_role_name: str = DEFAULT_ACCESS_ROLE_NAME
    """Role the management account assumes in member accounts to build the landing zone."""
    trail_name: str = "organization-trail"
    """Name of the organization trail."""
    trail_bucket_pattern: str = "landingzone-org-trail-*"
    """Name pattern of the trail bucket: ``<landing zone name>-org-trail-*`` (the logging stage's naming)."""
    partition: str = "aws"
    """ARN partition of the home region (aws-cn for cn-*, aws-us-gov for us-gov-*), as the stacks derive it."""

    @property
    def admin_principal_arns(self) -> tuple[str, ...]:
        """ARN patterns (for aws:PrincipalArn) of the principals that administer the landing zone in member
        accounts: the access role the management account assumes, and the roles under the org-admin path."""
        return (f"arn:{self.partition}:iam::*:role/{self.access_role_name}",
                f"arn:{self.partition}:iam::*:role{self.org_admin_path}*")

    @classmethod
    def from_config(cls, cfg: LandingZoneConfig) -> RenderContext:
        return cls(
            governed_regions=tuple(cfg.governed_regions),
            org_admin_path=cfg.org_admin.path,
            access_role_name=cfg.access_role_name,
            trail_name=cfg.logging.trail_name,
            trail_bucket_pattern=trail_bucket_pattern(cfg.name),
            partition=partition(cfg.home_region),
        )

    def value(self, name: str) -> Any:
        """The context value a parameter default refers to, as plain JSON data (tuples become lists)."""
        if name not in CONTEXT_FIELDS:
            raise KeyError(name)
        found = getattr(self, name)
        return list(found) if isinstance(found, tuple) else found


CONTEXT_FIELDS: frozenset[str] = frozenset(
    {"governed_regions", "org_admin_path", "access_role_name", "trail_name", "trail_bucket_pattern",
     "admin_principal_arns"})


def trail_bucket_pattern(lz_name: str) -> str:
    """The trail bucket's name pattern for a landing zone (the bucket is ``<name>-org-trail-<suffix>``)."""
    return f"{lz_name}-org-trail-*"


# ---- guardrail metadata --------------------------------------------------------------------------------------


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuardrailParameter(_Data):
    """One template parameter: its type, its default (literal or from the configuration) and its validation."""

    name: str
    type: ParameterType
    description: str
    default: Any = None
    """Literal default (JSON data)."""
    default_from: str | None = None
    """Name of a RenderContext value to use as the default (e.g. governed_regions)."""
    pattern: str | None = None
    """Regular expression a string value must match."""
    min_items: int = 0
    """Fewest items a list value may have."""
    minimum: int | None = None
    maximum: int | None = None

    @model_validator(mode="after")
    def _default_source(self) -> GuardrailParameter:
        if self.default_from is not None:
            if self.default is not None:
                raise ValueError(f"parameter {self.name!r}: give default or default_from, not both")
            if self.default_from not in CONTEXT_FIELDS:
                raise ValueError(f"parameter {self.name!r}: default_from {self.default_from!r} is not one of "
                                 f"{sorted(CONTEXT_FIELDS)}")
        elif self.default is None:
            raise ValueError(f"parameter {self.name!r} needs a default or a default_from")
        return self

    def default_value(self, context: RenderContext) -> Any:
        if self.default_from is not None:
            return context.value(self.default_from)
        return self.default

    def check(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable for this parameter, or None when it is."""
        if self.type in LIST_TYPES:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return "must be a list of strings"
            if len(value) < self.min_items:
                return f"needs at least {self.min_items} item(s)"
            if len(set(value)) != len(value):
                return "lists an item twice"
            for item in value:
                problem = self._check_item(item)
                if problem:
                    return problem
            return None
        if self.type == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return "must be an integer"
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {self.minimum}"
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {self.maximum}"
            return None
        if not isinstance(value, str):
            return "must be a string"
        if self.type == "iam_path" and (not _IAM_PATH_RE.match(value) or value == "/"):
            return f"{value!r} is not an IAM path below / (starts and ends with /, e.g. /org-admin/)"
        if self.pattern is not None and not re.match(self.pattern, value):
            return f"{value!r} does not match {self.pattern}"
        return None

    def _check_item(self, item: str) -> str | None:
        if self.type == "region_list" and item not in known_regions():
            return f"{item!r} is not a known AWS region (e.g. us-east-1, eu-west-1)"
        if self.type == "arn_pattern_list" and not _ARN_PATTERN_RE.match(item):
            return f"{item!r} is not an ARN pattern (e.g. arn:aws:iam::*:role/org-admin/*)"
        if self.pattern is not None and not re.match(self.pattern, item):
            return f"{item!r} does not match {self.pattern}"
        return None


class Exemption(_Data):
    """Principals a guardrail leaves out, and why. The ARN patterns are the value of ``parameter``."""

    parameter: str
    description: str


class GuardrailSource(_Data):
    """Where the policy comes from: an AWS documentation page, an aws-samples example, a Control Tower control,
    or the seed's practice."""

    kind: Literal["aws-docs", "aws-samples", "control-tower", "seed"]
    reference: str
    url: str


class GuardrailMappings(_Data):
    """The practice or benchmark control a guardrail implements, where one exists."""

    seed: str = ""
    cis_aws_foundations: list[str] = Field(default_factory=list)
    nist_csf: list[str] = Field(default_factory=list)


class Guardrail(_Data):
    """One guardrail of the library: an SCP template and everything a reviewer needs to trust it."""

    id: str
    title: str
    description: str
    """What it denies and why."""
    parameters: list[GuardrailParameter] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)
    accepted_findings: dict[str, str] = Field(default_factory=dict)
    """Lint finding ids this template knowingly triggers, each with the reason (shown in the docs)."""
    source: GuardrailSource
    mappings: GuardrailMappings = Field(default_factory=GuardrailMappings)
    template: dict[str, Any]

    @model_validator(mode="after")
    def _consistent(self) -> Guardrail:
        if not _ID_RE.match(self.id):
            raise ValueError(f"{self.id!r} is not a guardrail id (lower-case letters, digits and -)")
        declared = [p.name for p in self.parameters]
        if len(set(declared)) != len(declared):
            raise ValueError("a parameter is declared twice")
        used = _template_references(self.template, self.id, {p.name: p.type for p in self.parameters})
        unused = set(declared) - used
        if unused:
            raise ValueError(f"parameters declared but never used in the template: {sorted(unused)}")
        for ex in self.exemptions:
            if ex.parameter not in declared:
                raise ValueError(f"exemption refers to undeclared parameter {ex.parameter!r}")
        return self

    def parameter(self, name: str) -> GuardrailParameter:
        for param in self.parameters:
            if param.name == name:
                return param
        raise KeyError(name)

    def parameter_problems(self, params: Mapping[str, Any] | None, context: RenderContext | None = None
                           ) -> list[ConfigProblem]:
        """Every problem with the given parameter values; paths are ``parameters.<name>``."""
        problems: list[ConfigProblem] = []
        known = {p.name for p in self.parameters}
        for name, value in (params or {}).items():
            if name not in known:
                hint = f"; known: {', '.join(sorted(known))}" if known else "; it takes no parameters"
                problems.append(ConfigProblem(f"parameters.{name}", f"{self.id} has no parameter {name!r}{hint}",
                                              value))
                continue
            why = self.parameter(name).check(value)
            if why:
                problems.append(ConfigProblem(f"parameters.{name}", why, value))
        return problems

    def resolve_parameters(self, params: Mapping[str, Any] | None = None,
                           context: RenderContext | None = None) -> dict[str, Any]:
        """Given values over defaults, validated. Raises ConfigError naming every bad parameter."""
        context = context or RenderContext()
        problems = self.parameter_problems(params, context)
        if problems:
            raise ConfigError(problems, source=f"guardrail {self.id}")
        values: dict[str, Any] = {}
        for param in self.parameters:
            if params is not None and param.name in params:
                values[param.name] = params[param.name]
            else:
                values[param.name] = param.default_value(context)
                why = param.check(values[param.name])
                if why:  # a configuration-derived default can be wrong too (e.g. an empty region list)
                    raise ConfigError([ConfigProblem(f"parameters.{param.name}", f"default {why}",
                                                     values[param.name])], source=f"guardrail {self.id}")
        return values

    def render_document(self, params: Mapping[str, Any] | None = None,
                        context: RenderContext | None = None) -> dict[str, Any]:
        values = self.resolve_parameters(params, context)
        values["partition"] = (context or RenderContext()).partition
        document: dict[str, Any] = _substitute(self.template, values)
        return document

    def render(self, params: Mapping[str, Any] | None = None, context: RenderContext | None = None) -> str:
        """The policy as minified JSON (what AWS stores and counts)."""
        return minify(self.render_document(params, context))

    def exempt_principals(self, params: Mapping[str, Any] | None = None,
                          context: RenderContext | None = None) -> list[str]:
        """The principal ARN patterns this guardrail exempts with the given parameters."""
        values = self.resolve_parameters(params, context)
        found: list[str] = []
        for ex in self.exemptions:
            found.extend(v for v in values[ex.parameter] if v not in found)
        return found


def minify(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _template_references(node: Any, gid: str, types: Mapping[str, str]) -> set[str]:
    """Parameter names a template uses; raises ValueError for undeclared ones or lists inside longer strings."""
    used: set[str] = set()
    if isinstance(node, dict):
        if "$if" in node:
            if set(node) != {"$if", "value"}:
                raise ValueError(f"{gid}: a $if object holds exactly $if and value, got {sorted(node)}")
            name = node["$if"]
            if name not in types:
                raise ValueError(f"{gid}: $if refers to undeclared parameter {name!r}")
            return {name} | _template_references(node["value"], gid, types)
        for key, value in node.items():
            used |= _template_references(key, gid, types) | _template_references(value, gid, types)
    elif isinstance(node, list):
        for item in node:
            used |= _template_references(item, gid, types)
    elif isinstance(node, str):
        whole = _WHOLE_PLACEHOLDER_RE.match(node)
        for name in _PLACEHOLDER_RE.findall(node):
            if name in CONTEXT_PLACEHOLDERS:
                if name in types:
                    raise ValueError(f"{gid}: parameter {name!r} would hide the context value ${{{name}}}")
                continue
            if name not in types:
                raise ValueError(f"{gid}: template uses undeclared parameter ${{{name}}}")
            if not whole and types[name] in LIST_TYPES:
                raise ValueError(f"{gid}: list parameter ${{{name}}} must be a whole string value, not part of "
                                 f"{node!r}")
            used.add(name)
    return used


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _substitute(node: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if isinstance(value, dict) and "$if" in value:
                if not values[value["$if"]]:
                    continue
                value = value["value"]
            out[_substitute(key, values)] = _substitute(value, values)
        return out
    if isinstance(node, list):
        items: list[Any] = []
        for item in node:
            if isinstance(item, dict) and "$if" in item:
                if not values[item["$if"]]:
                    continue
                item = item["value"]
            items.append(_substitute(item, values))
        return items
    if isinstance(node, str):
        whole = _WHOLE_PLACEHOLDER_RE.match(node)
        if whole:
            value = values[whole.group(1)]
            return [_text(v) for v in value] if isinstance(value, list) else _text(value)
        return _PLACEHOLDER_RE.sub(lambda m: _text(values[m.group(1)]), node)
    return node


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


@dataclass
class PlannedPolicy:
    """One SCP to create: rendered content and the targets (as the config names them) it is attached to."""

    key: str
    """Stable key within the plan: the guardrail id, or ``<id>-2``... when one id is used with other
    parameters. The guardrails stage exports policy ids under these keys."""
    guardrail_id: str
    name: str
    """SCP name: ``<landing zone name>-<key>``."""
    description: str
    content: str
    """Minified JSON."""
    targets: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    """The parameters given in the configuration (defaults not filled in)."""

    @property
    def characters(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class TargetUsage:
    """SCP quota use on one root, OU or account."""

    target: str
    kind: Literal["root", "ou", "account"]
    attached: int
    """Directly attached SCPs, FullAWSAccess included (inherited SCPs do not count)."""
    limit: int
    largest_policy_chars: int
    """Size of the largest SCP attached here, FullAWSAccess included."""
    max_characters: int

    @property
    def over_limit(self) -> bool:
        return self.attached > self.limit

    @property
    def free(self) -> int:
        return self.limit - self.attached


@dataclass
class AttachmentPlan:
    """Which SCPs to create and where to attach them. FullAWSAccess stays attached everywhere (deny-list
    strategy), so it counts toward every target's quota but is not one of ``policies``."""

    policies: list[PlannedPolicy]
    per_target: dict[str, list[str]]
    """Policy keys per target, for targets that get at least one library policy."""
    targets: list[tuple[str, Literal["root", "ou", "account"]]]
    """Every root, OU and account of the organization, with its kind (Root first, then OUs, then accounts)."""

    def policy(self, key: str) -> PlannedPolicy:
        for planned in self.policies:
            if planned.key == key:
                return planned
        raise KeyError(key)

    def usage(self, quotas: QuotaConfig | None = None) -> list[TargetUsage]:
        per_target, max_characters = _limits(quotas)
        result = []
        for target, kind in self.targets:
            keys = self.per_target.get(target, [])
            sizes = [len(FULL_AWS_ACCESS_CONTENT)] + [self.policy(k).characters for k in keys]
            result.append(TargetUsage(target=target, kind=kind, attached=len(keys) + 1,
                                      limit=per_target, largest_policy_chars=max(sizes),
                                      max_characters=max_characters))
        return result

    def check_quotas(self, quotas: QuotaConfig | None = None) -> None:
        """Raise QuotaError when a target would hold more SCPs than allowed or a policy is too large."""
        _, max_characters = _limits(quotas)
        crowded = [u for u in self.usage(quotas) if u.over_limit]
        oversized = [p for p in self.policies if p.characters > max_characters]
        if not crowded and not oversized:
            return
        lines: list[str] = []
        for use in crowded:
            keys = ", ".join(self.per_target.get(use.target, []))
            lines.append(f"{use.target!r} would have {use.attached} SCPs attached ({FULL_AWS_ACCESS_NAME} + "
                         f"{keys}); the limit is {use.limit} per target. Move some guardrails to a parent OU "
                         "(inherited SCPs do not count) or merge them.")
        for planned in oversized:
            lines.append(f"SCP {planned.key!r} has {planned.characters} characters; the limit is "
                         f"{max_characters}. Split it or drop actions.")
        first = crowded[0] if crowded else None
        raise QuotaError("SCP quota exceeded:\n  " + "\n  ".join(lines),
                         target=first.target if first else oversized[0].key,
                         count=first.attached if first else oversized[0].characters,
                         limit=first.limit if first else max_characters)


def _limits(quotas: QuotaConfig | None) -> tuple[int, int]:
    """(SCPs per target, characters per SCP): the configuration's quotas, or the defaults without one."""
    if quotas is None:
        return SCP_PER_TARGET, SCP_MAX_CHARACTERS
    return quotas.scp_per_target, quotas.scp_max_characters


def plan_attachments(cfg: LandingZoneConfig, catalog: GuardrailCatalog | None = None) -> AttachmentPlan:
    """Render every guardrail the configuration assigns and group identical policies into one SCP each."""
    catalog = catalog or default_catalog()
    context = RenderContext.from_config(cfg)
    policies: list[PlannedPolicy] = []
    by_content: dict[tuple[str, str], PlannedPolicy] = {}
    uses: dict[str, int] = {}
    for assignment in cfg.guardrails:
        guard = catalog.get(assignment.id)
        content = guard.render(assignment.parameters, context)
        planned = by_content.get((guard.id, content))
        if planned is None:
            uses[guard.id] = uses.get(guard.id, 0) + 1
            key = guard.id if uses[guard.id] == 1 else f"{guard.id}-{uses[guard.id]}"
            planned = PlannedPolicy(key=key, guardrail_id=guard.id, name=f"{cfg.name}-{key}"[:128],
                                    description=guard.title[:512], content=content,
                                    parameters=dict(assignment.parameters))
            by_content[(guard.id, content)] = planned
            policies.append(planned)
        for target in assignment.targets:
            if target not in planned.targets:
                planned.targets.append(target)
    per_target: dict[str, list[str]] = {}
    for planned in policies:
        for target in planned.targets:
            per_target.setdefault(target, []).append(planned.key)
    targets: list[tuple[str, Literal["root", "ou", "account"]]] = [(ROOT_OU, "root")]
    targets += [(path, "ou") for path in cfg.ou_paths()]
    targets += [(acct.name, "account") for acct in cfg.accounts]
    return AttachmentPlan(policies=policies, per_target=per_target, targets=targets)
