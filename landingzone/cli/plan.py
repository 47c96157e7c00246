"""`landingzone plan`: the offline plan, printed for people (tables) or machines (--json)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from landingzone import config as lzconfig
from landingzone.cli.app import app
from landingzone.cli.options import ConfigOption, out

if TYPE_CHECKING:
    from landingzone.plan import StagePlan


def _short_type(token: str) -> str:
    """aws:organizations/account:Account -> organizations:Account (the provider prefix adds nothing here)."""
    if token.startswith("pulumi:providers:"):
        return "provider:" + token.rsplit(":", 1)[-1]
    pkg, _, rest = token.partition(":")
    module, _, name = rest.partition(":")
    return f"{module.split('/')[0]}:{name}" if pkg == "aws" else token


def _compact(value: Any, limit: int = 90) -> str:
    text = json.dumps(value, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _render_stage(console: Console, stage_plan: StagePlan) -> None:
    where = f" for account {stage_plan.account}" if stage_plan.account else ""
    console.print(f"\nstage {stage_plan.stage}{where} (stack {stage_plan.stack}): "
                  f"{len(stage_plan.resources)} resources", style="bold")
    table = Table(show_edge=False, pad_edge=False, box=None)
    for column in ("type", "name", "flags", "key inputs"):
        table.add_column(column, overflow="fold")
    for res in stage_plan.resources:
        flags = ",".join(f for f, on in (("protect", res.protect), (f"import={res.import_id}", res.import_id))
                         if on)
        table.add_row(_short_type(res.type), res.name, flags, _compact(res.key_inputs()))
    console.print(table)
    counts = ", ".join(f"{n} {_short_type(t)}" for t, n in stage_plan.counts().items())
    console.print(f"counts: {counts}")


@app.command("plan")
def plan_command(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: Annotated[str | None, typer.Option(help="Plan only this stage: organization, security, baseline, logging, "
                                              "guardrails or network.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables.")] = False,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes that plan the stacks (default: one per core, fewer when there are too few "
        "stacks to repay starting them; 1 plans everything in this process). The result is the same either "
        "way.")] = None,
) -> None:
    """Show what the landing zone would create, offline: every stage program runs under pulumi mocks, with no AWS
    credentials and no pulumi CLI. Prints per stage the resources (type, logical name, key inputs, protect and
    import flags), counts per type, the account -> OU tree and SCP quota use per target. Values that come from an
    earlier stage show as known after apply. Exits 5 when an SCP quota would be exceeded.

    Example:

        landingzone plan --config landingzone.yaml --stage guardrails --workers 2
    """
    # pulumi loads only for this command, not for every `landingzone` invocation.
    import stacks
    from landingzone.plan import account_tree, plan, plan_document, quota_usage, stack_summary

    cfg = lzconfig.load_config(config)
    if stage is not None and stage not in {s.name for s in stacks.STAGES}:
        raise typer.BadParameter(f"{stage!r} is not a stage; choose one of "
                                 f"{', '.join(s.name for s in stacks.STAGES)}", param_hint="--stage")
    plans = plan(cfg, stage, workers=workers)
    if as_json:
        print(json.dumps(plan_document(cfg, plans), indent=2, default=str))
        return
    for stage_plan in plans:
        _render_stage(out, stage_plan)
    total = sum(len(p.resources) for p in plans)
    out.print(f"\n{total} resources in {len(plans)} stacks.", style="bold")
    for summary in stack_summary(plans):
        out.print(f"  {summary['stage']}: {summary['stacks']} stack(s), {summary['resources']} resources, at most "
                  f"{summary['max_providers']} provider(s) per stack", markup=False)

    out.print("\naccounts and OUs:", style="bold")
    for depth, kind, name in account_tree(cfg):
        out.print(f"{'  ' * depth}{'- ' if kind == 'account' else ''}{name}{'/' if kind == 'ou' else ''}")

    out.print("\nSCP quota use per target (FullAWSAccess included):", style="bold")
    quota = Table(show_edge=False, pad_edge=False, box=None)
    for column in ("target", "kind", "attached", "limit", "largest SCP (chars)"):
        quota.add_column(column)
    for use in quota_usage(cfg):
        quota.add_row(use["target"], use["kind"], str(use["attached"]), str(use["limit"]),
                      f"{use['largest_policy_chars']} / {use['max_characters']}")
    out.print(quota)
