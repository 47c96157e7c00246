"""The `landingzone` Typer application, its root callback (the wizard) and the console entry point.

Commands register on :data:`app` with ``@app.command()`` in their own modules; the help of each is its
docstring, ending in an ``Example:`` block. Exit codes (README "Exit codes"): 0 ok; 1 unexpected failure; 2
invalid configuration or usage (and, for `preview --detailed-exitcode`, changes pending); 3 preflight (missing
CLI, credentials, passphrase); 4 state locked; 5 quota exceeded; 6 a stage failed; 7 audit findings at or above
--fail-on; 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from landingzone.cli.options import err, out
from landingzone.errors import EXIT_FAILURE, EXIT_INTERRUPTED, LandingZoneError
from landingzone.redact import install_redacting_streams

app = typer.Typer(
    name="landingzone",
    help="Build a secure multi-account AWS landing zone with Pulumi: preview first, then apply.\n\n"
    "Run without a command on a terminal to open the wizard.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


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


def main(argv: list[str] | None = None) -> int:
    """Console entry point: LandingZoneErrors become a short message and their exit code, never a traceback.

    Standalone mode lets typer report usage errors itself (exit 2) and turns Exit/Abort into SystemExit; our own
    errors pass through it untouched and are reported here.
    """
    install_redacting_streams()  # no AWS key, session token or passphrase in any line printed
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
