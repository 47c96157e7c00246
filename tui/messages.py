"""Every custom Message of the wizard, in one place.

Workers (threads) only ever *post* these; widgets change in the ``@on`` handlers that receive them, on the
event loop. That is what keeps the wizard responsive while discovery, the plan, a preview or an apply runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from landingzone.discovery import OrganizationSummary
    from landingzone.toolchain import DoctorReport
    from tui.screens.base import StepAnswers


# ---- navigation --------------------------------------------------------------------------------------------


class StepFinished(Message):
    """A step screen hands its typed answers to the app and asks to move by ``direction`` steps (+1 next, -1
    back, 0 stay, e.g. save). Answers are kept whichever way the user goes."""

    def __init__(self, step: str, answers: StepAnswers, direction: int) -> None:
        super().__init__()
        self.step = step
        self.answers = answers
        self.direction = direction


class GoToStep(Message):
    """Jump to a named step (command palette, the Done screen's links)."""

    def __init__(self, step: str) -> None:
        super().__init__()
        self.step = step


# ---- preflight and discovery -------------------------------------------------------------------------------


class DoctorFinished(Message):
    """`landingzone doctor` checks are back."""

    def __init__(self, report: DoctorReport) -> None:
        super().__init__()
        self.report = report


class DiscoveryFinished(Message):
    """What the credentials can see of AWS Organizations."""

    def __init__(self, summary: OrganizationSummary) -> None:
        super().__init__()
        self.summary = summary


class WorkFailed(Message):
    """A worker failed; ``task`` names what it was doing (doctor, discovery, plan, preview, apply)."""

    def __init__(self, task: str, error: str) -> None:
        super().__init__()
        self.task = task
        self.error = error


# ---- plan, preview, apply ----------------------------------------------------------------------------------


class PlanReady(Message):
    """The offline plan (landingzone.plan) for the review screen."""

    def __init__(self, plans: list[Any]) -> None:
        super().__init__()
        self.plans = plans


class EngineEvent(Message):
    """One typed event from landingzone.events (stage started/finished/failed, resource op, log line,
    summary), forwarded from the orchestrator's callback thread."""

    def __init__(self, event: Any) -> None:
        super().__init__()
        self.event = event


@dataclass
class OperationResult:
    operation: str
    """preview or up."""
    ok: bool
    detail: Any = None
    """The orchestrator's result (per-stage summaries, outputs) or the error."""


class OperationFinished(Message):
    """A preview or an apply ended (successfully or not)."""

    def __init__(self, result: OperationResult) -> None:
        super().__init__()
        self.result = result


class ConfigSaved(Message):
    """The configuration was written."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
