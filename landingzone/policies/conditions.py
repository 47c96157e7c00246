"""IAM condition evaluation for the simulator: operators (String*, Arn*, Bool, Null, Numeric*, IpAddress), each with
``IfExists``, and the ``ForAnyValue:`` / ``ForAllValues:`` set prefixes. Anything else raises
:class:`SimulationError` rather than guessing.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from landingzone.errors import LandingZoneError


class SimulationError(LandingZoneError):
    """The simulator cannot decide (unknown account or OU, unsupported condition operator, bad policy)."""


# ---- condition evaluation ------------------------------------------------------------------------------------

_STRING_OPS = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
               "StringLike", "StringNotLike"}
_ARN_OPS = {"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"}
_NUMERIC_OPS = {"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                "NumericGreaterThan", "NumericGreaterThanEquals"}
_IP_OPS = {"IpAddress", "NotIpAddress"}
SUPPORTED_OPERATORS: frozenset[str] = frozenset(_STRING_OPS | _ARN_OPS | _NUMERIC_OPS | _IP_OPS | {"Bool", "Null"})
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike",
            "NumericNotEquals", "NotIpAddress"}


@dataclass(frozen=True)
class ConditionOperator:
    """A condition operator split into its parts, e.g. ``ForAllValues:StringNotLikeIfExists``."""

    base: str
    if_exists: bool
    set_op: Literal["ForAnyValue", "ForAllValues"] | None

    @property
    def negated(self) -> bool:
        return self.base in _NEGATED


def parse_operator(name: str) -> ConditionOperator:
    set_op: Literal["ForAnyValue", "ForAllValues"] | None = None
    rest = name
    if rest.startswith("ForAnyValue:"):
        set_op, rest = "ForAnyValue", rest[len("ForAnyValue:"):]
    elif rest.startswith("ForAllValues:"):
        set_op, rest = "ForAllValues", rest[len("ForAllValues:"):]
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    if if_exists:
        rest = rest[: -len("IfExists")]
    return ConditionOperator(rest, if_exists, set_op)


@functools.lru_cache(maxsize=4096)
def _wildcard_re(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM-style matching: ``*`` any run of characters, ``?`` one character."""
    return _wildcard_re(pattern, ignore_case).match(value) is not None


def _to_number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _positive_match(base: str, context_value: str, policy_value: str) -> bool:
    """Does one request value match one policy value, for the non-negated form of ``base``?"""
    if base in ("StringEquals", "StringNotEquals"):
        return context_value == policy_value
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return context_value.lower() == policy_value.lower()
    if base in ("StringLike", "StringNotLike") or base in _ARN_OPS:
        return wildcard_match(policy_value, context_value)
    if base == "Bool":
        return context_value.lower() == str(policy_value).lower()
    if base in _NUMERIC_OPS:
        left, right = _to_number(context_value), _to_number(policy_value)
        if left is None or right is None:
            return False
        return {
            "NumericEquals": left == right, "NumericNotEquals": left == right,
            "NumericLessThan": left < right, "NumericLessThanEquals": left <= right,
            "NumericGreaterThan": left > right, "NumericGreaterThanEquals": left >= right,
        }[base]
    if base in _IP_OPS:
        try:
            return ipaddress.ip_address(context_value) in ipaddress.ip_network(policy_value, strict=False)
        except ValueError:
            return False
    raise SimulationError(f"condition operator {base!r} is not supported by the simulator")


def _value_satisfies(op: ConditionOperator, context_value: str, policy_values: Sequence[str]) -> bool:
    hit = any(_positive_match(op.base, context_value, pv) for pv in policy_values)
    return not hit if op.negated else hit


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return [_as_text(value)]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _lookup(context: Mapping[str, Any], key: str) -> list[str] | None:
    """Request-context value(s) of a key (keys are case-insensitive); None when the key is absent."""
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return None if value is None else _as_list(value)
    return None


def evaluate_operator(operator: str, key: str, policy_value: Any, context: Mapping[str, Any]) -> bool:
    """One operator/key pair of a Condition block against the request context."""
    op = parse_operator(operator)
    if op.base not in SUPPORTED_OPERATORS:
        raise SimulationError(f"condition operator {operator!r} is not supported by the simulator")
    policy_values = _as_list(policy_value)
    present = _lookup(context, key)
    if op.base == "Null":
        wants_absent = policy_values[0].lower() == "true"
        return (present is None or present == []) == wants_absent
    if op.set_op == "ForAllValues":
        # True when every request value satisfies the operator; vacuously true when the key is absent.
        return all(_value_satisfies(op, v, policy_values) for v in present or [])
    if op.set_op == "ForAnyValue":
        return bool(present) and any(_value_satisfies(op, v, policy_values) for v in present or [])
    if present is None:
        # IfExists: a missing key does not restrict. Negated operators hold when the key is absent (nothing
        # matches); positive ones do not.
        return op.if_exists or op.negated
    if op.negated:
        return all(_value_satisfies(op, v, policy_values) for v in present)
    return any(_value_satisfies(op, v, policy_values) for v in present)


def evaluate_condition(condition: Mapping[str, Any] | None, context: Mapping[str, Any]) -> bool:
    """A whole Condition block: every operator and every key must hold (values within a key are ORed)."""
    if not condition:
        return True
    for operator, pairs in condition.items():
        if not isinstance(pairs, Mapping):
            raise SimulationError(f"condition operator {operator!r} must map keys to values")
        for key, value in pairs.items():
            if not evaluate_operator(operator, key, value, context):
                return False
    return True
