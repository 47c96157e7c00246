"""The Access step under Pilot: turning Identity Center on proposes the library, groups and assignments; the
matrix by OU follows what is typed; the config model's rules (break-glass only into management) block Next; the
review shows who reaches which account."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Checkbox, Static, TextArea

from landingzone.config import grants, validate_config
from tests.tui.conftest import open_step, problem_text, run, set_value, settle, text_of
from tui.app import WizardApp, make_app


def _drive(tmp_path: Path, body: Any, size: tuple[int, int] = (160, 48)) -> None:
    app = make_app(None, config_path=tmp_path / "landingzone.yaml")

    async def go() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await body(pilot, app)

    run(go())


async def _typed(pilot: Any, area: TextArea, text: str) -> None:
    area.text = text
    await pilot.pause()
    await pilot.pause()


def test_turning_identity_center_on_proposes_a_valid_start(tmp_path: Path) -> None:
    async def body(pilot: Any, app: WizardApp) -> None:
        screen = await open_step(pilot, "access")
        assert app.state.data.get("identity_center") is None  # off until chosen: it needs a console step first
        assert screen.query_one("#ic-groups", TextArea).disabled
        await set_value(pilot, screen.query_one("#ic-enabled", Checkbox), True)
        assert not screen.query_one("#ic-groups", TextArea).disabled
        cfg = validate_config(app.state.data)
        assert cfg.identity_center is not None
        assert {p.name for p in cfg.identity_center.permission_sets} == {
            "Administrator", "PowerUser", "ReadOnly", "SecurityAudit", "Billing", "BreakGlass"}
        assert {g.account for g in grants(cfg) if g.group == "BreakGlass"} >= {"management", "production"}
        grid = text_of(screen.query_one("#ic-matrix", Static))
        assert "management (break-glass only)" in grid and "Workloads/NonProd" in grid and "PowerUser" in grid
        assert screen.problems == []
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.STEP == "review"  # type: ignore[attr-defined]

    _drive(tmp_path, body)


def test_management_only_for_break_glass_and_lines_that_do_not_parse(tmp_path: Path) -> None:
    async def body(pilot: Any, app: WizardApp) -> None:
        screen = await open_step(pilot, "access")
        await set_value(pilot, screen.query_one("#ic-enabled", Checkbox), True)
        assignments = screen.query_one("#ic-assignments", TextArea)
        await _typed(pilot, assignments, "Developers -> PowerUser: management, Workloads/NonProd")
        assert "only the break-glass group may be assigned to the management account" in problem_text(screen)
        assert assignments.has_class("-invalid")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen is screen, "Next left a step that has problems"
        await _typed(pilot, assignments, "Developers => PowerUser")
        assert "does not read as 'group -> permission set: target, target'" in problem_text(screen)
        await _typed(pilot, assignments, "Developers -> PowerUsr: Workloads/NonProd")
        assert "did you mean 'PowerUser'?" in problem_text(screen)
        await _typed(pilot, assignments, "Developers -> PowerUser: Workloads/NonProd\n"
                                         "BreakGlass -> BreakGlass: management")
        assert screen.problems == []
        grid = text_of(screen.query_one("#ic-matrix", Static))
        assert "BreakGlass" in grid.split("management (break-glass only)", 1)[1].splitlines()[0]
        # External groups are marked, never created.
        await _typed(pilot, screen.query_one("#ic-groups", TextArea),
                     "Developers (external): from Okta\nBreakGlass: emergency")
        ic = app.state.data["identity_center"]
        assert ic["groups"][0] == {"name": "Developers", "description": "from Okta", "external": True}

    _drive(tmp_path, body)


def test_review_shows_who_reaches_which_account(tmp_path: Path) -> None:
    async def body(pilot: Any, app: WizardApp) -> None:
        screen = await open_step(pilot, "access")
        await set_value(pilot, screen.query_one("#ic-enabled", Checkbox), True)
        review = await open_step(pilot, "review")
        await settle(pilot)
        reach = text_of(review.query_one("#review-access", Static))
        lines = {line.split()[0]: line for line in reach.splitlines() if line.strip()}
        assert "BreakGlass: BreakGlass" in lines["management"] and "Platform-Admins" not in lines["management"]
        assert "Developers: ReadOnly" in lines["production"] and "Developers: PowerUser" in lines["development"]
        plan = text_of(review.query_one("#review-plan", Static))
        assert "access" in plan and "management_access" in plan

    _drive(tmp_path, body)
