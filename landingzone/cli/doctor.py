"""`landingzone doctor`: what an action needs (pulumi CLI, aws plugin, AWS identity, backend, passphrase)."""

from __future__ import annotations

from typing import Annotated

import typer

from landingzone import config as lzconfig
from landingzone.cli.app import app
from landingzone.cli.options import ConfigOption, DoctorAction, choice_option, out
from landingzone.errors import EXIT_PREFLIGHT


@app.command()
def doctor(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    action: Annotated[DoctorAction, choice_option(DoctorAction, help_text="The action to check for: plan, audit, "
                                                  "preview, up, destroy.")] = DoctorAction.UP,
) -> None:
    """Check what an action needs: pulumi CLI, aws plugin, AWS identity, state backend, passphrase. Exits 3 when
    something the action needs is missing.

    Example:

        landingzone doctor --action preview --config landingzone.yaml
    """
    from landingzone.toolchain import ACTION_NEEDS, run_doctor

    endpoint = profile = None
    if config.exists():
        cfg = lzconfig.load_config(config)
        backend = lzconfig.backend_url(cfg, config)
        endpoint, profile = cfg.aws.endpoint, cfg.aws.profile
        out.print(f"configuration: {config} (valid)")
    else:
        backend = lzconfig.default_backend_url(config)
        out.print(f"configuration: {config} does not exist (fix: `landingzone init --preset medium`)")
    report = run_doctor(action.value, backend_url=backend, endpoint=endpoint, profile=profile,
                        private_dir=config.resolve().parent / ".landingzone")
    needs = ACTION_NEEDS[action.value]
    for check in report.checks:
        mark = "ok  " if check.ok else ("MISSING" if check.key in needs else "warn")
        out.print(f"[{mark:^7}] {check.summary}")
        if not check.ok and check.fix:
            out.print(f"          fix: {check.fix}")
    if report.ok:
        out.print(f"ready for `landingzone {action}`.")
        return
    names = ", ".join(c.key for c in report.missing)
    out.print(f"not ready for `landingzone {action}`: missing {names}. Next step: the first fix above.")
    raise typer.Exit(EXIT_PREFLIGHT)
