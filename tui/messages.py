"""Every custom Message of the wizard, in one place.

Workers (threads) only ever *post* these; widgets change in the ``@on`` handlers that receive them, on the
event loop. That is what keeps the wizard responsive while discovery, the plan, a preview or an apply runs.
A worker that fails posts nothing: it raises, and the step base (tui/screens/base.py) hands the error to the
screen from Textual's own ``Worker.StateChanged``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from textual.message import Message

if TYPE_CHECKING:
    from landingzone import events as ev
    from landingzone.discovery import OrganizationSummary
    from landingzone.plan import StagePlan
    from landingzone.toolchain import DoctorReport
    from tui.state import StepAnswers

ResultT = TypeVar("ResultT")

Direction = Literal[-1, 0, 1]
"""+1 next, -1 back, 0 stay (save)."""


# ---- navigation --------------------------------------------------------------------------------------------


class StepFinished(Message):
    """A step screen hands its typed answers to the app and asks to move by ``direction`` steps (+1 next, -1
    back, 0 stay, e.g. save). Answers are kept whichever way the user goes."""

    def __init__(self, step: str, answers: StepAnswers, direction: Direction) -> None:
        super().__init__()
        self.step = step
        self.answers = answers
        self.direction: Direction = direction


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


# ---- plan, preview, apply ----------------------------------------------------------------------------------


class PlanReady(Message):
    """The offline plan (landingzone.plan) for the review screen."""

    def __init__(self, plans: list[StagePlan]) -> None:
        super().__init__()
        self.plans = plans


class EngineEvent(Message):
    """One typed event from landingzone.events (stage started/finished/failed, resource op, log line,
    summary), forwarded from the orchestrator's callback thread."""

    def __init__(self, event: ev.Event) -> None:
        super().__init__()
        self.event = event


class OperationFinished(Message, Generic[ResultT]):
    """A preview or an apply succeeded; ``result`` is what the engine screen's operation returned (a failure
    arrives as the worker's error instead)."""

    def __init__(self, operation: ev.Operation, result: ResultT) -> None:
        super().__init__()
        self.operation = operation
        self.result = result
