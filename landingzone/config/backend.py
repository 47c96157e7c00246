"""Where the Pulumi state of a landing zone lives unless the configuration says otherwise."""

from __future__ import annotations

from pathlib import Path

from landingzone.config.model import LandingZoneConfig

STATE_DIR = Path(".landingzone") / "state"


def default_backend_url(config_path: Path | str) -> str:
    """file:// in .landingzone/state beside the configuration file (absolute: the CLI runs elsewhere)."""
    return (Path(config_path).resolve().parent / STATE_DIR).as_uri()


def backend_url(cfg: LandingZoneConfig, config_path: Path | str) -> str:
    return cfg.state.backend_url or default_backend_url(config_path)

