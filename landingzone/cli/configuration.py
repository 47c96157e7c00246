"""`landingzone init`, `validate` and `schema`: write, check and describe the configuration file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from landingzone import config as lzconfig
from landingzone.atomicfile import atomic_write_text
from landingzone.cli.app import app
from landingzone.cli.options import ConfigOption, Preset, choice_option, err, out
from landingzone.errors import LandingZoneError


@app.command()
def init(
    preset: Annotated[Preset, choice_option(Preset, help_text="small: prod, dev and security accounts; medium: adds "
                                            "log-archive, shared-services and OUs; large: adds governance OUs.")]
    = Preset.MEDIUM,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")] = Path("landingzone.yaml"),
    name: Annotated[str, typer.Option(help="Name of the landing zone (stack names derive from it).")] =
    "acme-landing-zone",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented configuration from a preset (small, medium or large).

    Example:

        landingzone init --preset medium --output landingzone.yaml
    """
    from landingzone.presets import preset_data

    if output.exists() and not force:
        raise LandingZoneError(f"{output} already exists; pass --force to overwrite it")
    data = preset_data(preset.value, lz_name=name)
    cfg = lzconfig.validate_config(data, source=f"preset {preset}")
    atomic_write_text(output, lzconfig.commented_yaml(cfg, header=f"landingzone configuration (preset: {preset})"))
    err.print(f"wrote {output} ({preset} preset). Replace the example.com emails, then run "
              f"`landingzone validate --config {output}` and `landingzone plan --config {output}`.")


@app.command()
def validate(config: ConfigOption = lzconfig.DEFAULT_CONFIG_PATH) -> None:
    """Check a configuration and report every problem at once, each with its field path.

    Example:

        landingzone validate --config landingzone.yaml
    """
    cfg = lzconfig.load_config(config)
    out.print(f"{config}: valid ({len(cfg.accounts)} accounts, {len(cfg.ou_paths())} OUs, "
              f"{len(cfg.guardrails)} guardrail assignments)")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the configuration file (for editors and CI).

    Example:

        landingzone schema > landingzone.schema.json
    """
    print(json.dumps(lzconfig.json_schema(), indent=2))
