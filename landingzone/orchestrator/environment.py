"""What the pulumi CLI needs to open a stack: the secrets passphrase, the backend, the CLI itself."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from landingzone.errors import PreflightError

if TYPE_CHECKING:
    from pulumi.automation import PulumiCommand

PASSPHRASE_ENV = "LANDINGZONE_PASSPHRASE"


def passphrase_env(environ: Mapping[str, str] | None = None, passphrase: str | None = None) -> dict[str, str]:
    """The variables that give the CLI the secrets passphrase. Raises PreflightError when there is none."""
    environ = os.environ if environ is None else environ
    if passphrase is not None:
        return {"PULUMI_CONFIG_PASSPHRASE": passphrase}
    if PASSPHRASE_ENV in environ:
        return {"PULUMI_CONFIG_PASSPHRASE": environ[PASSPHRASE_ENV]}
    for var in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        if var in environ:
            return {var: environ[var]}
    raise PreflightError(
        "no secrets passphrase: the state of every stage is encrypted with it",
        fix=f"export {PASSPHRASE_ENV}=... (the same value on every run; it is never written to disk or logs)",
    )


@dataclass(frozen=True)
class EngineSettings:
    """Everything a worker process needs to open a stack (picklable; the passphrase travels separately)."""

    backend: str
    work_root: str
    cli_root: str
    extra_env: tuple[tuple[str, str], ...] = ()


def pulumi_command(cli_root: str) -> PulumiCommand:
    from pulumi.automation import PulumiCommand

    return PulumiCommand(root=cli_root)
