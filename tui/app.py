"""The wizard application: steps, navigation, saving, the command palette.

`make_app(config, orchestrator)` builds the app (tests drive it under Pilot); `run_wizard(path)` is what
`landingzone` runs on a terminal with no command (`--config F` opens F for editing).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from landingzone.config import LandingZoneConfig
from landingzone.errors import ConfigError
from tui.messages import GoToStep, StepFinished
from tui.screens.access import AccessScreen
from tui.screens.accounts import AccountsScreen
from tui.screens.apply import ApplyScreen
from tui.screens.base import AnyStepScreen, StepScreen
from tui.screens.done import DoneScreen
from tui.screens.engine import EngineScreen
from tui.screens.guardrails import GuardrailsScreen
from tui.screens.logging import LoggingScreen
from tui.screens.network import NetworkScreen
from tui.screens.organization import OrganizationScreen
from tui.screens.ous import OusScreen
from tui.screens.preview import PreviewScreen
from tui.screens.review import ReviewScreen
from tui.screens.security_services import SecurityServicesScreen
from tui.screens.welcome import WelcomeScreen
from tui.services import OrchestratorFactory, Services
from tui.state import WizardState

STEPS: tuple[type[AnyStepScreen], ...] = (
    WelcomeScreen,
    OrganizationScreen,
    AccountsScreen,
    OusScreen,
    GuardrailsScreen,
    LoggingScreen,
    SecurityServicesScreen,
    NetworkScreen,
    AccessScreen,
    ReviewScreen,
    PreviewScreen,
    ApplyScreen,
    DoneScreen,
)
"""Every step in order; the step bar and the command palette follow this tuple (a new step goes here)."""
STEP_KEYS: tuple[str, ...] = tuple(s.STEP for s in STEPS)
STEP_BAR: tuple[tuple[str, str], ...] = tuple((s.STEP, s.bar_title()) for s in STEPS)


class WizardApp(App[None]):
    """The landing zone wizard."""

    CSS_PATH = "app.tcss"
    TITLE = "landingzone"
    SUB_TITLE = "secure AWS landing zone"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+p,f1", "command_palette", "Steps", priority=True, show=False),
    ]

    def __init__(self, state: WizardState, services: Services | None = None) -> None:
        super().__init__()
        self.state = state
        self.services = services or Services()
        self.step_index = 0
        self.quit_requested = False

    def on_mount(self) -> None:
        self.push_screen(self._make(0))

    def _make(self, index: int) -> AnyStepScreen:
        self.step_index = index
        self.state.visited.add(STEPS[index].STEP)
        return STEPS[index](self.state, self.services, steps=STEP_BAR)

    @property
    def step_screen(self) -> AnyStepScreen:
        screen = self.screen
        assert isinstance(screen, StepScreen)
        return screen

    # ---- navigation ----------------------------------------------------------------------------------------

    @on(StepFinished)
    def _step_finished(self, message: StepFinished) -> None:
        message.answers.apply(self.state)
        if message.direction == 0:
            self.save()
            return
        if message.direction > 0:
            screen = self.screen
            problems = screen.revalidate() if isinstance(screen, StepScreen) else []
            if problems:
                self.notify(f"Fix {len(problems)} problem(s) on this step first (ctrl+b goes back).",
                            title="Not yet", severity="warning")
                return
        target = max(0, min(len(STEPS) - 1, self.step_index + message.direction))
        if target != self.step_index:
            self.switch_screen(self._make(target))

    @on(GoToStep)
    def _go_to_step(self, message: GoToStep) -> None:
        self.go_to(message.step)

    def go_to(self, step: str) -> None:
        """Jump to a step, keeping the answers of the one on screen."""
        screen = self.screen
        if isinstance(screen, StepScreen):
            screen.collect().apply(self.state)
        self.switch_screen(self._make(STEP_KEYS.index(step)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for number, step in enumerate(STEPS, start=1):
            yield SystemCommand(f"Step {number}: {step.TITLE_TEXT}", step.HELP,
                                partial(self.go_to, step.STEP))
        yield SystemCommand("Save configuration", f"Write {self.state.config_path}", self.save)

    async def action_quit(self) -> None:
        """Quitting in the middle of a preview or an apply first asks the engine to stop after the running stage
        (its state stays consistent); a second ctrl+q quits at once."""
        screen = self.screen
        if isinstance(screen, EngineScreen) and not self.quit_requested and screen.request_stop():
            self.quit_requested = True
            self.notify("Stopping after the running stage so its state stays consistent; ctrl+q again quits now.",
                        title="Engine running", severity="warning", timeout=10)
            return
        self.exit()

    # ---- saving --------------------------------------------------------------------------------------------

    def save(self) -> Path | None:
        try:
            path = self.state.save()
        except ConfigError as exc:
            first = exc.problems[0] if exc.problems else None
            self.notify(f"Not saved: {exc.count} problem(s), first: {first}", title="Not saved",
                        severity="error", timeout=8)
            return None
        except OSError as exc:
            self.notify(f"Not saved: {exc}", title="Not saved", severity="error", timeout=8)
            return None
        self.notify(f"Saved {path}", title="Saved")
        return path


def make_app(config: LandingZoneConfig | WizardState | None = None,
             orchestrator: OrchestratorFactory | None = None, *, config_path: Path | None = None,
             services: Services | None = None) -> WizardApp:
    """The wizard for a configuration (None: start from the medium preset). ``orchestrator`` builds the object
    that previews and applies (default: landingzone.orchestrator.Orchestrator)."""
    if isinstance(config, WizardState):
        state = config
    elif config is None:
        state = WizardState.from_preset("medium", config_path=config_path)
    else:
        state = WizardState.from_config(config, config_path=config_path)
    services = services or Services()
    if orchestrator is not None:
        services.orchestrator = orchestrator
    _start_resource_tracker()
    return WizardApp(state, services)


def _start_resource_tracker() -> None:
    """The orchestrator runs per-account stacks in worker processes, and multiprocessing starts its resource
    tracker the first time it needs one, handing it sys.stderr's file descriptor. Once Textual runs, sys.stderr
    is Textual's capture (no usable descriptor) and that start fails; so start the tracker now, while stderr is
    still the terminal."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def run_wizard(config_path: Path | None = None) -> None:
    """Open the wizard (on the file when it exists, else on the medium preset, saving to that path)."""
    state = WizardState.open(config_path)
    make_app(state).run()
