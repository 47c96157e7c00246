"""The headless commands' guard rails, run as a user runs them (no engine run needed for these)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from landingzone.config import save_config
from landingzone.presets import preset


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("LANDINGZONE_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")}
    return subprocess.run([sys.executable, "-m", "landingzone", *args], cwd=tmp_path, env={**base, **env},
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "landingzone.yaml"
    save_config(preset("small"), path)
    return path


def test_up_refuses_without_yes_when_stdin_is_not_a_terminal(tmp_path: Path) -> None:
    path = _config(tmp_path)
    done = _cli(["up", "--config", str(path)], tmp_path, LANDINGZONE_PASSPHRASE="x")
    assert done.returncode == 2
    assert "refusing to up without --yes" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / ".landingzone").exists()


def test_preview_without_a_passphrase_is_a_preflight_error(tmp_path: Path) -> None:
    path = _config(tmp_path)
    done = _cli(["preview", "--config", str(path)], tmp_path)
    assert done.returncode == 3, done.stderr
    assert "LANDINGZONE_PASSPHRASE" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / ".landingzone").exists()


def test_unknown_stage_is_a_usage_error(tmp_path: Path) -> None:
    path = _config(tmp_path)
    done = _cli(["preview", "--config", str(path), "--stage", "nope"], tmp_path, LANDINGZONE_PASSPHRASE="x")
    assert done.returncode == 2, done.stderr
    assert "'nope' is not a stage" in done.stderr and "organization" in done.stderr
