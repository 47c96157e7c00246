"""Step 9: preview against AWS with the orchestrator, in a thread worker; per-stack counts and a drill-down into
each resource's diff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, RichLog, Static

from landingzone import events as ev
from landingzone.errors import ConfigError
from landingzone.orchestrator import RunResult
from landingzone.toolchain import passphrase_source
from tui.screens.base import StepList, error_text
from tui.screens.engine import EngineScreen
from tui.services import Engine, Services
from tui.state import WizardState
from tui.widgets.stage_table import StageTable, stack_label


@dataclass(frozen=True)
class PreviewAnswers:
    def apply(self, state: WizardState) -> None:
        return None


class PreviewScreen(EngineScreen[PreviewAnswers, RunResult]):
    STEP = "preview"
    TITLE_TEXT = "Preview"
    HELP = "Preview every stage against AWS: what would be created, updated, replaced or deleted"
    OPERATION = "preview"
    BUSY_NEXT = "Wait for the preview to finish."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "rerun", "Preview again"),
        Binding("escape", "stop", "Stop"),
    ]

    def __init__(self, state: WizardState, services: Services, *, steps: StepList = ()) -> None:
        super().__init__(state, services, steps=steps)
        self.result: RunResult | None = None
        """The preview when it succeeded (None while it runs or after a failure)."""
        self.resources: dict[str, list[ev.ResourceOp]] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("Starting the preview…", id="preview-status")
        with Horizontal(classes="row", id="passphrase-row"):
            yield Label("Passphrase")
            yield Input(password=True, id="passphrase", compact=True,
                        placeholder="secrets passphrase (kept in memory only; the same on every run)")
        yield StageTable(id="preview-table")
        with Vertical(classes="panel", id="preview-drill") as panel:
            panel.border_title = "Resources of the selected stack (enter)"
            drill: DataTable[Text] = DataTable(id="preview-resources", zebra_stripes=True)
            yield drill
        log = RichLog(id="preview-log", max_lines=500, wrap=True, markup=False)
        log.border_title = "Engine log"
        yield log

    def on_mount(self) -> None:
        resources = self.query_one("#preview-resources", DataTable)
        resources.add_columns("Op", "Type", "Name", "Changed properties")
        super().on_mount()
        self.start()

    def collect(self) -> PreviewAnswers:
        return PreviewAnswers()

    def start(self) -> None:
        try:
            cfg = self.state.config()
        except ConfigError as exc:
            self.query_one("#preview-status", Static).update(
                Text(f"The configuration has {exc.count} problem(s); go back and fix them.", style="red"))
            return
        self.query_one("#passphrase-row").display = False
        if self.services.passphrase is None and passphrase_source() is None:
            # Neither LANDINGZONE_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE[_FILE]: ask, and keep it in memory only.
            self.query_one("#passphrase-row").display = True
            self.query_one("#preview-status", Static).update(
                "The state of every stage is encrypted with a secrets passphrase: type it and press enter.")
            self.query_one("#passphrase", Input).focus()
            return
        table = self.query_one(StageTable)
        for stage_plan in self.state.plan or []:
            table.ensure_row(stack_label(stage_plan.stage, stage_plan.account))
        self.result = None
        self.query_one("#preview-status", Static).update("Previewing… (escape stops after the running stage)")
        self.start_engine(cfg)

    # ---- the engine ------------------------------------------------------------------------------------------

    def operate(self, orchestrator: Engine) -> RunResult:
        return orchestrator.preview()

    def engine_event(self, event: ev.Event) -> None:
        table = self.query_one(StageTable)
        log = self.query_one("#preview-log", RichLog)
        if isinstance(event, ev.StageStarted):
            table.set_status(stack_label(event.stage, event.account), "running…", "bold yellow")
        elif isinstance(event, ev.ResourceOp):
            label = stack_label(event.stage, event.account)
            if not event.done:
                self.resources.setdefault(label, []).append(event)
                table.count(label, event.op)
        elif isinstance(event, ev.ChangeSummary):
            table.set_counts(stack_label(event.stage, event.account), dict(event.counts))
        elif isinstance(event, ev.StageFinished):
            table.set_status(stack_label(event.stage, event.account), "✓ previewed", "green")
        elif isinstance(event, ev.StageFailed):
            table.set_status(stack_label(event.stage, event.account), "✗ failed", "bold red")
            log.write(Text(f"{event.stack}: {event.error}", style="red"))
        elif isinstance(event, ev.LogLine):
            log.write(Text(f"[{stack_label(event.stage, event.account)}] {event.message}",
                           style={"error": "red", "warning": "yellow"}.get(event.level, "")))

    def engine_failed(self, error: BaseException) -> None:
        self.state.preview = None
        status = self.query_one("#preview-status", Static)
        status.update(Text(f"The preview failed: {error_text(error)}", style="bold red"))

    def engine_finished(self, result: RunResult) -> None:
        status = self.query_one("#preview-status", Static)
        self.result = result
        self.state.remember_preview(result)
        table = self.query_one(StageTable)
        for outcome in result.stacks:
            label = stack_label(outcome.ref.stage, outcome.ref.account)
            table.set_counts(label, dict(outcome.counts))
            self.resources[label] = list(outcome.resources)
        changed = sum(outcome.changed for outcome in result.stacks)
        if changed:
            status.update(Text.assemble((f"{changed} change(s) pending. ", "bold yellow"),
                                        "Select a stack (enter) to see its resources; ctrl+n applies."))
        else:
            status.update(Text("No changes: AWS already matches the configuration.", style="bold green"))

    @on(Input.Submitted, "#passphrase")
    def _passphrase_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            return
        self.services.passphrase = event.value
        event.input.value = ""
        self.start()

    @on(DataTable.RowSelected, "#preview-table")
    def _drill_down(self, event: DataTable.RowSelected) -> None:
        label = str(event.row_key.value)
        self.show_resources(label)

    def show_resources(self, label: str) -> None:
        table = self.query_one("#preview-resources", DataTable)
        table.clear()
        # Grouped by op, then type and name (the engine reports them in whatever order they register).
        for res in sorted(self.resources.get(label, []), key=lambda r: (r.op, r.type, r.name)):
            style = {"create": "green", "update": "yellow", "delete": "red"}.get(res.op, "magenta" if "replace" in
                                                                                 res.op else "dim")
            table.add_row(Text(res.op, style=style), Text(res.type), Text(res.name),
                          Text(", ".join(res.diff_keys) or "·"))
        self.query_one("#preview-drill").border_title = f"Resources of {label}"

    # ---- actions ---------------------------------------------------------------------------------------------

    def action_rerun(self) -> None:
        if self.running:
            self.notify("A preview is running.", severity="warning")
            return
        self.resources.clear()
        self.query_one(StageTable).clear()
        self.query_one(StageTable).counts.clear()
        self.start()

    def action_next(self) -> None:
        if not self.running and self.result is None:
            self.notify("Apply needs a successful preview first (ctrl+r previews again).", severity="warning")
            return
        super().action_next()
