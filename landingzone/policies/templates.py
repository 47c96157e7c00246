"""Guardrail templates: the render context, parameters with validation, and placeholder substitution.

Templates stay plain JSON (IAM policy language for SCPs and RCPs, Organizations' ``@@assign`` syntax for
declarative and S3 policies) with these additions, all resolved at render time:

- ``"${name}"`` stands for parameter ``name``. A string that is exactly one placeholder takes the parameter's
  value (a list stays a list); a placeholder inside a longer string is replaced by the value's text. IAM policy
  variables such as ``${aws:username}`` contain a colon and are left alone.
- Context placeholders are not parameters and need no declaration: ``${partition}`` (the ARN partition of the home
  region), ``${global_service_actions}`` (the region deny's global-service list, data/global-services.json) and
  ``${global_service_and_bedrock_inference_actions}`` (the same plus Bedrock's cross-Region inference actions).
- ``{"$if": "name", "value": X}`` as the value of a key or a list item means X when parameter ``name`` is
  non-empty, and the key or item is left out otherwise (an optional exemption condition, for example).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from landingzone.constants import DEFAULT_ACCESS_ROLE_NAME, DEFAULT_ORG_ADMIN_PATH, known_regions, partition

if TYPE_CHECKING:
    from landingzone.config import LandingZoneConfig

ParameterType = Literal["string", "integer", "iam_path", "region_list", "arn_pattern_list", "string_list"]
LIST_TYPES: frozenset[str] = frozenset({"region_list", "arn_pattern_list", "string_list"})

UNSPECIFIED_REGION = "unspecified"
"""The aws:RequestedRegion value of requests that name no region, such as Amazon Bedrock's global cross-Region
inference; a region list may hold it."""
PENDING_ORGANIZATION_ID = "o-pendingorgid"
"""Stands for the organization's id until the organization stage has created it (plan, lint and preview); the
guardrails stage renders the real id from the organization stage's output."""

CONTEXT_PLACEHOLDERS: frozenset[str] = frozenset(
    {"partition", "global_service_actions", "global_service_and_bedrock_inference_actions"})
"""Placeholders every template may use without declaring them: values of the RenderContext, not parameters."""
LIST_CONTEXT_PLACEHOLDERS: frozenset[str] = frozenset(
    {"global_service_actions", "global_service_and_bedrock_inference_actions"})
_PLACEHOLDER_RE = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")
_WHOLE_PLACEHOLDER_RE = re.compile(r"^\$\{([a-z_][a-z0-9_]*)\}$")
_IAM_PATH_RE = re.compile(r"^/([\w+=,.@-]+/)*$")
_ARN_PATTERN_RE = re.compile(
    r"^arn:(\*|aws|aws-cn|aws-us-gov|aws-eusc|aws-iso[a-z-]*):[a-z0-9*-]*:[a-z0-9*-]*:(\*|\d{12}|):\S+$")


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
    trail_key_alias: str = "alias/landingzone-organization-trail"
    """Alias of the trail's KMS key (the logging stage's naming: ``alias/<name>-organization-trail``)."""
    organization_id: str = PENDING_ORGANIZATION_ID
    """The organization's id (o-...): adopted organizations know it; a new one gets it from the organization
    stage, until then :data:`PENDING_ORGANIZATION_ID`."""
    partition: str = "aws"
    """ARN partition of the home region (aws-cn for cn-*, aws-us-gov for us-gov-*), as the stacks derive it."""

    @property
    def admin_principal_arns(self) -> tuple[str, ...]:
        """ARN patterns (for aws:PrincipalArn) of the principals that administer the landing zone in member
        accounts: the access role the management account assumes, and the roles under the org-admin path."""
        return (f"arn:{self.partition}:iam::*:role/{self.access_role_name}",
                f"arn:{self.partition}:iam::*:role{self.org_admin_path}*")

    @property
    def bedrock_inference_profile_arns(self) -> tuple[str, ...]:
        """Inference profiles the Bedrock cross-Region variant of the region deny lets through: every profile of
        the partition (narrow it to your geography, e.g. ``.../inference-profile/eu.*``)."""
        return (f"arn:{self.partition}:bedrock:*:*:inference-profile/*",)

    @property
    def global_service_actions(self) -> list[str]:
        from landingzone.policies.global_services import patterns

        return patterns()

    @property
    def global_service_and_bedrock_inference_actions(self) -> list[str]:
        from landingzone.policies.global_services import bedrock_inference_actions, patterns

        return sorted(set(patterns()) | set(bedrock_inference_actions()), key=str.lower)

    @classmethod
    def from_config(cls, cfg: LandingZoneConfig) -> RenderContext:
        return cls(
            governed_regions=tuple(cfg.governed_regions),
            org_admin_path=cfg.org_admin.path,
            access_role_name=cfg.access_role_name,
            trail_name=cfg.logging.trail_name,
            trail_bucket_pattern=trail_bucket_pattern(cfg.name),
            trail_key_alias=trail_key_alias(cfg.name),
            organization_id=cfg.organization.existing_id or PENDING_ORGANIZATION_ID,
            partition=partition(cfg.home_region),
        )

    def with_organization_id(self, organization_id: str) -> RenderContext:
        from dataclasses import replace

        return replace(self, organization_id=organization_id)

    def value(self, name: str) -> Any:
        """The context value a parameter default refers to, as plain JSON data (tuples become lists)."""
        if name not in CONTEXT_FIELDS:
            raise KeyError(name)
        found = getattr(self, name)
        return list(found) if isinstance(found, tuple) else found


CONTEXT_FIELDS: frozenset[str] = frozenset(
    {"governed_regions", "org_admin_path", "access_role_name", "trail_name", "trail_bucket_pattern",
     "trail_key_alias", "organization_id", "admin_principal_arns", "bedrock_inference_profile_arns"})


def trail_bucket_pattern(lz_name: str) -> str:
    """The trail bucket's name pattern for a landing zone (the bucket is ``<name>-org-trail-<suffix>``)."""
    return f"{lz_name}-org-trail-*"


def trail_key_alias(lz_name: str) -> str:
    """The alias of the trail's KMS key (stacks/logging.py names it so)."""
    return f"alias/{lz_name}-organization-trail"


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
    """Regular expression a string value (or every item of a list) must match."""
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
        if self.type == "region_list" and item != UNSPECIFIED_REGION and item not in known_regions():
            return (f"{item!r} is not a known AWS region (e.g. us-east-1, eu-west-1; '{UNSPECIFIED_REGION}' "
                    "stands for requests that name no region)")
        if self.type == "arn_pattern_list" and not _ARN_PATTERN_RE.match(item):
            return f"{item!r} is not an ARN pattern (e.g. arn:aws:iam::*:role/org-admin/*)"
        if self.pattern is not None and not re.match(self.pattern, item):
            return f"{item!r} does not match {self.pattern}"
        return None


def template_references(node: Any, gid: str, types: Mapping[str, str]) -> set[str]:
    """Parameter names a template uses; raises ValueError for undeclared ones or lists inside longer strings."""
    used: set[str] = set()
    if isinstance(node, dict):
        if "$if" in node:
            if set(node) != {"$if", "value"}:
                raise ValueError(f"{gid}: a $if object holds exactly $if and value, got {sorted(node)}")
            name = node["$if"]
            if name not in types:
                raise ValueError(f"{gid}: $if refers to undeclared parameter {name!r}")
            return {name} | template_references(node["value"], gid, types)
        for key, value in node.items():
            used |= template_references(key, gid, types) | template_references(value, gid, types)
    elif isinstance(node, list):
        for item in node:
            used |= template_references(item, gid, types)
    elif isinstance(node, str):
        whole = _WHOLE_PLACEHOLDER_RE.match(node)
        for name in _PLACEHOLDER_RE.findall(node):
            if name in CONTEXT_PLACEHOLDERS:
                if name in types:
                    raise ValueError(f"{gid}: parameter {name!r} would hide the context value ${{{name}}}")
                if name in LIST_CONTEXT_PLACEHOLDERS and not whole:
                    raise ValueError(f"{gid}: list value ${{{name}}} must be a whole string value, not part of "
                                     f"{node!r}")
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


def substitute(node: Any, values: Mapping[str, Any]) -> Any:
    """The template with every placeholder and ``$if`` resolved from ``values``."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if isinstance(value, dict) and "$if" in value:
                if not values[value["$if"]]:
                    continue
                value = value["value"]
            out[substitute(key, values)] = substitute(value, values)
        return out
    if isinstance(node, list):
        items: list[Any] = []
        for item in node:
            if isinstance(item, dict) and "$if" in item:
                if not values[item["$if"]]:
                    continue
                item = item["value"]
            items.append(substitute(item, values))
        return items
    if isinstance(node, str):
        whole = _WHOLE_PLACEHOLDER_RE.match(node)
        if whole:
            value = values[whole.group(1)]
            return [_text(v) for v in value] if isinstance(value, list) else _text(value)
        return _PLACEHOLDER_RE.sub(lambda m: _text(values[m.group(1)]), node)
    return node


def context_values(context: RenderContext) -> dict[str, Any]:
    """The values of the context placeholders."""
    return {"partition": context.partition, "global_service_actions": context.global_service_actions,
            "global_service_and_bedrock_inference_actions": context.global_service_and_bedrock_inference_actions}
