"""Run one stage with the plain pulumi CLI, for users who want it (``landingzone up`` is the usual way).

    pulumi config set landingzone:config ./landingzone.yaml -s organization
    pulumi up -s organization

The stack name selects the stage: ``<stage>``, ``<landing zone name>-<stage>`` (the names ``landingzone up``
uses), or anything with ``landingzone:stage`` set. The per-account stages (baseline, network) need the account:
a stack named ``<stage>-<account>`` / ``<name>-<stage>-<account>`` (``baseline-management`` for the management
account's baseline), or ``landingzone:account``. Upstream outputs are read
through StackReferences to the stacks of the stages this one depends on, named the same way as this stack (or
``landingzone:upstream-<stage>`` = full stack reference name).
"""

from __future__ import annotations

import os
import sys

# Pulumi runs this file with stacks/ first on sys.path, where stacks/logging.py would shadow the standard library's
# logging module for any later import; keep only the package path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from typing import Any  # noqa: E402

import pulumi  # noqa: E402

import stacks  # noqa: E402
from landingzone.config import LandingZoneConfig, load_config  # noqa: E402
from landingzone.errors import ConfigError  # noqa: E402


def select(cfg: LandingZoneConfig, stack: str, settings: pulumi.Config) -> tuple[stacks.Stage, str | None, str]:
    """(stage, account, naming prefix) from the stack name and the landingzone:* settings."""
    prefix = ""
    rest = stack
    if stack.startswith(f"{cfg.name}-"):
        prefix, rest = f"{cfg.name}-", stack[len(cfg.name) + 1:]
    name = settings.get("stage")
    account = settings.get("account")
    if name is None:
        for candidate in stacks.STAGES:
            if rest == candidate.name or rest.startswith(f"{candidate.name}-"):
                name = candidate.name
                if account is None and rest != candidate.name:
                    account = rest[len(candidate.name) + 1:]
                break
    if name is None:
        raise ConfigError(f"stack {stack!r} names no stage; name it after one of "
                          f"{', '.join(s.name for s in stacks.STAGES)} or set landingzone:stage")
    stage = stacks.stage(name)
    if stage.scope == "account":
        if account is None or account not in stage.accounts(cfg):
            raise ConfigError(f"stage {name!r} runs once per account ({', '.join(stage.accounts(cfg))}); name the "
                              f"stack {name}-<account> or set landingzone:account")
    else:
        account = None
    return stage, account, prefix


def upstream_of(stage: stacks.Stage, prefix: str, settings: pulumi.Config) -> dict[str, Any]:
    upstream: dict[str, Any] = {}
    for dep in stage.depends_on:
        ref_name = settings.get(f"upstream-{dep}") or (
            f"{pulumi.get_organization()}/{pulumi.get_project()}/{prefix}{dep}")
        ref = pulumi.StackReference(f"upstream-{dep}", stack_name=ref_name)
        upstream[dep] = {key: ref.get_output(key) for key in stacks.stage(dep).outputs}
    return upstream


def main() -> None:
    settings = pulumi.Config("landingzone")
    cfg = load_config(settings.require("config"))
    stage, account, prefix = select(cfg, pulumi.get_stack(), settings)
    ctx = stacks.StageContext(config=cfg, upstream=upstream_of(stage, prefix, settings), account=account)
    stage.program(ctx)


if __name__ == "__main__":
    main()
