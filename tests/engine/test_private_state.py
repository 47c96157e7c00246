"""`.landingzone/` after a real run: the state the pulumi CLI writes (file backend) and the work dirs are owner-only,
whatever the user's umask (the stand-in stages: the real engine, no provider plugin)."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import pytest

from landingzone.orchestrator import Orchestrator
from landingzone.presets import preset
from landingzone.privatefiles import exposed_paths
from tests.engine.engine_support import require_pulumi, write_config
from tests.engine.orchestrator_stand_in import STAND_IN_STAGES

pytestmark = pytest.mark.engine


def test_state_and_work_dirs_are_0700_and_files_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = require_pulumi()
    monkeypatch.setenv("LANDINGZONE_PULUMI", str(cli.path))
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "pulumi-home"))
    monkeypatch.setenv("LANDINGZONE_PASSPHRASE", "passphrase-" + secrets.token_hex(8))
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    cfg = preset("small")
    path = write_config(cfg, tmp_path)
    old = os.umask(0o022)  # the common default, which would make everything world-readable
    try:
        orch = Orchestrator(cfg, path, stages=STAND_IN_STAGES, concurrency=2)  # network stacks in worker processes
        orch.up()
        assert orch.outputs()["network"]
        after = os.umask(0o022)
    finally:
        os.umask(old)
    assert after == 0o022, "the private umask is restored after the run"
    root = tmp_path / ".landingzone"
    dirs = files = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            assert stat.S_IMODE((Path(dirpath) / name).stat().st_mode) == 0o700, Path(dirpath) / name
            dirs += 1
        for name in filenames:
            mode = stat.S_IMODE((Path(dirpath) / name).lstat().st_mode)
            assert mode & 0o077 == 0, (Path(dirpath) / name, oct(mode))
            files += 1
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    checkpoints = list((root / "state").rglob("*.json"))
    assert checkpoints, "the file backend wrote the stacks' checkpoints"
    assert files >= len(checkpoints) and dirs >= 2
    assert exposed_paths(root) == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o644, "the configuration itself is not made private"
