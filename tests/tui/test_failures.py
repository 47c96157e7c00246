"""A worker that raises: the step base receives the error from Textual's Worker.StateChanged and the screen shows
it where it belongs, the wizard keeps going.

The failing services here are stand-ins that raise on purpose (a doctor, discovery, offline plan or orchestrator
that fails on demand): the real ones cannot be made to fail at a chosen point on this machine. Everything else
(the app, its screens, the workers, the messages) is the real wizard under Pilot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Static

from landingzone import events as ev
from landingzone.config import LandingZoneConfig
from landingzone.errors import LandingZoneError
from landingzone.plan import StagePlan
from landingzone.toolchain import Check, DoctorReport
from tests.tui.conftest import open_step, run, settle, text_of
from tui.app import make_app
from tui.screens.preview import PreviewScreen
from tui.services import Engine, Services
from tui.state import WizardState
from tui.widgets.stage_table import StageTable


def doctor_with_credentials(state: WizardState) -> DoctorReport:
    return DoctorReport("preview", [Check("credentials", True, "AWS identity arn:aws:iam::111111111111:root")])


def failing_discovery(state: WizardState) -> Any:
    raise RuntimeError("EndpointConnectionError: could not connect")


def failing_doctor(state: WizardState) -> DoctorReport:
    raise OSError("pulumi: permission denied")


def failing_plan(cfg: LandingZoneConfig) -> list[StagePlan]:
    raise ValueError("mock monitor went away")


def test_failed_doctor_and_failed_discovery_are_shown_on_the_welcome_screen(tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    async def drive(services: Services, key: str) -> None:
        app = make_app(None, config_path=tmp_path / "landingzone.yaml", services=services)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            seen[key + "-doctor"] = text_of(app.screen.query_one("#doctor", Static))
            seen[key + "-discovery"] = text_of(app.screen.query_one("#discovery", Static))
            seen[key + "-step"] = app.step_screen.STEP

    run(drive(Services(doctor=failing_doctor), "doctor"))
    run(drive(Services(doctor=doctor_with_credentials, discover=failing_discovery), "discovery"))
    assert "doctor failed: OSError: pulumi: permission denied" in seen["doctor-doctor"]
    assert seen["doctor-step"] == "welcome"
    assert "AWS identity" in seen["discovery-doctor"]
    assert "discovery failed: RuntimeError: EndpointConnectionError: could not connect" in " ".join(
        seen["discovery-discovery"].split())
    assert seen["discovery-step"] == "welcome"


def test_a_failed_offline_plan_is_shown_on_the_review(tmp_path: Path) -> None:
    app = make_app(None, config_path=tmp_path / "landingzone.yaml", services=Services(plan=failing_plan))
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await open_step(pilot, "review")
            await settle(pilot)
            seen["plan"] = text_of(app.screen.query_one("#review-plan", Static))

    run(drive())
    assert "The plan failed: ValueError: mock monitor went away" in seen["plan"]
    assert app.state.plan is None


class RefusingEngine:
    """An orchestrator whose preview fails the way a refused backend does (a LandingZoneError saying what to do),
    after reporting that the first stage started."""

    def __init__(self, on_event: ev.EventHandler) -> None:
        self.on_event = on_event

    def preview(self) -> Any:
        self.on_event(ev.StageStarted("organization", "preview", "lz-organization"))
        raise LandingZoneError("the state backend refused the lock; run `landingzone doctor`")

    def up(self) -> Any:
        raise AssertionError("never applied")

    def outputs(self) -> dict[str, Any]:
        return {}

    def request_stop(self) -> None:
        return None


def test_a_failed_preview_is_shown_once_and_can_be_run_again(tmp_path: Path) -> None:
    attempts: list[str] = []

    def refusing(cfg: LandingZoneConfig, config_path: Path, *, on_event: ev.EventHandler,
                 passphrase: str | None = None) -> Engine:
        attempts.append(str(passphrase))
        return RefusingEngine(on_event)

    services = Services(plan=lambda cfg: [], orchestrator=refusing, passphrase="in-memory-passphrase")
    app = make_app(None, config_path=tmp_path / "landingzone.yaml", services=services)
    seen: dict[str, Any] = {}

    async def drive() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            screen = await open_step(pilot, "preview")
            assert isinstance(screen, PreviewScreen)
            await settle(pilot)
            seen["running"] = screen.running
            seen["status"] = text_of(screen.query_one("#preview-status", Static))
            seen["table"] = dict(screen.query_one(StageTable).counts)
            await pilot.press("ctrl+n")  # refused: apply needs a successful preview
            await pilot.pause()
            seen["after_next"] = app.step_screen.STEP
            await pilot.press("ctrl+r")  # not running any more: the preview can run again
            await settle(pilot)

    run(drive())
    assert seen["running"] is False
    status = " ".join(seen["status"].split())
    # A LandingZoneError already says what to do: shown as it is, without its class name.
    assert "The preview failed: the state backend refused the lock; run `landingzone doctor`" in status
    assert "LandingZoneError" not in status
    assert "organization" in seen["table"]  # the event posted before the failure was shown first
    assert seen["after_next"] == "preview"
    assert attempts == ["in-memory-passphrase", "in-memory-passphrase"]
    assert app.state.preview is None
