"""Step 3: member accounts in an editable table, validated as you type with the config model's messages."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import Checkbox, DataTable, Input, Label, Select, Static

from landingzone.config import ROOT_OU, AccountKind
from landingzone.errors import ConfigProblem
from tui.screens.base import StepList, StepScreen
from tui.services import Services
from tui.state import WizardState, owned_by

COLUMNS = ("", "Name", "Email", "Kind", "OU", "Existing id")
KIND_HELP = ("One security account (delegated administrator, owns the trail); production and development "
             "always in separate accounts; log-archive keeps the trail bucket when present.")


@dataclass(frozen=True)
class AccountsAnswers:
    accounts: list[dict[str, Any]]

    def apply(self, state: WizardState) -> None:
        state.data["accounts"] = copy.deepcopy(self.accounts)


class AccountsScreen(StepScreen[AccountsAnswers]):
    STEP = "accounts"
    TITLE_TEXT = "Accounts"
    HELP = "Member accounts: security, log-archive, production, development and more"
    OWNS = ("accounts",)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "add_account", "Add account"),
        Binding("ctrl+r", "remove_account", "Remove account"),
    ]

    def __init__(self, state: WizardState, services: Services, *, steps: StepList = ()) -> None:
        super().__init__(state, services, steps=steps)
        self.rows: list[dict[str, Any]] = copy.deepcopy(self.state.data.get("accounts") or [])
        self.current = 0
        self._loading = False

    def compose_body(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="accounts-table", cursor_type="row", zebra_stripes=True)
        yield table
        with Vertical(classes="panel", id="account-form") as panel:
            panel.border_title = "Selected account"
            with Horizontal(classes="row"):
                yield Label("Name")
                yield Input(id="acct-name", placeholder="production", compact=True)
                yield Label("Kind")
                yield Select([(k.value, k.value) for k in AccountKind], id="acct-kind", allow_blank=False,
                             compact=True)
            with Horizontal(classes="row"):
                yield Label("Email")
                yield Input(id="acct-email", placeholder="aws-production@example.com", compact=True)
            with Horizontal(classes="row"):
                yield Label("Existing id")
                yield Input(id="acct-existing-id", placeholder="12 digits, only to adopt an existing account",
                            compact=True)
                yield Checkbox("Close on deletion", id="acct-close", compact=True)
        yield Static(KIND_HELP, classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#accounts-table", DataTable)
        table.add_columns(*COLUMNS)
        for i in range(len(self.rows)):
            table.add_row(*self._cells(i), key=str(i))
        self._load_form()
        super().on_mount()

    # ---- table <-> form ------------------------------------------------------------------------------------

    def _cells(self, index: int) -> list[str | Text]:
        row = self.rows[index]
        bad = any(owned_by(p.path, [f"accounts[{index}]"]) for p in self.problems)
        mark = Text("✗", style="bold red") if bad else Text("✓", style="green")
        # Text, not str: DataTable reads a str as markup, and a typed value may contain brackets.
        return [mark, *(Text(str(row.get(key) or default)) for key, default in
                        (("name", ""), ("email", ""), ("kind", ""), ("ou", ROOT_OU), ("existing_id", "")))]

    def _load_form(self) -> None:
        self._loading = True
        has_row = bool(self.rows)
        self.query_one("#account-form").disabled = not has_row
        if has_row:
            row = self.rows[self.current]
            self.query_one("#acct-name", Input).value = str(row.get("name", ""))
            self.query_one("#acct-email", Input).value = str(row.get("email", ""))
            kind = str(row.get("kind", AccountKind.WORKLOAD.value))
            self.query_one("#acct-kind", Select).value = kind if kind in set(AccountKind) else "workload"
            self.query_one("#acct-existing-id", Input).value = str(row.get("existing_id") or "")
            self.query_one("#acct-close", Checkbox).value = bool(row.get("close_on_deletion"))
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def collect(self) -> AccountsAnswers:
        if self.rows and not self._loading and self.is_mounted:
            row = self.rows[self.current]
            row["name"] = self.query_one("#acct-name", Input).value.strip()
            row["email"] = self.query_one("#acct-email", Input).value.strip()
            kind = self.query_one("#acct-kind", Select).value
            row["kind"] = str(kind) if kind != Select.NULL else row.get("kind")
            row["existing_id"] = self.query_one("#acct-existing-id", Input).value.strip() or None
            row["close_on_deletion"] = self.query_one("#acct-close", Checkbox).value
        return AccountsAnswers(copy.deepcopy(self.rows))

    def revalidate(self) -> list[ConfigProblem]:
        problems = super().revalidate()
        table = self.query_one("#accounts-table", DataTable)
        for i in range(len(self.rows)):
            for col, value in enumerate(self._cells(i)):
                table.update_cell_at(Coordinate(i, col), value)
        return problems

    def field_widgets(self) -> dict[str, Widget]:
        i = self.current
        return {f"accounts[{i}].name": self.query_one("#acct-name"),
                f"accounts[{i}].email": self.query_one("#acct-email"),
                f"accounts[{i}].kind": self.query_one("#acct-kind"),
                f"accounts[{i}].existing_id": self.query_one("#acct-existing-id")}

    @on(DataTable.RowHighlighted, "#accounts-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row == self.current or not 0 <= event.cursor_row < len(self.rows):
            return
        self.collect()  # keep what was typed in the row we leave
        self.current = event.cursor_row
        self._load_form()

    # ---- add / remove --------------------------------------------------------------------------------------

    def action_add_account(self) -> None:
        self.collect()
        n = len(self.rows) + 1
        self.rows.append({"name": f"workload-{n}", "email": "", "kind": AccountKind.WORKLOAD.value,
                          "ou": ROOT_OU, "existing_id": None, "close_on_deletion": False})
        table = self.query_one("#accounts-table", DataTable)
        table.add_row(*self._cells(len(self.rows) - 1), key=str(len(self.rows) - 1))
        self.current = len(self.rows) - 1
        table.move_cursor(row=self.current)
        self._load_form()
        self.query_one("#acct-name", Input).focus()
        self.revalidate()

    def action_remove_account(self) -> None:
        if not self.rows:
            return
        self.rows.pop(self.current)
        self.current = max(0, min(self.current, len(self.rows) - 1))
        table = self.query_one("#accounts-table", DataTable)
        table.clear()
        for i in range(len(self.rows)):
            table.add_row(*self._cells(i), key=str(i))
        if self.rows:
            table.move_cursor(row=self.current)
        self._load_form()
        self.revalidate()
