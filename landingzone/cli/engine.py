"""The engine commands: `landingzone preview`, `up`, `refresh`, `destroy` and `outputs`.

They drive :class:`~landingzone.orchestrator.Orchestrator` and render its events with
:mod:`landingzone.cli.render`. Whatever changes AWS asks first on a terminal and needs --yes elsewhere.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from landingzone import config as lzconfig
from landingzone import events as ev
from landingzone.cli.app import app
from landingzone.cli.options import ConfigOption, OutputFormat, choice_option, err, out
from landingzone.cli.render import emit_result, render_text, renderer
from landingzone.diagram import organization_mermaid
from landingzone.errors import EXIT_CHANGES_PENDING, LandingZoneError, UsageError
from landingzone.orchestrator import STACK_MEMORY_MB, Orchestrator, StacksFailed
from landingzone.orchestrator.pool import MAX_DEFAULT_PARALLEL

StageOption = Annotated[str | None, typer.Option("--stage", "-s", help="Only this stage and the stages it needs "
                                                 "(organization, regions, security, logging, baseline, "
                                                 "security_services, guardrails, network, governance, access, "
                                                 "management_access).")]
ConcurrencyOption = Annotated[int | None, typer.Option(
    "--parallel", "--concurrency", min=1, max=64,
    help="Per-account stacks (baseline, network) run in this many processes at once, each with its own provider "
         f"plugin (a real aws provider takes ~400 MB). Default: 2 per core, at most available memory / "
         f"{STACK_MEMORY_MB} MB, at most {MAX_DEFAULT_PARALLEL}.")]
StackOption = Annotated[list[str] | None, typer.Option(
    "--stack", help="Run exactly this stack (repeatable), with the outputs of its applied upstream stacks; "
                    "`landingzone stacks` lists them. For a CI job matrix: each job locks only its stacks.")]
EndpointOption = Annotated[str | None, typer.Option("--aws-endpoint", help="Send every AWS call to this endpoint "
                                                    "(moto, LocalStack); overrides aws.endpoint.")]
FormatOption = Annotated[OutputFormat, choice_option(OutputFormat, "--format", "-f", help_text="text, json, or "
                                                     "markdown (a change summary for a pull-request comment).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]


def _orchestrator(config: Path, concurrency: int | None, endpoint: str | None,
                  on_event: ev.EventHandler) -> Orchestrator:
    cfg = lzconfig.load_config(config)
    if endpoint:
        cfg = cfg.model_copy(update={"aws": cfg.aws.model_copy(update={"endpoint": endpoint})})
    return Orchestrator(cfg, config, on_event=on_event, concurrency=concurrency)


def _format(fmt: OutputFormat, as_json: bool) -> OutputFormat:
    return OutputFormat.json if as_json else fmt


@app.command()
def preview(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    diff: Annotated[bool, typer.Option("--diff", help="Show the property-level diff of every change.")] = False,
    as_json: JsonOption = False,
    fmt: FormatOption = OutputFormat.text,
    detailed_exitcode: Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 2 when changes are pending, "
                                                    "0 when there are none.")] = False,
    concurrency: ConcurrencyOption = None,
    stack: StackOption = None,
    aws_endpoint: EndpointOption = None,
) -> None:
    """Show what `up` would change, stage by stage, without changing anything. A landing zone that
    was never applied shows every stage, with values from earlier stages as known after apply.

    Example:

        landingzone preview --config landingzone.yaml --format markdown > preview.md
    """
    fmt = _format(fmt, as_json)
    with renderer(quiet=False) as on_event:
        orch = _orchestrator(config, concurrency, aws_endpoint, on_event)
        result = orch.preview(stage, diff=diff, stacks=stack or ())
    # The pull-request comment also pictures the organization (Mermaid; GitHub renders it).
    diagram = organization_mermaid(orch.cfg) if fmt is OutputFormat.markdown else None
    emit_result(result, fmt, orch.cfg.name, diagram=diagram)
    if detailed_exitcode and result.has_changes:
        raise typer.Exit(EXIT_CHANGES_PENDING)


def _confirm(question: str) -> None:
    if not typer.confirm(question, default=False, err=True):
        raise LandingZoneError("nothing changed: not confirmed")


@app.command()
def up(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking (required when stdin is not a "
                                      "terminal, as in CI).")] = False,
    as_json: JsonOption = False,
    fmt: FormatOption = OutputFormat.text,
    concurrency: ConcurrencyOption = None,
    stack: StackOption = None,
    changed_only: Annotated[bool, typer.Option("--changed-only", help="Skip the stacks whose program receives the "
                                               "same as at their last successful up (configuration slice, upstream "
                                               "outputs, version); lists them as skipped. Drift in AWS is not "
                                               "seen: `landingzone refresh` finds it.")] = False,
    aws_endpoint: EndpointOption = None,
) -> None:
    """Apply the landing zone, stage by stage in dependency order; per-account stacks (baseline,
    network) in a bounded pool, a failing account not stopping the others. Shows the preview and asks
    first on a terminal; needs --yes otherwise. A landing zone applied before stage baseline first has
    its roles and default groups moved into the baseline stacks (pulumi state move, nothing replaced).

    Example:

        landingzone up --config landingzone.yaml --yes --parallel 4 --changed-only
    """
    fmt = _format(fmt, as_json)
    if not yes and not sys.stdin.isatty():
        raise _refuse("up")
    with renderer() as on_event:
        orch = _orchestrator(config, concurrency, aws_endpoint, on_event)
        if not yes:
            planned = orch.preview(stage, stacks=stack or ())
            render_text(planned, err)
            if not planned.has_changes:
                err.print("nothing to apply.")
                return
            _confirm(f"Apply these changes to {orch.cfg.name}?")
        try:
            result = orch.up(stage, stacks=stack or (), changed_only=changed_only)
        except StacksFailed as exc:  # the others ran: show what each stack did, then the failures
            if exc.result is not None:
                emit_result(exc.result, fmt, orch.cfg.name)
            raise
    emit_result(result, fmt, orch.cfg.name)


def _refuse(action: str) -> LandingZoneError:
    return UsageError(f"refusing to {action} without --yes: stdin is not a terminal, so nobody can confirm. "
                      f"Run `landingzone preview` first, then `landingzone {action} --yes`.")


@app.command()
def refresh(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    as_json: JsonOption = False,
    fmt: FormatOption = OutputFormat.text,
    concurrency: ConcurrencyOption = None,
    stack: StackOption = None,
    aws_endpoint: EndpointOption = None,
) -> None:
    """Read every resource back from AWS and record drift in the state (changes nothing in AWS);
    `up` then restores what drifted.

    Example:

        landingzone refresh --config landingzone.yaml
    """
    fmt = _format(fmt, as_json)
    with renderer() as on_event:
        orch = _orchestrator(config, concurrency, aws_endpoint, on_event)
        result = orch.refresh(stage, stacks=stack or ())
    emit_result(result, fmt, orch.cfg.name)


@app.command()
def destroy(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Destroy without asking (required when stdin is not a "
                                      "terminal).")] = False,
    include_protected: Annotated[bool, typer.Option("--include-protected", help="Also remove protected resources: "
                                                    "the organization and the accounts (accounts close only where "
                                                    "close_on_deletion is set).")] = False,
    concurrency: ConcurrencyOption = None,
    aws_endpoint: EndpointOption = None,
) -> None:
    """Remove what the landing zone created, in reverse stage order. Lists what will be removed
    first; the organization and the accounts are protected and stay unless --include-protected.

    Example:

        landingzone destroy --config landingzone.yaml --yes
    """
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


@app.command()
def outputs(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: StageOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outputs as JSON.")] = False,
    show_secrets: Annotated[bool, typer.Option("--show-secrets", help="Print secret outputs in clear.")] = False,
) -> None:
    """Print the outputs of the applied stages (account ids, trail, policy ids, security groups);
    secrets stay masked unless --show-secrets.

    Example:

        landingzone outputs --json
    """
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

