"""One guardrail of the library: its metadata (policy type, parameters, exemptions, dated source, mappings, the
alternative for partitions that lack its type, the account settings it locks) and its template, rendered with
:mod:`landingzone.policies.templates`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from landingzone.errors import ConfigError, ConfigProblem
from landingzone.policies.policy_types import SCP, PolicyType, policy_type
from landingzone.policies.templates import (
    GuardrailParameter,
    RenderContext,
    _Data,
    context_values,
    substitute,
    template_references,
)

_ID_RE = re.compile(r"^[a-z][a-z0-9-]{2,63}$")
_DATE_RE = re.compile(r"^20\d\d-\d\d-\d\d$")


# ---- guardrail metadata --------------------------------------------------------------------------------------


class Exemption(_Data):
    """Principals a guardrail leaves out, and why. The ARN patterns are the value of ``parameter``."""

    parameter: str
    description: str


class GuardrailSource(_Data):
    """Where the policy comes from: an AWS documentation page, an aws-samples example, a Control Tower control,
    Landing Zone Accelerator's sample configuration, or a practice of docs/practices.md; and when it was last
    checked."""

    kind: Literal["aws-docs", "aws-samples", "control-tower", "lza", "practices"]
    reference: str
    url: str
    checked: str
    """Date (YYYY-MM-DD) the source was last read and found to exist as cited."""

    @model_validator(mode="after")
    def _dated(self) -> GuardrailSource:
        if not _DATE_RE.match(self.checked):
            raise ValueError(f"source.checked {self.checked!r} is not a date (YYYY-MM-DD)")
        return self


class GuardrailAlternative(_Data):
    """The other form of the same control: the SCP fallback of a declarative or S3 policy (for partitions that
    lack the type), or the policy type AWS now recommends instead of an SCP."""

    guardrail: str
    relation: Literal["fallback", "preferred"]
    """``fallback``: use that guardrail where this one's policy type is not available; ``preferred``: AWS now
    recommends that guardrail where its policy type is available."""
    note: str


class GuardrailMappings(_Data):
    """The practice or benchmark control a guardrail implements, where one exists."""

    practice: str = ""
    """Id of the practice in docs/practices.md the guardrail implements (e.g. org-admin-roles)."""
    cis_aws_foundations: list[str] = Field(default_factory=list)
    nist_csf: list[str] = Field(default_factory=list)


class Guardrail(_Data):
    """One guardrail of the library: a policy template and everything a reviewer needs to trust it."""

    id: str
    policy_type: PolicyType = SCP
    """The Organizations policy type: SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, DECLARATIVE_POLICY_EC2 or
    S3_POLICY."""
    title: str
    description: str
    """What it denies and why."""
    parameters: list[GuardrailParameter] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)
    accepted_findings: dict[str, str] = Field(default_factory=dict)
    """Lint finding ids this template knowingly triggers, each with the reason (shown in the docs)."""
    source: GuardrailSource
    mappings: GuardrailMappings = Field(default_factory=GuardrailMappings)
    alternative: GuardrailAlternative | None = None
    locks: dict[str, list[str]] = Field(default_factory=dict)
    """Declarative and S3 policies: for each attribute the policy sets, the account-level API actions the service
    then refuses to everyone in the account (the simulator reports them as denied by the policy)."""
    template: dict[str, Any]

    @model_validator(mode="after")
    def _consistent(self) -> Guardrail:
        if not _ID_RE.match(self.id):
            raise ValueError(f"{self.id!r} is not a guardrail id (lower-case letters, digits and -)")
        declared = [p.name for p in self.parameters]
        if len(set(declared)) != len(declared):
            raise ValueError("a parameter is declared twice")
        used = template_references(self.template, self.id, {p.name: p.type for p in self.parameters})
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
        values.update(context_values(context or RenderContext()))
        document: dict[str, Any] = substitute(self.template, values)
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

    def locked_actions(self, document: Mapping[str, Any]) -> dict[str, list[str]]:
        """The :attr:`locks` of the attributes a rendered declarative or S3 policy actually sets."""
        attributes: set[str] = set()
        for section in document.values():
            if isinstance(section, Mapping):
                attributes.update(section)
        return {attr: actions for attr, actions in self.locks.items() if attr in attributes}

    @property
    def type_label(self) -> str:
        """SCP, RCP, declarative (EC2) or S3 policy."""
        return policy_type(self.policy_type).label


def minify(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
