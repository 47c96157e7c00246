"""`landingzone stacks`: every stack of the landing zone in dependency order, for a CI job matrix."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from landingzone import config as lzconfig
from landingzone.cli.app import app
from landingzone.cli.options import ConfigOption, out
from landingzone.orchestrator import Orchestrator


@app.command()
def stacks(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    stage: Annotated[str | None, typer.Option("--stage", "-s", help="Only the stacks of this stage.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of {name, stage, account, scope, "
                                          "depends_on}.")] = False,
) -> None:
    """List every stack (name, stage, account, the stacks it depends on) in dependency order, offline:
    nothing is read from AWS or the state. Run the per-account ones as a job matrix with
    `up --stack NAME` (examples/github-actions.yml).

    Example:

        landingzone stacks --config landingzone.yaml --json | jq -r '.[] | select(.scope == "account") | .name'
    """
    cfg = lzconfig.load_config(config)
    entries = Orchestrator(cfg, config).stacks(stage)
    if as_json:
        print(json.dumps([e.to_dict() for e in entries], indent=2))
        return
    for entry in entries:
        account = f" [{entry.account}]" if entry.account else ""
        after = f"  after {len(entry.depends_on)} stack(s)" if entry.depends_on else ""
        out.print(f"{entry.name}  {entry.stage}{account}{after}", markup=False)
