"""The blocking operations the wizard calls from its workers, injectable so tests can point them elsewhere.

The defaults are the real things: `landingzone doctor`'s checks, read-only discovery with boto3, the offline
plan, and the orchestrator. Every one of them runs in a thread worker, never on the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.message import Message

from landingzone.config import LandingZoneConfig
from landingzone.discovery import DiscoveryOptions, OrganizationSummary, summarize_organization
from landingzone.toolchain import DoctorReport, run_doctor
from tui.messages import EngineEvent, OperationFinished, OperationResult
from tui.state import WizardState


def default_doctor(state: WizardState) -> DoctorReport:
    aws = state.data.get("aws") or {}
    url = (state.data.get("state") or {}).get("backend_url") or None
    if url is None:
        from landingzone.config import default_backend_url

        url = default_backend_url(state.config_path)
    return run_doctor("preview", backend_url=url, endpoint=aws.get("endpoint"), profile=aws.get("profile"))


def default_discover(state: WizardState) -> OrganizationSummary:
    """Read-only: the standard credential chain (or the configured profile), optionally against an emulator."""
    import boto3

    aws = state.data.get("aws") or {}
    region = str(state.data.get("home_region") or "us-east-1")
    session = boto3.Session(profile_name=aws.get("profile") or None, region_name=region)
    return summarize_organization(session, DiscoveryOptions(home_region=region, regions=(region,),
                                                            endpoint_url=aws.get("endpoint") or None))


PULUMI_RUNTIME_LOCK = threading.Lock()
"""The offline plan (pulumi mocks) and inline programs share the pulumi SDK's global runtime state: never run two
at once in this process, even when the user leaves a screen whose worker is still busy."""


def default_plan(cfg: LandingZoneConfig) -> list[Any]:
    """The offline plan. pulumi's mocks drive their work through the thread's asyncio event loop, and a worker
    thread has none: give it one for the duration of the plan."""
    from landingzone.plan import plan

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return plan(cfg)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


OrchestratorFactory = Callable[..., Any]
"""(cfg, config_path, on_event=callback, passphrase=str | None) -> an object with preview(), up(), outputs()
and request_stop() (landingzone.orchestrator.Orchestrator)."""


def default_orchestrator(cfg: LandingZoneConfig, config_path: Path, *, on_event: Callable[[Any], None],
                         passphrase: str | None = None) -> Any:
    from landingzone.orchestrator import Orchestrator

    return Orchestrator(cfg, config_path, on_event=on_event, passphrase=passphrase)


@dataclass
class Services:
    doctor: Callable[[WizardState], DoctorReport] = default_doctor
    discover: Callable[[WizardState], OrganizationSummary] = default_discover
    plan: Callable[[LandingZoneConfig], list[Any]] = default_plan
    orchestrator: OrchestratorFactory = default_orchestrator
    passphrase: str | None = field(default=None, repr=False)
    """The secrets passphrase typed into the wizard: kept in memory for this session only, never written to
    the configuration, the state or a log (None: the environment provides it)."""
    extra: dict[str, Any] = field(default_factory=dict)



def run_engine_operation(services: Services, cfg: LandingZoneConfig, config_path: Path, *, operation: str,
                         run: Callable[[Any], Any], post: Callable[[Message], object],
                         attach: Callable[[Any], None]) -> None:
    """The body of a screen's engine worker (call it from a thread worker, never the event loop).

    Creates the orchestrator, whose events are posted as EngineEvent, and hands it to `attach` (so the screen can
    ask it to stop); calls `run(orchestrator)` under PULUMI_RUNTIME_LOCK; posts OperationFinished with what `run`
    returned, or with the exception when anything raised (a LandingZoneError or not: the screen shows both)."""

    def on_event(event: Any) -> None:
        post(EngineEvent(event))

    try:
        orchestrator = services.orchestrator(cfg, config_path, on_event=on_event, passphrase=services.passphrase)
        attach(orchestrator)
        with PULUMI_RUNTIME_LOCK:
            detail = run(orchestrator)
    except Exception as exc:  # noqa: BLE001 - every failure is shown to the user, with what to do
        post(OperationFinished(OperationResult(operation, False, exc)))
        return
    post(OperationFinished(OperationResult(operation, True, detail)))
