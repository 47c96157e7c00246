"""The offline plan as Markdown (`landingzone plan --format markdown`): per stage what it registers, the
organization as a Mermaid diagram (GitHub renders it), SCP quota use, and what governance sets per account."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from landingzone.config import LandingZoneConfig
from landingzone.diagram import mermaid_block, organization_mermaid
from landingzone.plan import StagePlan, plan_document


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def plan_markdown(cfg: LandingZoneConfig, plans: Iterable[StagePlan]) -> str:
    plans = list(plans)
    doc = plan_document(cfg, plans)
    lines = [f"### landingzone plan: `{cfg.name}`", "",
             f"**{doc['total_resources']} resources in {len(plans)} stacks** (offline: values from earlier stages "
             "are known after apply).", "", "| Stage | Stack | Resources | Types |", "|---|---|---:|---|"]
    for p in plans:
        types = ", ".join(f"{n} `{t.rsplit(':', 1)[-1]}`" for t, n in p.counts().items())
        lines.append(f"| {_cell(p.stage)} | `{_cell(p.stack)}` | {len(p.resources)} | {_cell(types)} |")
    lines += ["", "#### The organization", "", mermaid_block(organization_mermaid(cfg)).rstrip("\n")]
    lines += ["", "#### SCP quota use per target (FullAWSAccess included)", "",
              "| Target | Kind | Attached | Limit | Largest SCP (chars) |", "|---|---|---:|---:|---:|"]
    for use in doc["scp_quota"]:
        lines.append(f"| {_cell(use['target'])} | {use['kind']} | {use['attached']} | {use['limit']} | "
                     f"{use['largest_policy_chars']} / {use['max_characters']} |")
    gov = doc["governance"]
    lines += ["", "#### Account governance", "",
              f"Centralized root access: {', '.join(gov['root_access']) or 'off'}. "
              f"Opt-in regions enabled: {', '.join(gov['opt_in_regions']) or 'none'}.", "",
              "| Account | State | OU | Alternate contacts | Monthly budget (USD) |", "|---|---|---|---|---:|"]
    for acct in gov["accounts"]:
        budget = "" if acct["monthly_budget_usd"] is None else f"{acct['monthly_budget_usd']:,.2f}"
        lines.append(f"| {_cell(acct['name'])} | {acct['state']} | {_cell(acct['ou'])} | "
                     f"{', '.join(acct['contacts']) or '-'} | {budget} |")
    if gov["close_on_deletion"]:
        lines += ["", f"Closed if removed (close_on_deletion): {', '.join(gov['close_on_deletion'])}. AWS allows "
                  f"closing {gov['closure_quota']}: {gov['closable_per_window']} accounts per window here."]
    return "\n".join(lines) + "\n"
