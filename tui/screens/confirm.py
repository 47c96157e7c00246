"""The confirmation before an apply: what will happen, what is protected, and an explicit yes."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from landingzone.config import LandingZoneConfig
from landingzone.orchestrator import RunResult

PROTECTED_NOTE = ("Protected: the organization and every account are created with `protect`; a later destroy "
                  "never deletes them, and closing an account is never implied (close_on_deletion stays off "
                  "unless the configuration says so).")


def changes_table(preview: RunResult) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("Stack", style="bold")
    for op in ("create", "update", "replace", "delete"):
        table.add_column(op, justify="right")
    for outcome in preview.stacks:
        counts = outcome.counts
        label = outcome.ref.label
        table.add_row(Text(label), *(str(counts.get(op, 0) or "·") for op in ("create", "update", "replace", "delete")))
    return table


def protected_resources(cfg: LandingZoneConfig) -> list[str]:
    names = ["Organization" + (f" {cfg.organization.existing_id}" if cfg.organization.existing_id else "")]
    names += [f"account {a.name}" + (" (closes on deletion!)" if a.close_on_deletion else "") for a in cfg.accounts]
    return names


class ConfirmApply(ModalScreen[bool]):
    """Returns True only when the user chooses Apply."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+y", "confirm", "Apply", show=True),
    ]

    def __init__(self, cfg: LandingZoneConfig, preview: RunResult) -> None:
        super().__init__()
        self.cfg = cfg
        self.preview = preview

    def compose(self) -> ComposeResult:
        changed = sum(o.changed for o in self.preview.stacks)
        with Vertical(id="confirm-dialog"):
            yield Static(Text(f"Apply {changed} change(s) to AWS?", style="bold"), id="confirm-title")
            yield Static(Text(f"Landing zone {self.cfg.name}: the stages run in order (organization, security, "
                              "logging, guardrails, network); each stage's outputs feed the next."))
            yield Static(changes_table(self.preview), id="confirm-changes")
            yield Static(Text(PROTECTED_NOTE, style="italic"))
            yield Static(Text("Protected resources: " + ", ".join(protected_resources(self.cfg)), style="dim"),
                         id="confirm-protected")
            with Horizontal(id="confirm-buttons"):
                yield Button("Apply (ctrl+y)", variant="error", id="confirm-apply")
                yield Button("Cancel (esc)", variant="primary", id="confirm-cancel")

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()

    @on(Button.Pressed, "#confirm-apply")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
