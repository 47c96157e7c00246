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
STEPS = ["welcome", "organization", "accounts", "ous", "guardrails", "logging", "network", "review", "done"]


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
