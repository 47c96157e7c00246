"""Stages, stack names and upstream outputs: which stacks a run touches and what their programs receive."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from landingzone.config import LandingZoneConfig
from landingzone.errors import PreflightError

PROJECT_NAME = "landingzone"
"""The Pulumi project of every stack (stack names carry the landing zone's name, so several landing zones can
share one backend)."""
WORK_DIR = Path(".landingzone") / "work"


class StageLike(Protocol):
    """What the orchestrator needs of a stage (``stacks.Stage`` is one; tests inject their own)."""

    @property
    def name(self) -> str: ...

    @property
    def depends_on(self) -> Sequence[str]: ...

    @property
    def scope(self) -> str: ...

    @property
    def program(self) -> Callable[[Any], None]: ...

    def accounts(self, cfg: LandingZoneConfig) -> list[str]: ...


def unknown_sentinel() -> Any:
    """``stacks.UNKNOWN``: an upstream output that is not known before apply."""
    from stacks import UNKNOWN

    return UNKNOWN


class Outputs(dict[str, Any]):
    """The outputs of an upstream stage as the downstream program sees them.

    A key that is missing (the stage was never applied, or its pending changes add the key) reads as UNKNOWN,
    both with ``outputs[key]`` and ``outputs.get(key)``; nested mappings behave the same way.
    """

    def __missing__(self, key: str) -> Any:
        return unknown_sentinel()

    def get(self, key: str, default: Any = None) -> Any:
        return self[key]

    @classmethod
    def wrap(cls, values: Mapping[str, Any]) -> Outputs:
        return cls({k: cls.wrap(v) if isinstance(v, Mapping) else v for k, v in values.items()})


STAGES_ENV = "LANDINGZONE_STAGES"
"""``module:attribute`` of another stage registry, for tests that drive the CLI with stand-in stages."""


def default_stages() -> tuple[StageLike, ...]:
    import importlib

    module_name, _, attr = os.environ.get(STAGES_ENV, "stacks:STAGES").partition(":")
    registry: tuple[StageLike, ...] = tuple(getattr(importlib.import_module(module_name), attr or "STAGES", ()))
    if not registry:
        raise PreflightError("the stage programs (stacks.STAGES) are not available in this build")
    return registry


def make_context(cfg: LandingZoneConfig, upstream: Mapping[str, Any], account: str | None) -> Any:
    from stacks import StageContext

    return StageContext(config=cfg, upstream=upstream, account=account)


def stage_accounts(stage: StageLike, cfg: LandingZoneConfig) -> list[str]:
    if stage.scope != "account":
        return []
    return list(stage.accounts(cfg))


# ---- naming ----------------------------------------------------------------------------------------------------


def stack_name(cfg: LandingZoneConfig, stage: str, account: str | None = None) -> str:
    """``<name>-<stage>[-<account>]``: one definition, shared with stacks/__main__.py (the plain pulumi CLI)."""
    from stacks import stack_name as derive

    return derive(cfg, stage, account)


@dataclass(frozen=True)
class StackRef:
    """One stack: a stage, or one account of an account-scoped stage."""

    stage: str
    name: str
    account: str | None = None

    @property
    def label(self) -> str:
        return self.stage if self.account is None else f"{self.stage}[{self.account}]"
