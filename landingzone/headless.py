"""The headless commands: preview, up, refresh, destroy, outputs (registered in cli.py by ``register(app)``).

They drive :class:`~landingzone.orchestrator.Orchestrator` and render its events: progress bars on a terminal,
plain lines in CI or when stderr is not a terminal. Results (text tables, ``--json``, ``--format markdown`` for a
pull-request comment) go to stdout; progress goes to stderr, so ``--json > plan.json`` stays clean.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from landingzone import config as lzconfig
from landingzone import events as ev
from landingzone.errors import EXIT_CHANGES_PENDING, LandingZoneError, UsageError
from landingzone.orchestrator import Orchestrator, RunResult

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_OP_SYMBOL = {"create": "+", "update": "~", "delete": "-", "replace": "+-", "create-replacement": "++",
              "delete-replaced": "--", "import": "=", "read": ">", "refresh": "~", "same": " "}
_COLUMNS = ("create", "update", "replace", "delete")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="Path of the landing zone configuration (YAML).")]
StageOption = Annotated[str | None, typer.Option("--stage", "-s", help="Only this stage and the stages it needs "
                                                 "(organization, security, logging, guardrails, network).")]
ConcurrencyOption = Annotated[int, typer.Option(min=1, max=64, help="Per-account stacks (network) run in this many "
                                                "processes at once.")]
EndpointOption = Annotated[str | None, typer.Option("--aws-endpoint", help="Send every AWS call to this endpoint "
                                                    "(moto, LocalStack); overrides aws.endpoint.")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="text, json, or markdown (a change "
                                                    "summary for a pull-request comment).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]


def _example(text: str) -> str:
    return f"\n\nExample:\n\n    {text}"


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
    console.print(summary_phrase(total_counts(result), result.operation), markup=False)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: RunResult, name: str) -> str:
    """A change summary for a pull-request comment (GitHub-flavoured Markdown)."""
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
    return "\n".join(lines) + "\n"


def emit_result(result: RunResult, fmt: OutputFormat, name: str) -> None:
    if fmt is OutputFormat.json:
        print(json.dumps(result.to_dict(), indent=2))
    elif fmt is OutputFormat.markdown:
        sys.stdout.write(render_markdown(result, name))
    else:
        render_text(result)
    for stack in result.stacks:
        if stack.diff_text and fmt is OutputFormat.text:
            out.print(stack.diff_text, markup=False)


# ---- commands --------------------------------------------------------------------------------------------------


def _orchestrator(config: Path, concurrency: int, endpoint: str | None, on_event: ev.EventHandler) -> Orchestrator:
    cfg = lzconfig.load_config(config)
    if endpoint:
        cfg = cfg.model_copy(update={"aws": cfg.aws.model_copy(update={"endpoint": endpoint})})
    return Orchestrator(cfg, config, on_event=on_event, concurrency=concurrency)


def _format(fmt: OutputFormat, as_json: bool) -> OutputFormat:
    return OutputFormat.json if as_json else fmt


def preview(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    diff: Annotated[bool, typer.Option("--diff", help="Show the property-level diff of every change.")] = False,
    as_json: JsonOption = False,
    fmt: FormatOption = OutputFormat.text,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 2 when changes are pending, "
                                                    "0 when there are none.")] = False,
    concurrency: ConcurrencyOption = 4,
    aws_endpoint: EndpointOption = None,
) -> None:
    fmt = _format(fmt, as_json)
    with renderer(quiet=False) as on_event:
        orch = _orchestrator(config, concurrency, aws_endpoint, on_event)
        result = orch.preview(stage, diff=diff)
    emit_result(result, fmt, orch.cfg.name)
    if detailed_exitcode and result.has_changes:
        raise typer.Exit(EXIT_CHANGES_PENDING)


preview.__doc__ = ("Show what `up` would change, stage by stage, without changing anything. A landing zone that "
                   "was never applied shows every stage, with values from earlier stages as known after apply."
                   + _example("landingzone preview --config landingzone.yaml --format markdown > preview.md"))


def _confirm(question: str) -> None:
    if not typer.confirm(question, default=False, err=True):
        raise LandingZoneError("nothing changed: not confirmed")


def up(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking (required when stdin is not a "
                                      "terminal, as in CI).")] = False,
    as_json: JsonOption = False,
    fmt: FormatOption = OutputFormat.text,
    concurrency: ConcurrencyOption = 4,
    aws_endpoint: EndpointOption = None,
) -> None:
    fmt = _format(fmt, as_json)
    if not yes and not sys.stdin.isatty():
        raise _refuse("up")
    with renderer() as on_event:
        orch = _orchestrator(config, concurrency, aws_endpoint, on_event)
        if not yes:
            planned = orch.preview(stage)
            render_text(planned, err)
            if not planned.has_changes:
                err.print("nothing to apply.")
                return
            _confirm(f"Apply these changes to {orch.cfg.name}?")
        result = orch.up(stage)
    emit_result(result, fmt, orch.cfg.name)


up.__doc__ = ("Apply the landing zone, stage by stage in dependency order. Shows the preview and asks first on a "
              "terminal; needs --yes otherwise." + _example("landingzone up --config landingzone.yaml --yes"))


def _refuse(action: str) -> LandingZoneError:
    return UsageError(f"refusing to {action} without --yes: stdin is not a terminal, so nobody can confirm. "
                      f"Run `landingzone preview` first, then `landingzone {action} --yes`.")


def refresh(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    as_json: JsonOption = False,
    fmt: FormatOption = OutputFormat.text,
    concurrency: ConcurrencyOption = 4,
    aws_endpoint: EndpointOption = None,
) -> None:
    fmt = _format(fmt, as_json)
    with renderer() as on_event:
        orch = _orchestrator(config, concurrency, aws_endpoint, on_event)
        result = orch.refresh(stage)
    emit_result(result, fmt, orch.cfg.name)


refresh.__doc__ = ("Read every resource back from AWS and record drift in the state (changes nothing in AWS); "
                   "`up` then restores what drifted." + _example("landingzone refresh --config landingzone.yaml"))


def destroy(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Destroy without asking (required when stdin is not a "
                                      "terminal).")] = False,
    include_protected: Annotated[bool, typer.Option("--include-protected", help="Also remove protected resources: "
                                                    "the organization and the accounts (accounts close only where "
                                                    "close_on_deletion is set).")] = False,
    concurrency: ConcurrencyOption = 4,
    aws_endpoint: EndpointOption = None,
) -> None:
    with renderer() as on_event:
        orch = _orchestrator(config, concurrency, aws_endpoint, on_event)
        planned = orch.destroy(stage, include_protected=include_protected, preview_only=True)
    doomed = [(s.ref.label, r) for s in planned.stacks for r in s.resources if r.op in ("delete", "delete-replaced")]
    out.print(f"destroy would remove {len(doomed)} resources:")
    for label, res in doomed:
        out.print(f"  - {label}: {res.type} {res.name}", markup=False)
    if not include_protected:
        out.print("protected resources (the organization and the accounts) stay; --include-protected removes them.")
    if not doomed:
        out.print("nothing to destroy.")
        return
    if not yes:
        if not sys.stdin.isatty():
            raise _refuse("destroy")
        _confirm(f"Destroy these {len(doomed)} resources of {orch.cfg.name}?")
    with renderer() as on_event:
        orch.on_event = on_event
        result = orch.destroy(stage, include_protected=include_protected)
    render_text(result)


destroy.__doc__ = ("Remove what the landing zone created, in reverse stage order. Lists what will be removed "
                   "first; the organization and the accounts are protected and stay unless --include-protected."
                   + _example("landingzone destroy --config landingzone.yaml --yes"))


def outputs(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outputs as JSON.")] = False,
    show_secrets: Annotated[bool, typer.Option("--show-secrets", help="Print secret outputs in clear.")] = False,
) -> None:
    cfg = lzconfig.load_config(config)
    values = Orchestrator(cfg, config).outputs(stage, show_secrets=show_secrets)
    if as_json:
        print(json.dumps(values, indent=2, sort_keys=True))
        return
    if not values:
        out.print("no outputs: nothing has been applied yet (run `landingzone up`).")
        return
    for stage_name, stage_values in values.items():
        for key, value in stage_values.items():
            shown = json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
            out.print(f"{stage_name}.{key} = {shown}", markup=False)


outputs.__doc__ = ("Print the outputs of the applied stages (account ids, trail, policy ids, security groups); "
                   "secrets stay masked unless --show-secrets." + _example("landingzone outputs --json"))


def register(app: typer.Typer) -> None:
    """Add the headless commands to the main CLI."""
    for command in (preview, up, refresh, destroy, outputs):
        app.command(help=command.__doc__)(command)
