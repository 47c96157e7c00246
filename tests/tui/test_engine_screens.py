"""Preview and apply screens driven by the real orchestrator on the real pulumi engine.

The stage programs are the orchestrator's stand-in stages (tests/engine/orchestrator_stand_in.py: component
resources only, same names, order, outputs flow and per-account processes as the real stages), because the AWS
provider plugin cannot be downloaded here; everything else is real: Automation API, CLI, file:// backend,
events, worker thread.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from landingzone.orchestrator import Orchestrator
from tests.engine.engine_support import require_pulumi
from tests.engine.orchestrator_stand_in import STAND_IN_STAGES
from tests.tui.conftest import goto, run, settle
from tui.app import make_app
from tui.screens.apply import ApplyScreen
from tui.screens.confirm import ConfirmApply
from tui.screens.preview import PreviewScreen
from tui.widgets.stage_table import StageTable

pytestmark = pytest.mark.engine


PASSPHRASE = "tui-test-passphrase-5c1e"


def stand_in_orchestrator(cfg: Any, config_path: Path, *, on_event: Any,
                          passphrase: str | None = None) -> Orchestrator:
    return Orchestrator(cfg, config_path, on_event=on_event, stages=STAND_IN_STAGES, concurrency=2,
                        passphrase=passphrase)


async def wait_until(pilot: Any, predicate: Any, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the engine")
        await pilot.pause(0.2)


def test_preview_counts_then_apply_turns_every_stage_green(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    require_pulumi()
    monkeypatch.setenv("PULUMI_SKIP_UPDATE_CHECK", "true")
    app = make_app(None, stand_in_orchestrator, config_path=tmp_path / "landingzone.yaml")
    app.services.plan = lambda cfg: []  # the review's offline plan is tested elsewhere; keep this test on the engine
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await goto(pilot, "review")
            await settle(pilot)
            screen = await goto(pilot, "preview")
            assert isinstance(screen, PreviewScreen)
            # No passphrase in the environment: the wizard asks for it (a password field) before previewing.
            assert screen.query_one("#passphrase-row").display and not screen.running
            await pilot.press(*PASSPHRASE, "enter")
            await pilot.pause()
            assert screen.query_one("#passphrase", Input).value == ""
            await wait_until(pilot, lambda: not screen.running)
            assert screen.result is not None, str(screen.query_one("#preview-status").render())
            table = screen.query_one(StageTable)
            seen["table"] = {label: dict(counts) for label, counts in table.counts.items()}
            seen["result"] = screen.result
            # Drill-down: the organization stack's resources, each with its op.
            table.focus()
            table.move_cursor(row=0)
            await pilot.press("enter")
            await pilot.pause()
            resources = screen.query_one("#preview-resources", DataTable)
            seen["drill_rows"] = resources.row_count
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmApply)
            await pilot.press("ctrl+y")
            await pilot.pause()
            apply = app.screen
            assert isinstance(apply, ApplyScreen)
            await wait_until(pilot, lambda: apply.finished_ok is not None)
            seen["apply_ok"] = apply.finished_ok
            seen["bars"] = {label: bar.status for label, bar in apply.bars.items()}
            seen["outputs_shown"] = apply.query_one("#apply-outputs-panel").display
            seen["status"] = str(apply.query_one("#apply-status").render())

    run(drive())
    result = seen["result"]
    expected = {o.ref.label: o.counts for o in result.stacks}
    assert set(seen["table"]) == set(expected) == {"organization", "security", "guardrails",
                                                  "network[production]", "network[development]"}
    for label, counts in expected.items():
        assert seen["table"][label]["create"] == counts.get("create", 0), label
    # The organization, its five accounts and the stack resource itself.
    assert seen["table"]["organization"]["create"] == 1 + 5 + 1
    assert seen["drill_rows"] > 0
    assert seen["apply_ok"] is True, seen["status"]
    assert set(seen["bars"].values()) == {"done"}, seen["bars"]
    assert seen["outputs_shown"]
    # The typed passphrase reached the engine (the state is encrypted with it) but no file holds it.
    leaked = [p for p in tmp_path.rglob("*") if p.is_file() and PASSPHRASE.encode() in p.read_bytes()]
    assert leaked == []


def test_apply_can_be_refused_in_the_confirmation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_pulumi()
    monkeypatch.setenv("PULUMI_SKIP_UPDATE_CHECK", "true")
    monkeypatch.setenv("LANDINGZONE_PASSPHRASE", PASSPHRASE)
    app = make_app(None, stand_in_orchestrator, config_path=tmp_path / "landingzone.yaml")
    app.services.plan = lambda cfg: []

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await goto(pilot, "review")
            screen = await goto(pilot, "preview")
            assert isinstance(screen, PreviewScreen)
            await wait_until(pilot, lambda: not screen.running)
            assert screen.result is not None, str(screen.query_one("#preview-status").render())
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmApply)
            await pilot.press("escape")
            await pilot.pause()
            apply = app.screen
            assert isinstance(apply, ApplyScreen)
            assert apply.finished_ok is None and not apply.running
            assert "Not applied" in str(apply.query_one("#apply-status").render())

    run(drive())
    # Nothing was applied: the preview created the stacks, but none of them holds a resource.
    cfg = app.state.config()
    existing = stand_in_orchestrator(cfg, tmp_path / "landingzone.yaml", on_event=print,
                                     passphrase=PASSPHRASE).existing_stacks()
    assert existing and all(count == 0 for count in existing.values()), existing


def test_a_failed_apply_says_what_was_applied_and_what_to_do(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The guardrails stand-in fails during the update only (its preview works), as a refused AWS call would."""
    import dataclasses

    import pulumi

    from tests.engine import orchestrator_stand_in as stand_in

    require_pulumi()
    monkeypatch.setenv("PULUMI_SKIP_UPDATE_CHECK", "true")
    monkeypatch.setenv("LANDINGZONE_PASSPHRASE", PASSPHRASE)

    def guardrails_failing_on_update(ctx: Any) -> None:
        stand_in.guardrails(ctx)
        if not pulumi.runtime.is_dry_run():
            raise RuntimeError("AccessDeniedException: not authorized to perform organizations:CreatePolicy")

    stages = tuple(dataclasses.replace(s, program=guardrails_failing_on_update) if s.name == "guardrails" else s
                   for s in STAND_IN_STAGES)

    def orchestrator(cfg: Any, config_path: Path, *, on_event: Any, passphrase: str | None = None) -> Orchestrator:
        return Orchestrator(cfg, config_path, on_event=on_event, stages=stages, concurrency=2,
                            passphrase=passphrase)

    app = make_app(None, orchestrator, config_path=tmp_path / "landingzone.yaml")
    app.services.plan = lambda cfg: []
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            app.go_to("preview")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PreviewScreen)
            await wait_until(pilot, lambda: not screen.running)
            assert screen.result is not None, str(screen.query_one("#preview-status").render())
            await pilot.press("ctrl+n")
            await pilot.pause()
            await pilot.press("ctrl+y")
            await pilot.pause()
            apply = app.screen
            assert isinstance(apply, ApplyScreen)
            await wait_until(pilot, lambda: apply.finished_ok is not None)
            seen["ok"] = apply.finished_ok
            seen["status"] = str(apply.query_one("#apply-status").render())
            seen["bars"] = {label: bar.status for label, bar in apply.bars.items()}

    run(drive())
    assert seen["ok"] is False
    status = " ".join(seen["status"].split())
    assert "Stage 'guardrails' failed" in status, status
    assert "AccessDeniedException" in status
    assert "Applied before the failure: organization, security" in status
    assert "apply again" in status
    assert seen["bars"]["organization"] == seen["bars"]["security"] == "done"
    assert seen["bars"]["guardrails"] == "failed"
