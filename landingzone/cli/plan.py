"""`landingzone plan`: the offline plan, printed for people (tables) or machines (--json)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from landingzone import config as lzconfig
from landingzone.cli.app import app
from landingzone.cli.options import ConfigOption, PlanFormat, choice_option, out

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
    stage: Annotated[str | None, typer.Option(help="Plan only this stage: organization, regions, security, "
                                              "logging, baseline, security_services, guardrails, network, "
                                              "governance, access or management_access.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    fmt: Annotated[PlanFormat, choice_option(PlanFormat, "--format", "-f", help_text="text (tables), json (one "
                                            "document), markdown (a summary with the organization's diagram, for "
                                            "a pull request) or mermaid (the diagram alone).")] = PlanFormat.TEXT,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes that plan the stacks (default: one per core, fewer when there are too few "
        "stacks to repay starting them; 1 plans everything in this process). The result is the same either "
        "way.")] = None,
) -> None:
    """Show what the landing zone would create, offline: every stage program runs under pulumi mocks, with no AWS
    credentials and no pulumi CLI. Prints per stage the resources (type, logical name, key inputs, protect and
    import flags), counts per type, the account -> OU tree and SCP quota use per target. Values that come from an
    earlier stage show as known after apply, and what stages regions and governance set per account (contacts,
    budgets, opt-in regions, root access). --format mermaid prints the organization as a Mermaid diagram (OUs,
    accounts, the policies on each) without planning. Exits 5 when an SCP quota would be exceeded.

    Example:

        landingzone plan --config landingzone.yaml --stage guardrails --workers 2
        landingzone plan --config landingzone.yaml --format mermaid > organization.mmd
    """
    # pulumi loads only for this command, not for every `landingzone` invocation.
    import stacks
    from landingzone.plan import account_tree, plan, plan_document, quota_usage, sign_in, stack_summary

    cfg = lzconfig.load_config(config)
    fmt = PlanFormat.JSON if as_json else fmt
    if fmt is PlanFormat.MERMAID:
        from landingzone.diagram import organization_mermaid

        sys.stdout.write(organization_mermaid(cfg))
        return
    if stage is not None and stage not in {s.name for s in stacks.STAGES}:
        raise typer.BadParameter(f"{stage!r} is not a stage; choose one of "
                                 f"{', '.join(s.name for s in stacks.STAGES)}", param_hint="--stage")
    plans = plan(cfg, stage, workers=workers)
    if fmt is PlanFormat.JSON:
        print(json.dumps(plan_document(cfg, plans), indent=2, default=str))
        return
    if fmt is PlanFormat.MARKDOWN:
        from landingzone.plan_report import plan_markdown

        sys.stdout.write(plan_markdown(cfg, plans))
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

    from landingzone.policies.policy_types import policy_type

    out.print("\nQuota use per target and policy type (FullAWSAccess and RCPFullAWSAccess included):", style="bold")
    quota = Table(show_edge=False, pad_edge=False, box=None)
    for column in ("target", "kind", "type", "attached", "limit", "largest policy (chars)"):
        quota.add_column(column)
    for use in quota_usage(cfg, None):
        quota.add_row(use["target"], use["kind"], policy_type(use["policy_type"]).label, str(use["attached"]),
                      str(use["limit"]), f"{use['largest_policy_chars']} / {use['max_characters']}")
    out.print(quota)

    gov = plan_document(cfg, [])["governance"]
    out.print("\naccount governance (stages regions and governance):", style="bold")
    out.print(f"centralized root access: {', '.join(gov['root_access']) or 'off'}; opt-in regions enabled: "
              f"{', '.join(gov['opt_in_regions']) or 'none'}")
    table = Table(show_edge=False, pad_edge=False, box=None)
    for column in ("account", "state", "ou", "alternate contacts", "monthly budget (USD)"):
        table.add_column(column)
    for acct in gov["accounts"]:
        budget = "" if acct["monthly_budget_usd"] is None else f"{acct['monthly_budget_usd']:,.2f}"
        table.add_row(acct["name"], acct["state"], acct["ou"], ", ".join(acct["contacts"]) or "-", budget)
    out.print(table)
    if gov["close_on_deletion"]:
        out.print(f"closed if removed (close_on_deletion): {', '.join(gov['close_on_deletion'])}; AWS allows "
                  f"closing {gov['closure_quota']}: {gov['closable_per_window']} accounts per window here")

    if cfg.identity_center is not None:
        out.print("\nsign-in through IAM Identity Center (who reaches which account):", style="bold")
        reach: dict[str, list[str]] = {}
        for item in sign_in(cfg):
            reach.setdefault(item["account"], []).append(f"{item['group']}: {item['permission_set']}")
        for account in ["management", *(a.name for a in cfg.accounts)]:
            out.print(f"  {account}: {', '.join(reach.get(account, [])) or 'nobody'}")
