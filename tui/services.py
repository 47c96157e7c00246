"""The blocking operations the wizard calls from its workers, injectable so tests can point them elsewhere.

The defaults are the real things: `landingzone doctor`'s checks, read-only discovery with boto3, the offline
plan, and the orchestrator. Every one of them runs in a thread worker, never on the event loop. Nothing here
knows Textual: a service returns its result or raises, and reports progress through the callback it is given;
the screens turn results into messages.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from landingzone.config import LandingZoneConfig
from landingzone.discovery import DiscoveryOptions, OrganizationSummary, summarize_organization
from landingzone.toolchain import DoctorReport, run_doctor
from tui.state import WizardState

if TYPE_CHECKING:
    from landingzone import events as ev
    from landingzone.orchestrator import RunResult
    from landingzone.plan import StagePlan

ResultT = TypeVar("ResultT")


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


def default_plan(cfg: LandingZoneConfig) -> list[StagePlan]:
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


def run_plan(services: Services, cfg: LandingZoneConfig) -> list[StagePlan]:
    """The offline plan through the injected service, under PULUMI_RUNTIME_LOCK (call it from a thread worker)."""
    with PULUMI_RUNTIME_LOCK:
        return services.plan(cfg)


class Engine(Protocol):
    """What the wizard asks of the orchestrator (landingzone.orchestrator.Orchestrator is one)."""

    def preview(self) -> RunResult: ...

    def up(self) -> RunResult: ...

    def outputs(self) -> dict[str, Any]:
        """{stage: {output: value}} of the applied stacks (values are whatever JSON the stacks export)."""
        ...

    def request_stop(self) -> None: ...


class OrchestratorFactory(Protocol):
    """Builds the engine for a validated configuration; its events go to ``on_event`` (from its own thread)."""

    def __call__(self, cfg: LandingZoneConfig, config_path: Path, *, on_event: ev.EventHandler,
                 passphrase: str | None = None) -> Engine: ...


def default_orchestrator(cfg: LandingZoneConfig, config_path: Path, *, on_event: ev.EventHandler,
                         passphrase: str | None = None) -> Engine:
    from landingzone.orchestrator import Orchestrator

    return Orchestrator(cfg, config_path, on_event=on_event, passphrase=passphrase)


@dataclass
class Services:
    doctor: Callable[[WizardState], DoctorReport] = default_doctor
    discover: Callable[[WizardState], OrganizationSummary] = default_discover
    plan: Callable[[LandingZoneConfig], list[StagePlan]] = default_plan
    orchestrator: OrchestratorFactory = default_orchestrator
    passphrase: str | None = field(default=None, repr=False)
    """The secrets passphrase typed into the wizard: kept in memory for this session only, never written to
    the configuration, the state or a log (None: the environment provides it)."""


def run_engine_operation(services: Services, cfg: LandingZoneConfig, config_path: Path, *,
                         run: Callable[[Engine], ResultT], on_event: ev.EventHandler,
                         attach: Callable[[Engine], None]) -> ResultT:
    """The body of a screen's engine worker (call it from a thread worker, never the event loop).

    Creates the orchestrator, whose events go to ``on_event``, and hands it to ``attach`` (so the screen can ask
    it to stop); returns what ``run(orchestrator)`` returns, run under PULUMI_RUNTIME_LOCK. Whatever raises
    propagates: the worker fails, and the screen shows the error."""
    orchestrator = services.orchestrator(cfg, config_path, on_event=on_event, passphrase=services.passphrase)
    attach(orchestrator)
    with PULUMI_RUNTIME_LOCK:
        return run(orchestrator)
