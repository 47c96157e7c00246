"""SVG snapshots of every design step at 100x30 and 160x48 (pytest-textual-snapshot; update with
`pytest tests/tui/test_snapshots.py --snapshot-update` after checking the new look).

The preflight checks are replaced by a fixed report here, and only here: their real text names this machine's
paths and tools, which a snapshot must not depend on (test_screens.py runs the real checks). Preview and apply
are not snapshotted: their content comes from a live engine run (timings, ordering of parallel stacks); the
engine tests assert their tables and bars instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from landingzone.toolchain import Check, DoctorReport
from tests.tui.conftest import open_step, settle
from tui.app import make_app
from tui.services import Services
from tui.state import WizardState

SIZES = [(100, 30), (160, 48)]
STEPS = ["welcome", "organization", "accounts", "ous", "guardrails", "logging", "security_services", "network",
         "access", "review", "done"]


def fixed_doctor(state: WizardState) -> DoctorReport:
    return DoctorReport("preview", [
        Check("cli", True, "pulumi 3.274.1 (from cache)"),
        Check("plugin", True, "aws resource plugin 7.51.1"),
        Check("credentials", False, "no AWS credentials found in the standard chain",
              "export AWS_PROFILE=<management profile> (or run `aws sso login`), then run doctor again"),
        Check("backend", True, "state backend file://.landingzone/state (writable)"),
        Check("passphrase", False, "no secrets passphrase set",
              "export LANDINGZONE_PASSPHRASE=... (kept out of files and logs; the same value every run)"),
    ])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("step", STEPS)
def test_step_snapshot(step: str, size: tuple[int, int], snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(None, config_path=Path("landingzone.yaml"), services=Services(doctor=fixed_doctor))

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        if step != "welcome":
            await open_step(pilot, step)
        await settle(pilot)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_access_step_enabled_snapshot(size: tuple[int, int], snap_compare: Any) -> None:
    """The Access step with Identity Center turned on: the library, groups, assignments and the matrix by OU."""
    from textual.widgets import Checkbox

    app = make_app(None, config_path=Path("landingzone.yaml"), services=Services(doctor=fixed_doctor))

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        screen = await open_step(pilot, "access")
        screen.query_one("#ic-enabled", Checkbox).value = True
        await settle(pilot)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.engine
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["preview", "confirm"])
def test_engine_step_snapshot(view: str, size: tuple[int, int], snap_compare: Any, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview table after a real preview of the stand-in stages, and the apply confirmation over it."""
    from landingzone.orchestrator import Orchestrator
    from tests.engine.engine_support import require_pulumi
    from tests.engine.orchestrator_stand_in import STAND_IN_STAGES
    from tests.tui.test_engine_screens import wait_until

    require_pulumi()
    monkeypatch.setenv("PULUMI_SKIP_UPDATE_CHECK", "true")
    monkeypatch.setenv("LANDINGZONE_PASSPHRASE", "tui-snapshot-passphrase")

    def orchestrator(cfg: Any, config_path: Path, *, on_event: Any, passphrase: str | None = None) -> Orchestrator:
        # concurrency=1: the network stacks run one after the other, so the log's order is stable.
        return Orchestrator(cfg, config_path, on_event=on_event, stages=STAND_IN_STAGES, concurrency=1,
                            passphrase=passphrase)

    app = make_app(None, orchestrator, config_path=Path("landingzone.yaml"),
                   services=Services(doctor=fixed_doctor, plan=lambda cfg: []))

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        screen = await open_step(pilot, "preview")
        await wait_until(pilot, lambda: not getattr(screen, "running", True))
        screen.query_one("#preview-log").clear()  # engine diagnostics vary between machines
        screen.show_resources("organization")
        if view == "confirm":
            await pilot.press("ctrl+n")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
