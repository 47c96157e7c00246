"""Per-stack change counts of a preview, filled live from engine events and finalised from the summaries."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

OP_COLUMNS = ("create", "update", "replace", "delete", "same")
"""Pulumi step ops shown as columns; create-replacement/delete-replaced fold into replace."""
FOLD = {"create-replacement": "replace", "delete-replaced": "replace", "import": "create",
        "import-replacement": "replace"}


def stack_label(stage: str, account: str | None) -> str:
    return stage if account is None else f"{stage}[{account}]"


class StageTable(DataTable[Text | str]):
    """One row per stack: status and counts per op."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's own name for it
        super().__init__(id=id)
        self.counts: dict[str, dict[str, int]] = {}

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("Stack", key="stack")
        self.add_column("Status", key="status")
        for op in OP_COLUMNS:
            self.add_column(op, key=op)

    def ensure_row(self, label: str) -> None:
        if label not in self.counts:
            self.counts[label] = dict.fromkeys(OP_COLUMNS, 0)
            self.add_row(Text(label), Text("waiting", style="dim"), *("" for _ in OP_COLUMNS), key=label)

    def set_status(self, label: str, status: str, style: str = "") -> None:
        self.ensure_row(label)
        self.update_cell(label, "status", Text(status, style=style), update_width=True)

    def count(self, label: str, op: str) -> None:
        self.ensure_row(label)
        op = FOLD.get(op, op)
        if op not in OP_COLUMNS:
            return
        self.counts[label][op] += 1
        self._show(label)

    def set_counts(self, label: str, counts: dict[str, int]) -> None:
        self.ensure_row(label)
        folded = dict.fromkeys(OP_COLUMNS, 0)
        for op, n in counts.items():
            key = FOLD.get(op, op)
            if key in folded:
                # Pulumi's summary counts a replacement once under "replace"; avoid double counting the halves.
                folded[key] = max(folded[key], n) if key == "replace" else folded[key] + n
        self.counts[label] = folded
        self._show(label)

    def _show(self, label: str) -> None:
        styles = {"create": "green", "update": "yellow", "replace": "magenta", "delete": "red", "same": "dim"}
        for op in OP_COLUMNS:
            n = self.counts[label][op]
            self.update_cell(label, op, Text(str(n) if n else "·", style=styles[op] if n else "dim"))
