"""The preview and apply screens on the real stages, through the real orchestrator and pulumi engine, against
the emulated aws plugin backed by a moto server (the fixtures of tests/engine/conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from landingzone.config import validate_config
from landingzone.presets import preset_data
from tests.engine.conftest import Aws
from tests.engine.engine_support import write_config
from tests.tui.conftest import run, settle
from tui.app import make_app
from tui.screens.apply import ApplyScreen
from tui.screens.confirm import ConfirmApply
from tui.screens.preview import PreviewScreen
from tui.widgets.stage_table import StageTable

pytestmark = pytest.mark.engine
BASELINES = {f"baseline[{a}]" for a in ("management", "security", "log-archive", "shared-services", "production",
                                         "development")}
"""The medium preset's baseline stacks: the management account and its five member accounts."""
STACKS = {"organization", "regions", "security", *BASELINES, "logging", "security_services", "guardrails",
          "network[production]",
          "network[development]", "governance"}


async def wait_until(pilot: Any, predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the engine"
        await pilot.pause(0.5)


def test_preview_and_apply_the_medium_preset_on_the_emulator(engine_env: dict[str, str], pulumi_cli: Any,
                                                              aws: Aws, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANDINGZONE_PULUMI", str(pulumi_cli.path))
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    data = preset_data("medium")
    data["aws"] = {"endpoint": engine_env["AWS_ENDPOINT_URL"]}
    cfg = validate_config(data)
    directory = tmp_path / "lz"
    directory.mkdir()
    path = write_config(cfg, directory)
    app = make_app(cfg, config_path=path)
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            app.go_to("preview")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PreviewScreen)
            await wait_until(pilot, lambda: not screen.running, timeout=900)
            assert screen.result is not None, str(screen.query_one("#preview-status").render())
            seen["table"] = {label: dict(counts) for label, counts in screen.query_one(StageTable).counts.items()}
            seen["preview"] = {o.ref.label: dict(o.counts) for o in screen.result.stacks}
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmApply)
            await pilot.press("ctrl+y")
            await pilot.pause()
            apply = app.screen
            assert isinstance(apply, ApplyScreen)
            await wait_until(pilot, lambda: apply.finished_ok is not None, timeout=1800)
            seen["ok"] = apply.finished_ok
            seen["status"] = str(apply.query_one("#apply-status").render())
            seen["bars"] = {label: bar.status for label, bar in apply.bars.items()}

    run(drive())
    assert set(seen["preview"]) == STACKS
    for label, counts in seen["preview"].items():
        # regions: the preset governs no opt-in region, so only the stack itself
        assert counts.get("create", 0) > (0 if label == "regions" else 1), (label, counts)
        assert seen["table"][label]["create"] == counts["create"], label
        assert seen["table"][label]["update"] == seen["table"][label]["delete"] == 0, label
    assert seen["ok"] is True, seen["status"]
    assert seen["bars"] == dict.fromkeys(STACKS, "done"), seen["bars"]
    org = aws.client("organizations")
    assert org.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    names = {a["Name"] for a in org.list_accounts()["Accounts"]}
    assert {"security", "log-archive", "shared-services", "production", "development"} <= names
