"""What every wizard step shares: layout, navigation bindings, validation as you type, failed workers.

Adding a step
-------------

1. A module ``tui/screens/<step>.py`` with a frozen dataclass of the step's answers whose ``apply(state)`` writes
   them into ``state.data`` (the fields listed in ``OWNS``; anything that is not configuration but must survive
   Back and Next gets a typed field on ``WizardState``), and ``class XScreen(StepScreen[XAnswers])`` that sets
   ``STEP``, ``TITLE_TEXT`` (``BAR_TITLE`` when the step bar needs a shorter one), ``HELP`` and ``OWNS`` and
   implements ``compose_body()`` and ``collect() -> XAnswers``; ``field_widgets()`` marks the widget of a field
   with problems, ``extra_problems()`` adds the wizard's own rules.
2. Its place in ``STEPS`` in tui/app.py: the order, the step bar and the command palette all come from there.
3. Blocking work (AWS, pulumi) runs in a thread worker, ``@work(thread=True, exit_on_error=False, name=TASK)``,
   that calls a Textual-free function of tui/services.py (injectable in ``Services`` for tests) and posts a typed
   message of tui/messages.py with the result. It does not catch errors: a worker that raises ends in
   ``WorkerState.ERROR`` and ``work_failed(TASK, error)`` below receives it on the event loop. Engine operations
   (preview, apply) derive from ``EngineScreen`` (tui/screens/engine.py) instead.
4. Tests in tests/tui (Pilot), the step in tests/tui/test_snapshots.py's STEPS, and a row in docs/wizard.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Header, Input, RadioSet, Select, SelectionList, TextArea
from textual.worker import Worker, WorkerState

from landingzone.errors import ConfigProblem, LandingZoneError
from tui.messages import Direction, StepFinished
from tui.services import Services
from tui.state import StepAnswers, WizardState, owned_by
from tui.widgets.problems import ProblemList
from tui.widgets.step_bar import StepBar

AnswersT = TypeVar("AnswersT", bound=StepAnswers)

StepList = Sequence[tuple[str, str]]
"""(step, title in the step bar) of every step, in order."""


def error_text(error: BaseException) -> str:
    """A failure as the user reads it: our own errors say what to do already; anything else names its type."""
    return str(error) if isinstance(error, LandingZoneError) else f"{type(error).__name__}: {error}"


class StepScreen(Screen[AnswersT]):
    """Base of every step (see the module docstring for how to add one). The type parameter is the step's
    answers: ``collect()`` returns them and ``StepFinished`` carries them to the app, which applies them to the
    draft whichever way the user goes. (Steps are switched, not pushed: Next can be refused and Save stays, so the
    answers travel in that message rather than through ``dismiss``.)"""

    STEP: ClassVar[str] = ""
    TITLE_TEXT: ClassVar[str] = ""
    BAR_TITLE: ClassVar[str] = ""
    """The step's name in the step bar (empty: TITLE_TEXT)."""
    HELP: ClassVar[str] = ""
    """One line shown in the command palette."""
    OWNS: ClassVar[tuple[str, ...]] = ()
    """Config field paths this step edits; their problems are shown here and block Next."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+b", "back", "Back", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, state: WizardState, services: Services, *, steps: StepList = ()) -> None:
        super().__init__()
        self.state = state
        self.services = services
        self.steps = steps
        self.problems: list[ConfigProblem] = []
        self._revalidate_pending = False

    @classmethod
    def bar_title(cls) -> str:
        return cls.BAR_TITLE or cls.TITLE_TEXT

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepBar(self.STEP, self.steps or [(self.STEP, self.bar_title())])
        with VerticalScroll(id="body", classes=f"step-{self.STEP}"):
            yield from self.compose_body()
        yield ProblemList(id="problems")
        yield Footer()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def collect(self) -> AnswersT:
        """The answers as the widgets show them now."""
        raise NotImplementedError

    def extra_problems(self) -> list[ConfigProblem]:
        """Rules of the wizard beyond the config model's (the practice checklists the user confirms)."""
        return []

    def field_widgets(self) -> dict[str, Widget]:
        """Field path prefix -> the widget that edits it, to mark invalid widgets."""
        return {}

    def on_mount(self) -> None:
        self.sub_title = self.TITLE_TEXT
        self.revalidate()

    # ---- validation as you type ----------------------------------------------------------------------------

    def revalidate(self) -> list[ConfigProblem]:
        """Write the answers into the draft and show the config model's problems under this step's fields."""
        self.collect().apply(self.state)
        self.problems = self.state.problems_under(self.OWNS) if self.OWNS else []
        self.problems += self.extra_problems()
        self.query_one(ProblemList).show(self.problems)
        for path, widget in self.field_widgets().items():
            bad = any(owned_by(p.path, [path]) for p in self.problems)
            if widget.has_class("-invalid") != bad:
                widget.set_class(bad, "-invalid")
        return self.problems

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    @on(TextArea.Changed)
    def _answer_changed(self) -> None:
        # A burst of changes (a screen filling its widgets, a paste) validates once, after the burst.
        if self.is_mounted and not self._revalidate_pending:
            self._revalidate_pending = True
            self.call_later(self._revalidate_now)

    def _revalidate_now(self) -> None:
        self._revalidate_pending = False
        self.revalidate()

    # ---- workers -------------------------------------------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None:
            self.work_failed(event.worker.name, error)

    def work_failed(self, task: str, error: BaseException) -> None:
        """A worker of this screen raised ``error``; ``task`` is the worker's name. Runs on the event loop, after
        every message the worker posted. Screens show it where it belongs; by default, a notification."""
        self.notify(f"{task} failed: {error_text(error)}", title="Failed", severity="error", timeout=8)

    # ---- navigation ----------------------------------------------------------------------------------------

    def finish(self, direction: Direction) -> None:
        self.post_message(StepFinished(self.STEP, self.collect(), direction))

    def action_next(self) -> None:
        self.finish(+1)

    def action_back(self) -> None:
        self.finish(-1)

    def action_save(self) -> None:
        self.finish(0)


AnyStepScreen = StepScreen[Any]
"""A step whatever its answers (Screen's result type is invariant, so StepScreen[StepAnswers] would not do)."""
