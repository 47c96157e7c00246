"""What the commands share: the two consoles, the --config option, and the enums of every choice.

Choices are enums (Typer lists them in --help and refuses anything else as a usage error, exit 2); the message
names the option and the accepted values. The library keeps its own names for the same values (presets, doctor
actions, audit formats and severities); tests/cli/test_cli_in_process.py checks that the two lists agree.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from landingzone import config as lzconfig


def console(*, stderr: bool = False) -> Console:
    """A console for command output: no highlighting of numbers and paths, long lines left for the terminal."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


out = console()
"""Results: tables, reports, JSON (pipe them)."""
err = console(stderr=True)
"""Progress, confirmations, errors and hints (never mixed into the results)."""

E = TypeVar("E", bound=StrEnum)


def choice_option(enum: type[E], *param_decls: str, help_text: str) -> Any:
    """A Typer option whose values are the members of ``enum``: listed in --help, anything else refused as a usage
    error (exit 2) with a plain message, ``'huge' is not one of small, medium, large``."""
    values = [member.value for member in enum]

    def parse(value: str | E) -> E:
        if isinstance(value, enum):
            return value
        try:
            return enum(value)
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(values)}") from None

    return typer.Option(*param_decls, parser=parse, metavar=f"<{'|'.join(values)}>", help=help_text)


class Preset(StrEnum):
    """`init --preset` (landingzone.presets.PRESETS)."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class DoctorAction(StrEnum):
    """`doctor --action` (landingzone.toolchain.ACTION_NEEDS)."""

    PLAN = "plan"
    AUDIT = "audit"
    PREVIEW = "preview"
    UP = "up"
    DESTROY = "destroy"


class OutputFormat(StrEnum):
    """`preview/up/refresh --format`."""

    text = "text"
    json = "json"
    markdown = "markdown"


class PlanFormat(StrEnum):
    """`plan --format`."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    MERMAID = "mermaid"


class AuditFormat(StrEnum):
    """`audit --format` (landingzone.audit.report.FORMATS)."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


class FailOn(StrEnum):
    """`audit --fail-on` (landingzone.audit.model.Severity)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", help="Path of the landing zone configuration (YAML).", show_default=True),
]
OptionalConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Configuration whose governed regions, org-admin path, trail name and "
                 "quotas fill the defaults. Default: ./landingzone.yaml when it exists, else the library defaults."),
]


def load_optional_config(config: Path | None) -> lzconfig.LandingZoneConfig | None:
    """The configuration given, else ./landingzone.yaml when it exists, else None."""
    if config is not None:
        return lzconfig.load_config(config)
    default = lzconfig.DEFAULT_CONFIG_PATH
    return lzconfig.load_config(default) if default.exists() else None
