"""The Security services step under Pilot: defaults and the cost note, turning a costly service on (and so
delegating it), protection plans, the findings' addresses checked as you type, and what is saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Checkbox, Input, RadioSet, SelectionList, Static

from landingzone.config import validate_config
from tests.tui.conftest import open_step, problem_text, set_value, text_of
from tests.tui.test_screens import drive, next_is_refused, wizard


def test_security_services_step(tmp_path: Path) -> None:
    app = wizard(tmp_path)

    async def body(pilot: Any) -> None:
        screen = await open_step(pilot, "security_services")
        boxes = {b.id: b.value for b in screen.query(Checkbox)}
        assert boxes == {"svc-guardduty": True, "svc-securityhub": True, "svc-config": True,
                         "svc-access-analyzer": True, "svc-inspector": False, "svc-macie": False,
                         "svc-detective": False}
        assert "priced per resource scanned" in text_of(screen.query_one("#cost-note", Static))
        assert "RUNTIME_MONITORING" not in screen.query_one("#plans", SelectionList).selected
        assert screen.query_one("#severity", RadioSet).pressed_button.name == "HIGH"

        await set_value(pilot, screen.query_one("#notify-https", Input), "http://hooks.example.com/x")
        assert "security_services.notifications.https" in problem_text(screen)
        await next_is_refused(pilot, screen)
        await set_value(pilot, screen.query_one("#notify-https", Input), "https://hooks.example.com/x")
        await set_value(pilot, screen.query_one("#notify-email", Input), "soc@example.com, oncall@example.com")
        await set_value(pilot, screen.query_one("#svc-macie", Checkbox), True)
        await set_value(pilot, screen.query_one("#svc-config", Checkbox), False)
        screen.query_one("#plans", SelectionList).select("RUNTIME_MONITORING")
        await pilot.pause()
        await pilot.pause()
        assert screen.problems == []

        cfg = validate_config(app.state.data)
        services = cfg.security_services
        assert services.enabled_services() == ["guardduty", "securityhub", "access-analyzer", "macie"]
        assert "macie" in {s.value for s in cfg.organization.security_services}  # delegated with it
        assert services.notifications.email == ["soc@example.com", "oncall@example.com"]
        assert services.notifications.https == ["https://hooks.example.com/x"]
        assert "RUNTIME_MONITORING" in {p.value for p in services.guardduty.protection_plans}

    drive(app, body)
