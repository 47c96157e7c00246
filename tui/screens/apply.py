"""Step 10: apply, after an explicit confirmation; a progress bar per stack driven by engine events, a live log,
the outputs at the end, and on failure what was applied and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar, RichLog, Static

from landingzone import events as ev
from landingzone.config import LandingZoneConfig
from landingzone.errors import ConfigError, StageError
from tui.messages import EngineEvent, OperationFinished
from tui.screens.base import StepAnswers, StepScreen
from tui.screens.confirm import ConfirmApply
from tui.services import run_engine_operation
from tui.state import WizardState
from tui.widgets.stage_table import stack_label


@dataclass(frozen=True)
class ApplyAnswers:
    def apply(self, state: WizardState) -> None:
        return None


@dataclass
class ApplyOutcome:
    result: Any
    outputs: dict[str, Any]


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


class ApplyScreen(StepScreen):
    STEP = "apply"
    TITLE_TEXT = "Apply"
    HELP = "Apply the landing zone after a confirmation; live progress per stage"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop after this stage"),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orchestrator: Any = None
        self.running = False
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

    def collect(self) -> StepAnswers:
        return ApplyAnswers()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#apply-outputs-panel").display = False
        try:
            self.cfg = self.state.config()
        except ConfigError as exc:
            self._status(f"The configuration has {len(exc.problems)} problem(s); go back and fix them.", "red")
            return
        preview = self.state.scratch.get("preview")
        if preview is None:
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
        if not confirmed:
            self._status("Not applied. ctrl+b goes back to the preview.", "yellow")
            return
        self.running = True
        self._status("Applying… (escape stops after the running stage; nothing is rolled back)", "bold yellow")
        self.run_apply(self.cfg)

    # ---- the worker ------------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="engine")
    def run_apply(self, cfg: LandingZoneConfig) -> None:
        def up_then_outputs(orchestrator: Any) -> ApplyOutcome:
            result = orchestrator.up()
            return ApplyOutcome(result, orchestrator.outputs())

        run_engine_operation(self.services, cfg, self.state.config_path, operation="up", run=up_then_outputs,
                             post=self.post_message, attach=self._hold_orchestrator)

    def _hold_orchestrator(self, orchestrator: Any) -> None:
        self.orchestrator = orchestrator

    # ---- events ----------------------------------------------------------------------------------------------

    @on(EngineEvent)
    def _engine_event(self, message: EngineEvent) -> None:
        event = message.event
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

    @on(OperationFinished)
    def _finished(self, message: OperationFinished) -> None:
        self.running = False
        self.finished_ok = message.result.ok
        if message.result.ok:
            outcome: ApplyOutcome = message.result.detail
            self._status("✓ Applied: every stage is green. ctrl+n: next steps.", "bold green")
            self._show_outputs(outcome.outputs)
            return
        error = message.result.detail
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

    def action_stop(self) -> None:
        if self.running and self.orchestrator is not None:
            self.orchestrator.request_stop()
            self.notify("Stopping after the running stage…")

    def action_next(self) -> None:
        if self.running:
            self.notify("Wait for the apply to finish (escape stops after the running stage).", severity="warning")
            return
        super().action_next()

    def action_back(self) -> None:
        if self.running:
            self.notify("The apply is running; wait for it to finish.", severity="warning")
            return
        super().action_back()
