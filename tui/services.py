"""The blocking operations the wizard calls from its workers, injectable so tests can point them elsewhere.

The defaults are the real things: `landingzone doctor`'s checks, read-only discovery with boto3, the offline
plan, and the orchestrator. Every one of them runs in a thread worker, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from landingzone.toolchain import DoctorReport, run_doctor
from tui.discovery import DiscoverySummary, discover
from tui.state import WizardState


def default_doctor(state: WizardState) -> DoctorReport:
    aws = state.data.get("aws") or {}
    url = (state.data.get("state") or {}).get("backend_url") or None
    if url is None:
        from landingzone.config import default_backend_url

        url = default_backend_url(state.config_path)
    return run_doctor("preview", backend_url=url, endpoint=aws.get("endpoint"), profile=aws.get("profile"))


def default_discover(state: WizardState) -> DiscoverySummary:
    aws = state.data.get("aws") or {}
    region = str(state.data.get("home_region") or "us-east-1")
    return discover(aws.get("endpoint"), aws.get("profile"), region=region)


OrchestratorFactory = Callable[..., Any]
"""(cfg, config_path, on_event=callback) -> an object with preview() and up() (landingzone.orchestrator)."""


@dataclass
class Services:
    doctor: Callable[[WizardState], DoctorReport] = default_doctor
    discover: Callable[[WizardState], DiscoverySummary] = default_discover
    orchestrator: OrchestratorFactory | None = None
    extra: dict[str, Any] = field(default_factory=dict)

