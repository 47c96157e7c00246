"""Shared helpers of the orchestrator's engine tests: the pulumi CLI requirement and a landing zone on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from landingzone.config import LandingZoneConfig, save_config
from landingzone.toolchain import PulumiCli, find_pulumi

ENGINE_DIR = Path(__file__).resolve().parent
REPO = ENGINE_DIR.parent.parent
STAND_IN = "tests.engine.orchestrator_stand_in:STAND_IN_STAGES"


def require_pulumi() -> PulumiCli:
    """The pulumi CLI, or a failure in CI (env CI set) / a skip that says why on a developer machine.

    Every test that needs the CLI goes through here, so CI can never skip one of them."""
    search = find_pulumi()
    if search.found:
        return search.found
    why = "; ".join(f"{r.path}: {r.reason}" for r in search.rejected) or "no pulumi on PATH or in the cache"
    message = f"this test needs the pulumi CLI ({why}); run `make pulumi` or set LANDINGZONE_PULUMI"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def write_config(cfg: LandingZoneConfig, directory: Path) -> Path:
    path = directory / "landingzone.yaml"
    save_config(cfg, path)
    return path


def run_cli(args: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 300,
            stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """`landingzone ...` as a user runs it, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "landingzone", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, stdin=stdin, check=False)


def cli_env(base: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess that uses the stand-in stages."""
    env = dict(base)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["LANDINGZONE_STAGES"] = STAND_IN
    env.update(extra)
    return env
