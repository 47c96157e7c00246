"""Navigation, saving and the end-to-end run of the wizard."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.widgets import Checkbox, Input

from landingzone.config import load_config
from tests.tui.conftest import goto, problem_text, run, settle
from tui.app import STEP_KEYS, STEPS, make_app
from tui.screens.base import StepScreen
from tui.state import WizardState


def normalise(text: str) -> str:
    """The YAML without comment lines and blank lines (the headers differ: init names the preset)."""
    return "\n".join(line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def test_accepting_every_default_of_medium_writes_what_init_writes(tmp_path: Path) -> None:
    target = tmp_path / "wizard.yaml"
    app = make_app(None, config_path=target)

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await goto(pilot, "review")
            await pilot.press("ctrl+s")
            await pilot.pause()

    run(drive())
    assert target.exists(), "ctrl+s on the review step did not write the file"
    init = tmp_path / "init.yaml"
    done = subprocess.run([sys.executable, "-m", "landingzone", "init", "--preset", "medium", "--output", str(init)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert normalise(target.read_text()) == normalise(init.read_text())
    assert target.read_text().startswith("# landingzone configuration (written by the wizard)")


def test_every_step_is_reachable_and_back_returns(tmp_path: Path) -> None:
    app = make_app(None, config_path=tmp_path / "lz.yaml")
    seen: list[str] = []

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for step in STEP_KEYS[:STEP_KEYS.index("review") + 1]:
                screen = await goto(pilot, step)
                seen.append(screen.STEP)
                assert screen.query("Footer"), f"{step} has no footer"
            for expected in reversed(STEP_KEYS[:STEP_KEYS.index("review")]):
                await pilot.press("ctrl+b")
                await pilot.pause()
                assert isinstance(app.screen, StepScreen) and app.screen.STEP == expected

    run(drive())
    assert seen == list(STEP_KEYS[:STEP_KEYS.index("review") + 1])


def test_back_and_forth_keeps_answers_even_invalid_ones(tmp_path: Path) -> None:
    app = make_app(None, config_path=tmp_path / "lz.yaml")

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen = await goto(pilot, "organization")
            screen.query_one("#name", Input).value = "payments-zone"
            screen.query_one("#governed-regions", Input).value = "us-east-1 eu-west-1"
            await pilot.pause()
            screen = await goto(pilot, "accounts")
            screen.query_one("#acct-email", Input).value = "not-an-email"
            await pilot.pause()
            assert "not an email address" in problem_text(screen)
            await pilot.press("ctrl+b")  # back is allowed with problems; the answer stays
            await pilot.pause()
            org = app.screen
            assert org.query_one("#name", Input).value == "payments-zone"
            assert org.query_one("#governed-regions", Input).value == "us-east-1 eu-west-1"
            await pilot.press("ctrl+n")
            await pilot.pause()
            accounts = app.screen
            assert accounts.query_one("#acct-email", Input).value == "not-an-email"
            await pilot.press("ctrl+n")  # forward is refused while the step has problems
            await pilot.pause()
            assert app.screen is accounts

    run(drive())


def test_command_palette_has_an_entry_per_step_and_jumps(tmp_path: Path) -> None:
    app = make_app(None, config_path=tmp_path / "lz.yaml")

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            for number, step in enumerate(STEPS, start=1):
                assert f"Step {number}: {step.TITLE_TEXT}" in commands
            commands["Step 6: Logging"].callback()
            await pilot.pause()
            assert isinstance(app.screen, StepScreen) and app.screen.STEP == "logging"
            await pilot.press("ctrl+p")  # the palette itself opens
            await pilot.pause()
            await pilot.press(*"Guardrails")
            await pilot.pause(0.5)
            await pilot.press("down", "enter")
            await pilot.pause(0.3)
            assert isinstance(app.screen, StepScreen) and app.screen.STEP == "guardrails"

    run(drive())


def test_editing_an_existing_file_keeps_its_comments(tmp_path: Path) -> None:
    path = tmp_path / "landingzone.yaml"
    subprocess.run([sys.executable, "-m", "landingzone", "init", "--preset", "small", "--output", str(path)],
                   check=True, capture_output=True)
    path.write_text(path.read_text() + "# a comment the team wrote\n")
    state = WizardState.open(path)
    assert state.preset_name is None
    app = make_app(state)

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen = await goto(pilot, "logging")
            screen.query_one("#kms", Checkbox).value = False
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()

    run(drive())
    text = path.read_text()
    assert "# a comment the team wrote" in text
    assert "preset: small" in text
    assert load_config(path).logging.kms is False


def test_save_refuses_an_invalid_configuration(tmp_path: Path) -> None:
    target = tmp_path / "lz.yaml"
    app = make_app(None, config_path=target)

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen = await goto(pilot, "organization")
            screen.query_one("#mgmt-email", Input).value = "nope"
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()

    run(drive())
    assert not target.exists()


def test_apply_refuses_a_preview_of_a_draft_edited_since(tmp_path: Path) -> None:
    """A preview kept from before an edit is not applied: the confirmation would show the old changes while
    `up` ran the edited configuration."""
    from landingzone.orchestrator import RunResult
    from tui.screens.apply import ApplyScreen
    from tui.screens.confirm import ConfirmApply

    app = make_app(None, config_path=tmp_path / "landingzone.yaml")
    app.state.remember_preview(RunResult("preview"))
    assert app.state.current_preview() is not None
    app.state.data["name"] = "edited-after-preview"
    assert app.state.current_preview() is None

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.go_to("apply")  # directly: Next from the preview step needs a preview of the current draft
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ApplyScreen)
            assert not isinstance(app.screen, ConfirmApply)
            assert "changed since the preview" in str(screen.query_one("#apply-status").render())

    run(drive())
