"""The Organizations policy types of the library, as data (``data/policy-types.json``): quotas per type, the
AWS-managed default policy of each target, the partitions where a type is known to exist, the RCP services.

Nothing here is a literal quota in code: the JSON file is the one place, and ``quotas:`` in the configuration
overrides the SCP values (see :func:`limits`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

PolicyType = Literal["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "DECLARATIVE_POLICY_EC2", "S3_POLICY"]
SCP: PolicyType = "SERVICE_CONTROL_POLICY"
RCP: PolicyType = "RESOURCE_CONTROL_POLICY"
DECLARATIVE_EC2: PolicyType = "DECLARATIVE_POLICY_EC2"
S3_POLICY: PolicyType = "S3_POLICY"
POLICY_TYPES: tuple[PolicyType, ...] = (SCP, RCP, DECLARATIVE_EC2, S3_POLICY)
AUTHORIZATION_TYPES: frozenset[str] = frozenset({SCP, RCP})
"""Types written in the IAM policy language (linted as such, evaluated by the simulator)."""


@dataclass(frozen=True)
class DefaultPolicy:
    """The AWS-managed policy attached to every root, OU and account once the type is enabled."""

    name: str
    id: str
    content: str


@dataclass(frozen=True)
class PolicyTypeInfo:
    """One policy type as the data file describes it."""

    type: PolicyType
    label: str
    """Short name for tables: SCP, RCP, declarative (EC2), S3 policy."""
    title: str
    per_target: int
    """Policies of this type attached directly to one target (the default policy included, where there is one)."""
    max_characters: int
    default_policy: DefaultPolicy | None
    partitions: tuple[str, ...]
    """Partitions where the type is known to be available."""
    services: tuple[str, ...]
    """For RCPs: the service prefixes RCPs apply to. Empty for the other types."""
    source_url: str
    checked: str
    trusted_access_principal: str | None = None
    """Service principal the organization should trust when the type is used (EC2's, for the declarative
    policies' account status report)."""

    def available_in(self, partition: str) -> bool:
        return partition in self.partitions


@functools.cache
def _data() -> dict[str, Any]:
    text = resources.files("landingzone.policies").joinpath("data/policy-types.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def policy_type(name: str) -> PolicyTypeInfo:
    """The data of one policy type; KeyError for a type the library does not use."""
    raw = _data()["types"][name]
    default = raw.get("default_policy")
    if name == SCP:  # the SCP quotas live in landingzone.constants, which the configuration's defaults use too
        from landingzone.constants import SCP_MAX_CHARACTERS, SCP_PER_TARGET

        per_target, max_characters = SCP_PER_TARGET, SCP_MAX_CHARACTERS
    else:
        per_target, max_characters = int(raw["per_target"]), int(raw["max_characters"])
    return PolicyTypeInfo(
        type=name,  # type: ignore[arg-type]
        label=raw["label"], title=raw["title"], per_target=per_target, max_characters=max_characters,
        default_policy=DefaultPolicy(default["name"], default["id"], default["content"]) if default else None,
        partitions=tuple(raw["partitions"]), services=tuple(raw.get("services", ())),
        source_url=raw["source"]["url"], checked=raw["source"]["checked"],
        trusted_access_principal=raw.get("trusted_access_principal"))


def limits(name: str, quotas: Any | None = None) -> tuple[int, int]:
    """(policies per target, characters per policy) for a type; the configuration's ``quotas`` override the SCP
    values (QuotaConfig.scp_per_target / scp_max_characters)."""
    info = policy_type(name)
    if name == SCP and quotas is not None:
        return int(quotas.scp_per_target), int(quotas.scp_max_characters)
    return info.per_target, info.max_characters


def rcp_services() -> frozenset[str]:
    """Service prefixes RCPs apply to."""
    return frozenset(policy_type(RCP).services)
