"""While a stage runs in the worker, the wizard still answers the keyboard within 100 ms.

The stage is the orchestrator's stand-in organization stage on the real pulumi engine, made slow with
LZ_STAND_IN_DELAY (its program sleeps, as a long AWS call would block)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from tests.engine.engine_support import require_pulumi
from tests.tui.conftest import goto, run, settle
from tests.tui.test_engine_screens import stand_in_orchestrator, wait_until
from tui.app import make_app
from tui.screens.preview import PreviewScreen
from tui.widgets.stage_table import StageTable

pytestmark = pytest.mark.engine
BUDGET = 0.100


def test_key_press_is_handled_within_100ms_while_a_stage_runs(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    require_pulumi()
    monkeypatch.setenv("PULUMI_SKIP_UPDATE_CHECK", "true")
    monkeypatch.setenv("LZ_STAND_IN_DELAY", "20")
    monkeypatch.setenv("LANDINGZONE_PASSPHRASE", "tui-latency-passphrase")
    app = make_app(None, stand_in_orchestrator, config_path=tmp_path / "landingzone.yaml")
    app.services.plan = lambda cfg: []
    latencies: list[float] = []
    handled: list[float] = []
    original = StageTable.action_cursor_down

    def timed_cursor_down(self: StageTable) -> None:
        handled.append(time.monotonic())
        original(self)

    monkeypatch.setattr(StageTable, "action_cursor_down", timed_cursor_down)

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await goto(pilot, "review")
            screen = await goto(pilot, "preview")
            assert isinstance(screen, PreviewScreen)
            table = screen.query_one(StageTable)
            # Wait until the organization stage is running in the worker (its program is sleeping).
            await wait_until(pilot, lambda: "organization" in table.counts and "running" in str(
                table.get_cell("organization", "status")), timeout=120)
            table.focus()
            await pilot.pause(0.2)  # the focus change itself repaints; measure key presses, not that
            for _ in range(8):
                before = len(handled)
                start = time.monotonic()
                await pilot.press("down")
                assert len(handled) == before + 1, "the key press was not handled"
                latencies.append(handled[-1] - start)
                await pilot.pause(0.05)
            assert screen.running, "the stage finished before the measurement ended; raise LZ_STAND_IN_DELAY"
            screen.action_stop()
            await wait_until(pilot, lambda: not screen.running, timeout=120)

    run(drive())
    print(f"key latency while a stage runs: median {statistics.median(latencies) * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms over {len(latencies)} presses")
    assert max(latencies) < BUDGET, [round(x * 1000, 1) for x in latencies]


def test_quit_during_a_run_stops_after_the_running_stage_first(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    require_pulumi()
    monkeypatch.setenv("PULUMI_SKIP_UPDATE_CHECK", "true")
    monkeypatch.setenv("LZ_STAND_IN_DELAY", "5")
    monkeypatch.setenv("LANDINGZONE_PASSPHRASE", "tui-quit-passphrase")
    app = make_app(None, stand_in_orchestrator, config_path=tmp_path / "landingzone.yaml")
    app.services.plan = lambda cfg: []
    seen: dict[str, object] = {}

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.go_to("preview")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PreviewScreen)
            table = screen.query_one(StageTable)
            await wait_until(pilot, lambda: "organization" in table.counts and "running" in str(
                table.get_cell("organization", "status")), timeout=120)
            await pilot.press("ctrl+q")
            await pilot.pause()
            seen["still_running_app"] = app.is_running
            await wait_until(pilot, lambda: not screen.running, timeout=120)
            seen["status"] = str(screen.query_one("#preview-status").render())
            seen["security_status"] = str(table.get_cell("security", "status")) if "security" in table.counts \
                else "never started"
            await pilot.press("ctrl+q")
            await pilot.pause()

    run(drive())
    assert seen["still_running_app"] is True
    assert "interrupted" in str(seen["status"]), seen["status"]
    assert seen["security_status"] == "never started", seen["security_status"]
