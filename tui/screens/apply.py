"""Step 10: apply, after an explicit confirmation; a progress bar per stack driven by engine events, a live log,
the outputs at the end, and on failure what was applied and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar, RichLog, Static

from landingzone import events as ev
from landingzone.config import LandingZoneConfig
from landingzone.errors import ConfigError, StageError
from landingzone.orchestrator import RunResult
from tui.screens.base import StepList
from tui.screens.confirm import ConfirmApply
from tui.screens.engine import EngineScreen
from tui.services import Engine, Services
from tui.state import WizardState
from tui.widgets.stage_table import stack_label


@dataclass(frozen=True)
class ApplyAnswers:
    def apply(self, state: WizardState) -> None:
        return None


@dataclass
class ApplyOutcome:
    result: RunResult
    outputs: dict[str, Any]
    """{stage: {output: value}} after the apply (Engine.outputs)."""


class StackProgress(Horizontal):
    """One stack: its name, a bar of finished resource steps, and a status."""

    DEFAULT_CSS = """
    StackProgress { height: 1; }
    StackProgress > Label { width: 28; }
    StackProgress > ProgressBar { width: 40; }
    StackProgress > .status { width: 1fr; }
    """

    def __init__(self, label: str, total: int | None) -> None:
        super().__init__(id=None)
        self.label = label
        self.total = total
        self.status = "waiting"

    def compose(self) -> ComposeResult:
        yield Label(self.label)
        yield ProgressBar(total=self.total, show_eta=False)
        yield Static(Text("waiting", style="dim"), classes="status")

    def advance(self) -> None:
        self.query_one(ProgressBar).advance(1)

    def finish(self, ok: bool, text: str) -> None:
        bar = self.query_one(ProgressBar)
        if ok:
            bar.update(total=bar.progress or 1, progress=bar.progress or 1)
        self.status = "done" if ok else "failed"
        self.query_one(".status", Static).update(Text(text, style="green" if ok else "bold red"))

    def set_status(self, text: str, style: str = "") -> None:
        self.status = text
        self.query_one(".status", Static).update(Text(text, style=style))


class ApplyScreen(EngineScreen[ApplyAnswers, ApplyOutcome]):
    STEP = "apply"
    TITLE_TEXT = "Apply"
    HELP = "Apply the landing zone after a confirmation; live progress per stage"
    OPERATION = "up"
    BUSY_NEXT = "Wait for the apply to finish (escape stops after the running stage)."
    BUSY_BACK = "The apply is running; wait for it to finish."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop after this stage"),
    ]

    def __init__(self, state: WizardState, services: Services, *, steps: StepList = ()) -> None:
        super().__init__(state, services, steps=steps)
        self.cfg: LandingZoneConfig | None = None
        self.finished_ok: bool | None = None
        self.bars: dict[str, StackProgress] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("Waiting for your confirmation…", id="apply-status")
        with Vertical(classes="panel", id="apply-stages") as panel:
            panel.border_title = "Stages"
        log = RichLog(id="apply-log", max_lines=2000, wrap=True, markup=False)
        log.border_title = "Engine log"
        yield log
        with Vertical(classes="panel", id="apply-outputs-panel") as panel:
            panel.border_title = "Outputs"
            yield Static(id="apply-outputs")

    def collect(self) -> ApplyAnswers:
        return ApplyAnswers()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#apply-outputs-panel").display = False
        try:
            self.cfg = self.state.config()
        except ConfigError as exc:
            self._status(f"The configuration has {exc.count} problem(s); go back and fix them.", "red")
            return
        preview = self.state.current_preview()
        if preview is None:
            if self.state.preview is not None:
                self._status("The configuration changed since the preview: go back (ctrl+b) and preview again.",
                             "yellow")
            else:
                self._status("Apply needs a successful preview first: go back (ctrl+b).", "yellow")
            return
        for outcome in preview.stacks:
            total = sum(n for op, n in outcome.counts.items() if op not in ("delete", "delete-replaced")) or None
            self._bar(outcome.ref.label, total)
        self.app.push_screen(ConfirmApply(self.cfg, preview), self._confirmed)

    def _bar(self, label: str, total: int | None = None) -> StackProgress:
        if label not in self.bars:
            self.bars[label] = StackProgress(label, total)
            self.query_one("#apply-stages").mount(self.bars[label])
        return self.bars[label]

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#apply-status", Static).update(Text(text, style=style))

    def _confirmed(self, confirmed: bool | None) -> None:
        if not confirmed or self.cfg is None:
            self._status("Not applied. ctrl+b goes back to the preview.", "yellow")
            return
        self._status("Applying… (escape stops after the running stage; nothing is rolled back)", "bold yellow")
        self.start_engine(self.cfg)

    # ---- the engine ------------------------------------------------------------------------------------------

    def operate(self, orchestrator: Engine) -> ApplyOutcome:
        result = orchestrator.up()
        return ApplyOutcome(result, orchestrator.outputs())

    def engine_event(self, event: ev.Event) -> None:
        log = self.query_one("#apply-log", RichLog)
        if isinstance(event, ev.StageStarted):
            self._bar(stack_label(event.stage, event.account)).set_status("running…", "bold yellow")
            log.write(Text(f"▶ {event.stack}", style="bold"))
        elif isinstance(event, ev.ResourceOp):
            if event.done:
                self._bar(stack_label(event.stage, event.account)).advance()
                if event.changes or event.failed:
                    log.write(Text(f"  {'✗' if event.failed else '✓'} {event.op} {event.type} {event.name}",
                                   style="red" if event.failed else ""))
        elif isinstance(event, ev.StageFinished):
            self._bar(stack_label(event.stage, event.account)).finish(True, f"✓ {event.seconds:.1f}s")
        elif isinstance(event, ev.StageFailed):
            self._bar(stack_label(event.stage, event.account)).finish(False, "✗ failed")
            log.write(Text(f"{event.stack}: {event.error}", style="bold red"))
        elif isinstance(event, ev.LogLine):
            log.write(Text(f"  [{stack_label(event.stage, event.account)}] {event.message}",
                           style={"error": "red", "warning": "yellow"}.get(event.level, "dim")))

    def engine_finished(self, result: ApplyOutcome) -> None:
        self.finished_ok = True
        self._status("✓ Applied: every stage is green. ctrl+n: next steps.", "bold green")
        self._show_outputs(result.outputs)

    def engine_failed(self, error: BaseException) -> None:
        self.finished_ok = False
        if isinstance(error, StageError):
            applied = ", ".join(error.applied) or "nothing"
            text = (f"✗ Stage {error.stage!r} failed: {error.cause}\nApplied before the failure: {applied} "
                    "(kept; nothing is rolled back).\nWhat to do: fix the cause shown in the log, then apply again "
                    "(the wizard, or `landingzone up --config " + str(self.state.config_path) + "`): applied "
                    "stages show no changes and the failed one continues.")
        else:
            text = (f"✗ The apply failed: {error}\nWhat to do: check the log above; `landingzone doctor "
                    "--action up` checks the prerequisites; apply again once fixed.")
        self._status(text, "bold red")

    def _show_outputs(self, outputs: dict[str, Any]) -> None:
        table = Table(box=None, pad_edge=False, show_edge=False)
        table.add_column("Stage", style="bold")
        table.add_column("Output")
        table.add_column("Value", overflow="fold")
        for stage, values in outputs.items():
            for key, value in (values or {}).items() if isinstance(values, dict) else [("", values)]:
                table.add_row(Text(stage), Text(str(key)), Text(str(value)))
        self.query_one("#apply-outputs", Static).update(table)
        self.query_one("#apply-outputs-panel").display = True
