"""`landingzone`: a thin Typer layer over the library. Every command has help and an example.

Exit codes (README "Exit codes"): 0 ok; 1 unexpected failure; 2 invalid configuration or usage (and, for
`preview --detailed-exitcode`, changes pending); 3 preflight (missing CLI, credentials, passphrase); 4 state
locked; 5 quota exceeded; 6 a stage failed; 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from landingzone import audit_cli, headless, plan_command
from landingzone import config as lzconfig
from landingzone.errors import EXIT_FAILURE, EXIT_INTERRUPTED, LandingZoneError
from landingzone.policies.commands import app as policies_app

app = typer.Typer(
    name="landingzone",
    help="Build a secure multi-account AWS landing zone with Pulumi: preview first, then apply.\n\n"
    "Run without a command on a terminal to open the wizard.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", help="Path of the landing zone configuration (YAML).", show_default=True),
]


def _example(text: str) -> str:
    return f"\n\nExample:\n\n    {text}"


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Configuration to open in the wizard.")] = None,
) -> None:
    """Without a command: open the wizard on a terminal, else show this help."""
    if ctx.invoked_subcommand is not None:
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        out.print(ctx.get_help())
        raise typer.Exit(0)
    # The wizard lives in the `tui` package, which depends on this one, never the reverse: load it by name here.
    import importlib

    importlib.import_module("tui.app").run_wizard(config)
    raise typer.Exit(0)


@app.command(help="Write a commented configuration from a preset (small, medium or large)."
             + _example("landingzone init --preset medium --output landingzone.yaml"))
def init(
    preset: Annotated[str, typer.Option(help="small: prod, dev and security accounts; medium: adds log-archive, "
                                        "shared-services and OUs; large: adds governance OUs.")] = "medium",
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")] = Path("landingzone.yaml"),
    name: Annotated[str, typer.Option(help="Name of the landing zone (stack names derive from it).")] =
    "acme-landing-zone",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    from landingzone.presets import PRESETS, preset_data

    if preset not in PRESETS:
        raise LandingZoneError(f"--preset: {preset!r} is not a preset; choose one of {', '.join(PRESETS)}")
    if output.exists() and not force:
        raise LandingZoneError(f"{output} already exists; pass --force to overwrite it")
    cfg = lzconfig.validate_config(preset_data(preset, lz_name=name), source=f"preset {preset}")
    output.write_text(lzconfig.commented_yaml(cfg, header=f"landingzone configuration (preset: {preset})"),
                      encoding="utf-8")
    err.print(f"wrote {output} ({preset} preset). Replace the example.com emails, then run "
              f"`landingzone validate --config {output}` and `landingzone plan --config {output}`.")


@app.command(help="Check a configuration and report every problem at once, each with its field path."
             + _example("landingzone validate --config landingzone.yaml"))
def validate(config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH) -> None:
    cfg = lzconfig.load_config(config)
    out.print(f"{config}: valid ({len(cfg.accounts)} accounts, {len(cfg.ou_paths())} OUs, "
              f"{len(cfg.guardrails)} guardrail assignments)")


@app.command(help="Print the JSON Schema of the configuration file (for editors and CI)."
             + _example("landingzone schema > landingzone.schema.json"))
def schema() -> None:
    print(json.dumps(lzconfig.json_schema(), indent=2))


@app.command(help="Check what an action needs: pulumi CLI, aws plugin, AWS identity, state backend, passphrase. "
             "Exits 3 when something the action needs is missing."
             + _example("landingzone doctor --action preview --config landingzone.yaml"))
def doctor(
    config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH,
    action: Annotated[str, typer.Option(help="The action to check for: plan, audit, preview, up, destroy.")] = "up",
) -> None:
    from landingzone.errors import EXIT_PREFLIGHT
    from landingzone.toolchain import ACTION_NEEDS, run_doctor

    if action not in ACTION_NEEDS:
        raise LandingZoneError(f"--action: {action!r} is not one of {', '.join(ACTION_NEEDS)}")
    endpoint = profile = None
    if config.exists():
        cfg = lzconfig.load_config(config)
        backend = lzconfig.backend_url(cfg, config)
        endpoint, profile = cfg.aws.endpoint, cfg.aws.profile
        out.print(f"configuration: {config} (valid)")
    else:
        backend = lzconfig.default_backend_url(config)
        out.print(f"configuration: {config} does not exist (fix: `landingzone init --preset medium`)")
    report = run_doctor(action, backend_url=backend, endpoint=endpoint, profile=profile)
    needs = ACTION_NEEDS[action]
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


headless.register(app)  # preview, up, refresh, destroy, outputs
app.command(name="plan", help=plan_command.HELP)(plan_command.plan_command)
app.add_typer(policies_app, name="policies")
app.command(name="audit", help=audit_cli.HELP)(audit_cli.audit)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: LandingZoneErrors become a short message and their exit code, never a traceback.

    Standalone mode lets typer report usage errors itself (exit 2) and turns Exit/Abort into SystemExit; our own
    errors pass through it untouched and are reported here.
    """
    try:
        app(args=argv, prog_name="landingzone", standalone_mode=True)
    except LandingZoneError as exc:
        err.print(f"error: {exc}", markup=False)
        return exc.exit_code
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else EXIT_FAILURE
    except KeyboardInterrupt:
        err.print("interrupted")
        return EXIT_INTERRUPTED
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
