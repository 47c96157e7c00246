"""What every wizard step shares: layout, navigation bindings, validation as you type."""

from __future__ import annotations

from typing import ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Header, Input, RadioSet, Select, SelectionList, TextArea

from landingzone.errors import ConfigProblem
from tui.messages import StepFinished
from tui.services import Services
from tui.state import WizardState, owned_by
from tui.widgets.problems import ProblemList
from tui.widgets.step_bar import StepBar


class StepAnswers(Protocol):
    """The typed result of a step: knows how to write itself into the draft."""

    def apply(self, state: WizardState) -> None: ...


class StepScreen(Screen[None]):
    """Base of every step. Subclasses set STEP, TITLE_TEXT, OWNS and implement compose_body() and
    collect()."""

    STEP: ClassVar[str] = ""
    TITLE_TEXT: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    """One line shown in the command palette."""
    OWNS: ClassVar[tuple[str, ...]] = ()
    """Config field paths this step edits; their problems are shown here and block Next."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+b", "back", "Back", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, state: WizardState, services: Services) -> None:
        super().__init__()
        self.state = state
        self.services = services
        self.problems: list[ConfigProblem] = []
        self._revalidate_pending = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepBar(self.STEP)
        with VerticalScroll(id="body", classes=f"step-{self.STEP}"):
            yield from self.compose_body()
        yield ProblemList(id="problems")
        yield Footer()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def collect(self) -> StepAnswers:
        """The answers as the widgets show them now."""
        raise NotImplementedError

    def extra_problems(self) -> list[ConfigProblem]:
        """Rules of the wizard beyond the config model's (the seed checklist the user confirms)."""
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

    # ---- navigation ----------------------------------------------------------------------------------------

    def action_next(self) -> None:
        self.post_message(StepFinished(self.STEP, self.collect(), +1))

    def action_back(self) -> None:
        self.post_message(StepFinished(self.STEP, self.collect(), -1))

    def action_save(self) -> None:
        self.post_message(StepFinished(self.STEP, self.collect(), 0))
