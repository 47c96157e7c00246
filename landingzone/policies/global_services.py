"""Global-service action patterns a region deny must leave out, from ``data/global-services.json`` (Control
Tower's GRREGIONDENY list plus what aws-samples adds, sourced and dated in the file).

deny-unapproved-regions renders :func:`patterns` into its NotAction; the linter checks any region-deny statement
against the same list (:func:`uncovered`), so the two cannot drift apart.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class GlobalServicePattern:
    pattern: str
    """An action pattern such as ``iam:*`` or ``s3:GetBucketLocation``."""
    sources: tuple[str, ...]
    critical: bool
    """Sign-in, IAM, Organizations, Identity Center or Support break without it."""


@functools.cache
def _data() -> dict[str, Any]:
    text = resources.files("landingzone.policies").joinpath("data/global-services.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def global_patterns() -> tuple[GlobalServicePattern, ...]:
    return tuple(GlobalServicePattern(e["pattern"], tuple(e["sources"]), bool(e["critical"]))
                 for e in _data()["patterns"])


def patterns() -> list[str]:
    """Every pattern, sorted (the order deny-unapproved-regions renders)."""
    return sorted({p.pattern for p in global_patterns()}, key=str.lower)


def bedrock_inference_actions() -> list[str]:
    """The Bedrock actions cross-Region inference sends to a destination region."""
    return list(_data()["bedrock_cross_region_inference"]["actions"])


def sources() -> dict[str, dict[str, str]]:
    """Where the list comes from: source key -> reference, url, checked date."""
    found: dict[str, dict[str, str]] = _data()["sources"]
    return found


def uncovered(covers: Callable[[str], bool], expand: Callable[[str], Iterable[str]]
              ) -> list[GlobalServicePattern]:
    """The global patterns a region-deny statement would still deny. ``covers(action)`` says whether the statement
    denies an action; ``expand(pattern)`` gives the concrete actions of a pattern (from the IAM catalogue; a
    pattern the catalogue does not know is tested as written, with its wildcard filled in)."""
    missing = []
    for entry in global_patterns():
        actions = list(expand(entry.pattern)) or [entry.pattern.replace("*", "Sample").replace("?", "x")]
        if any(covers(action) for action in actions):
            missing.append(entry)
    return missing
