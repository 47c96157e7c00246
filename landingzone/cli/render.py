"""How the engine commands show their work: progress on stderr (bars on a terminal, plain lines in CI) and
results on stdout (text tables, JSON, or Markdown for a pull-request comment), so ``--json > plan.json`` stays
clean.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from landingzone import events as ev
from landingzone.cli.options import OutputFormat, err, out
from landingzone.diagram import mermaid_block
from landingzone.orchestrator import RunResult

_OP_SYMBOL = {"create": "+", "update": "~", "delete": "-", "replace": "+-", "create-replacement": "++",
              "delete-replaced": "--", "import": "=", "read": ">", "refresh": "~", "same": " "}
_COLUMNS = ("create", "update", "replace", "delete")


# ---- rendering progress ----------------------------------------------------------------------------------------


def interactive_progress() -> bool:
    """Progress bars only for a person at a terminal; CI logs get plain lines."""
    return err.is_terminal and not os.environ.get("CI")


class PlainRenderer:
    """One line per meaningful event, fit for CI logs."""

    def __init__(self, console: Console = err) -> None:
        self.console = console
        self.operation: dict[tuple[str, str | None], str] = {}

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.StageStarted):
            self.operation[(event.stage, event.account)] = event.operation
        if isinstance(event, ev.ResourceOp):
            # A preview reports planned steps (pre events); an update reports each step once it is done.
            previewing = self.operation.get((event.stage, event.account)) == "preview"
            if previewing == event.done and not event.failed:
                return
        line = describe(event)
        if line:
            self.console.print(line, markup=False)


def _who(stage: str, account: str | None) -> str:
    return stage if account is None else f"{stage}[{account}]"


def describe(event: ev.Event) -> str | None:
    """The plain-text line for an event, or None for the ones not worth a line."""
    if isinstance(event, ev.StageStarted):
        return f"[{_who(event.stage, event.account)}] {event.operation} started (stack {event.stack})"
    if isinstance(event, ev.StageFinished):
        return f"[{_who(event.stage, event.account)}] {event.operation} finished in {event.seconds:.1f}s"
    if isinstance(event, ev.StageFailed):
        return f"[{_who(event.stage, event.account)}] {event.operation} FAILED: {event.error}"
    if isinstance(event, ev.ResourceOp):
        if not event.changes:
            return None
        state = "failed" if event.failed else ("done" if event.done else "")
        keys = f" ({', '.join(event.diff_keys)})" if event.diff_keys else ""
        symbol = _OP_SYMBOL.get(event.op, "*")
        who = _who(event.stage, event.account)
        return f"[{who}] {symbol} {event.op} {event.type} {event.name}{keys} {state}".rstrip()
    if isinstance(event, ev.LogLine):
        if event.level in ("warning", "error"):
            return f"[{_who(event.stage, event.account)}] {event.level}: {event.message}"
        return None
    if isinstance(event, ev.ChangeSummary):
        return f"[{_who(event.stage, event.account)}] {summary_phrase(event.counts, event.operation)}"
    return None


class ProgressRenderer:
    """A spinner and a step counter per stack, warnings and failures printed above them."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, event: ev.Event) -> None:
        who = _who(event.stage, event.account)
        if isinstance(event, ev.StageStarted):
            self.tasks[who] = self.progress.add_task(f"{event.operation} {who}", total=None, steps=0)
        elif isinstance(event, ev.ResourceOp) and who in self.tasks:
            if event.done and event.changes:
                self.progress.update(self.tasks[who], advance=1)
                task = self.progress.tasks[self.tasks[who]]
                self.progress.update(self.tasks[who], steps=int(task.completed))
        elif isinstance(event, ev.StageFinished) and who in self.tasks:
            self.progress.update(self.tasks[who], total=1, completed=1,
                                 description=f"{event.operation} {who}: done ({event.seconds:.1f}s)")
        elif isinstance(event, ev.StageFailed):
            self.progress.console.print(f"[{who}] FAILED: {event.error}", markup=False, style="red")
            if who in self.tasks:
                self.progress.update(self.tasks[who], total=1, completed=1,
                                     description=f"{event.operation} {who}: failed")
        elif isinstance(event, ev.LogLine) and event.level in ("warning", "error"):
            self.progress.console.print(f"[{who}] {event.level}: {event.message}", markup=False)


@contextmanager
def renderer(quiet: bool = False) -> Iterator[ev.EventHandler]:
    if quiet:
        yield ev.ignore_event
        return
    if not interactive_progress():
        yield PlainRenderer()
        return
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                        TextColumn("{task.fields[steps]} changed"), TimeElapsedColumn(), console=err,
                        transient=False)
    with progress:
        yield ProgressRenderer(progress)


# ---- rendering results -----------------------------------------------------------------------------------------


def summary_phrase(counts: Any, operation: str = "preview") -> str:
    verb = {"preview": "to ", "destroy": ""}.get(operation, "")
    parts = [f"{counts.get(op, 0)} {verb}{op}" for op in _COLUMNS if counts.get(op)]
    same = counts.get("same", 0)
    if not parts:
        return f"no changes ({same} unchanged)"
    return ", ".join(parts) + (f", {same} unchanged" if same else "")


def total_counts(result: RunResult) -> dict[str, int]:
    totals: dict[str, int] = {}
    for stack in result.stacks:
        for op, n in stack.counts.items():
            totals[op] = totals.get(op, 0) + n
    return totals


def render_text(result: RunResult, console: Console = out) -> None:
    table = Table(title=f"landingzone {result.operation}", show_lines=False)
    table.add_column("stage")
    table.add_column("stack")
    for col in (*_COLUMNS, "same"):
        table.add_column(col, justify="right")
    for stack in result.stacks:
        if stack.skipped:
            table.add_row(stack.ref.label, stack.ref.name, *["-"] * 5)
            continue
        table.add_row(stack.ref.label, stack.ref.name, *[str(stack.counts.get(c, 0) or "") for c in
                                                          (*_COLUMNS, "same")])
    console.print(table)
    for stack in result.stacks:
        for res in stack.resources:
            if res.changes:
                keys = f" ({', '.join(res.diff_keys)})" if res.diff_keys else ""
                console.print(f"  {_OP_SYMBOL.get(res.op, '*'):>2} {stack.ref.label}: {res.type} {res.name}{keys}",
                              markup=False)
    skipped: dict[str, int] = {}
    for stack in result.stacks:
        if stack.skipped:
            skipped[stack.skipped] = skipped.get(stack.skipped, 0) + 1
    for why, count in skipped.items():
        console.print(f"{count} stack(s) skipped: {why}", markup=False)
    for label, error in result.failures:
        console.print(f"FAILED {label}: {error.splitlines()[0] if error else ''}", markup=False)
    console.print(summary_phrase(total_counts(result), result.operation), markup=False)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: RunResult, name: str, diagram: str | None = None) -> str:
    """A change summary for a pull-request comment (GitHub-flavoured Markdown); with ``diagram`` (Mermaid text,
    landingzone.diagram), the organization's picture after it, which GitHub renders."""
    totals = total_counts(result)
    changed = [s for s in result.stacks if s.changed]
    lines = [f"### landingzone {result.operation}: `{name}`", ""]
    if result.has_changes:
        lines.append(f"**{len(changed)} of {len(result.stacks)} stacks change:** "
                     f"{summary_phrase(totals, result.operation)}.")
    else:
        lines.append(f"**No changes** across {len(result.stacks)} stacks.")
    lines += ["", "| Stage | Stack | Create | Update | Replace | Delete | Unchanged |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for s in result.stacks:
        cells = [str(s.counts.get(c, 0)) for c in (*_COLUMNS, "same")]
        lines.append(f"| {_md(s.ref.label)} | `{_md(s.ref.name)}` | " + " | ".join(cells) + " |")
    rows = [(s, r) for s in result.stacks for r in s.resources if r.changes]
    if rows:
        lines += ["", f"<details><summary>{len(rows)} resource changes</summary>", "",
                  "| Stage | Op | Type | Name | Changed properties |", "|---|---|---|---|---|"]
        for s, r in rows:
            keys = ", ".join(f"`{_md(k)}`" for k in r.diff_keys)
            lines.append(f"| {_md(s.ref.label)} | {r.op} | `{_md(r.type)}` | {_md(r.name)} | {keys} |")
        lines += ["", "</details>"]
    if diagram is not None:
        lines += ["", "<details><summary>The organization: OUs, accounts and the policies on each</summary>", "",
                  mermaid_block(diagram).rstrip("\n"), "", "</details>"]
    return "\n".join(lines) + "\n"


def emit_result(result: RunResult, fmt: OutputFormat, name: str, *, diagram: str | None = None) -> None:
    if fmt is OutputFormat.json:
        print(json.dumps(result.to_dict(), indent=2))
    elif fmt is OutputFormat.markdown:
        sys.stdout.write(render_markdown(result, name, diagram))
    else:
        render_text(result)
    for stack in result.stacks:
        if stack.diff_text and fmt is OutputFormat.text:
            out.print(stack.diff_text, markup=False)
