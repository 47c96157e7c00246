"""Drive the real wizard under Textual's Pilot.

No test here talks to real AWS: the environment has no credentials (so `doctor` reports that, quickly), and the
tests that need AWS answers start a moto server on 127.0.0.1. The doctor and discovery services are replaced
only in the snapshot tests, whose point is layout and whose text must not depend on this machine's paths.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from tests.engine.conftest import aws, engine_env, moto, pulumi_cli  # noqa: F401 (shared fixtures)
from tui.app import STEP_KEYS, WizardApp
from tui.screens.base import AnyStepScreen, StepScreen

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def offline_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No AWS credentials, no instance metadata, state and files in a temp dir."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN", "LANDINGZONE_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE",
                "PULUMI_CONFIG_PASSPHRASE_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def workers_done(pilot: Pilot[Any]) -> None:
    """Wait for every worker to end. A worker that raised is an outcome its screen shows (the step base hands the
    error to it), so WorkerFailed is not re-raised here; anything else (a cancelled worker) still is."""
    outcomes = await asyncio.gather(*[worker.wait() for worker in list(pilot.app.workers)], return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, WorkerFailed):
            raise outcome


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and their messages be handled."""
    await workers_done(pilot)
    await pilot.pause()
    await workers_done(pilot)
    await pilot.pause()


async def goto(pilot: Pilot[Any], step: str) -> AnyStepScreen:
    """Walk forward with ctrl+n (the way a user does) until `step` is on screen."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    for _ in range(len(STEP_KEYS)):
        screen = app.screen
        assert isinstance(screen, StepScreen)
        if screen.STEP == step:
            await pilot.pause()
            return screen
        await pilot.press("ctrl+n")
        await pilot.pause()
        if app.screen is screen:
            problems = [str(p) for p in screen.problems]
            raise AssertionError(f"ctrl+n did not leave {screen.STEP}: {problems}")
    raise AssertionError(f"never reached {step}")


def text_of(widget: Any, width: int = 200) -> str:
    """What a Static shows, as plain text (whatever it was given: str, Text, a Rich table...)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.export_text()


def problem_text(screen: AnyStepScreen) -> str:
    return "\n".join(str(p) for p in screen.problems)


Steps = Callable[[Pilot[Any]], Awaitable[None]]


async def open_step(pilot: Pilot[Any], step: str) -> AnyStepScreen:
    """Jump straight to a step (as the command palette does)."""
    app = pilot.app
    assert isinstance(app, WizardApp)
    app.go_to(step)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, StepScreen) and screen.STEP == step
    await pilot.pause()
    return screen


async def set_value(pilot: Pilot[Any], widget: Any, value: Any) -> None:
    widget.value = value
    await pilot.pause()
    await pilot.pause()
