"""Quota use per target and policy type as small bars: attached policies (FullAWSAccess and RCPFullAWSAccess
count) and the largest policy's size."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from landingzone.policies.catalog import TargetUsage
from landingzone.policies.policy_types import policy_type


def bar(used: int, limit: int, width: int = 10) -> Text:
    filled = min(width, round(width * used / limit)) if limit else width
    ratio = used / limit if limit else 1.0
    style = "red" if ratio > 1 else ("yellow" if ratio >= 0.8 else "green")
    return Text.assemble(("█" * filled, style), ("░" * (width - filled), "dim"))


def usage_table(usage: list[TargetUsage]) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
    table.add_column("Target", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("Type", no_wrap=True)
    table.add_column("Attached", no_wrap=True)
    table.add_column("Largest", no_wrap=True)
    for use in usage:
        table.add_row(
            Text(use.target),
            Text(policy_type(use.policy_type).label, style="dim"),
            Text.assemble(bar(use.attached, use.limit), f" {use.attached}/{use.limit}"),
            Text.assemble(bar(use.largest_policy_chars, use.max_characters),
                          f" {use.largest_policy_chars:,}/{use.max_characters:,}"),
        )
    return table


class QuotaMeter(Static):
    """Targets that get library guardrails (and the root), with their quota use."""

    def show(self, usage: list[TargetUsage]) -> None:
        self.update(usage_table(usage) if usage else Text("No guardrails attached yet.", style="dim"))
