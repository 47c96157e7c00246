"""The base of the steps that run the engine (preview, apply): one orchestrator in a thread worker, its events as
messages, a stop that lets the running stage finish, and the guards while it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from textual import on, work

from landingzone.config import LandingZoneConfig
from tui.messages import EngineEvent, OperationFinished
from tui.screens.base import AnswersT, StepList, StepScreen
from tui.services import Engine, Services, run_engine_operation
from tui.state import WizardState

if TYPE_CHECKING:
    from landingzone import events as ev

ResultT = TypeVar("ResultT")

ENGINE_TASK = "engine"
"""The name of the engine worker (``work_failed`` receives it)."""


class EngineScreen(StepScreen[AnswersT], Generic[AnswersT, ResultT]):
    """Subclasses set OPERATION and the BUSY_* texts and implement ``operate`` (in the worker thread: what to ask
    of the orchestrator), ``engine_event``, ``engine_finished`` and ``engine_failed`` (on the event loop)."""

    OPERATION: ClassVar[ev.Operation]
    BUSY_NEXT: ClassVar[str] = "Wait for the engine to finish."
    """Shown when Next is pressed while the engine runs."""
    BUSY_BACK: ClassVar[str | None] = None
    """Shown when Back is pressed while the engine runs (None: Back is allowed; the run goes on)."""

    def __init__(self, state: WizardState, services: Services, *, steps: StepList = ()) -> None:
        super().__init__(state, services, steps=steps)
        self.orchestrator: Engine | None = None
        """The running (or last) orchestrator, so that escape and quit can ask it to stop."""
        self.running = False

    # ---- the worker ------------------------------------------------------------------------------------------

    def start_engine(self, cfg: LandingZoneConfig) -> None:
        self.running = True
        self._run_engine(cfg)

    @work(thread=True, exclusive=True, exit_on_error=False, group="engine", name=ENGINE_TASK)
    def _run_engine(self, cfg: LandingZoneConfig) -> None:
        result = run_engine_operation(self.services, cfg, self.state.config_path, run=self.operate,
                                      on_event=self._forward, attach=self._hold_orchestrator)
        self.post_message(OperationFinished(self.OPERATION, result))

    def _forward(self, event: ev.Event) -> None:
        self.post_message(EngineEvent(event))

    def _hold_orchestrator(self, orchestrator: Engine) -> None:
        self.orchestrator = orchestrator

    def operate(self, orchestrator: Engine) -> ResultT:
        """Runs in the worker thread: the engine calls whose result ``engine_finished`` receives."""
        raise NotImplementedError

    # ---- on the event loop -----------------------------------------------------------------------------------

    @on(EngineEvent)
    def _engine_event(self, message: EngineEvent) -> None:
        self.engine_event(message.event)

    @on(OperationFinished)
    def _operation_finished(self, message: OperationFinished[ResultT]) -> None:
        self.running = False
        self.engine_finished(message.result)

    def work_failed(self, task: str, error: BaseException) -> None:
        if task != ENGINE_TASK:
            super().work_failed(task, error)
            return
        self.running = False
        self.engine_failed(error)

    def engine_event(self, event: ev.Event) -> None:
        raise NotImplementedError

    def engine_finished(self, result: ResultT) -> None:
        raise NotImplementedError

    def engine_failed(self, error: BaseException) -> None:
        raise NotImplementedError

    # ---- stop and guards -------------------------------------------------------------------------------------

    def request_stop(self) -> bool:
        """Ask the running engine to stop after the running stage (its state stays consistent); False when
        nothing runs."""
        if not self.running or self.orchestrator is None:
            return False
        self.orchestrator.request_stop()
        return True

    def action_stop(self) -> None:
        if self.request_stop():
            self.notify("Stopping after the running stage…")

    def action_next(self) -> None:
        if self.running:
            self.notify(self.BUSY_NEXT, severity="warning")
            return
        super().action_next()

    def action_back(self) -> None:
        if self.running and self.BUSY_BACK is not None:
            self.notify(self.BUSY_BACK, severity="warning")
            return
        super().action_back()
