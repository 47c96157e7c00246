"""Step 2: the landing zone's name, regions, the management account rules of the practices as a checklist, and
account governance (root access, the security contact, the default budget, opt-in regions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, SelectionList, Static

from landingzone.config import SecurityService
from landingzone.errors import ConfigProblem
from tui.screens.base import StepScreen
from tui.state import WizardState
from tui.widgets.governance_panel import FIELD_PATHS, GovernancePanel, apply_governance

CHECKLIST: list[tuple[str, str, str]] = [
    ("new_and_empty", "New and empty: created for the organization, no workloads",
     "It controls every account, so it must not carry the history, users or workloads of an existing account "
     "(practice management-account: create a brand new account; never one that already has workloads)."),
    ("minimal_access", "Minimal access: only the organization's administrators sign in",
     "A compromise of this account is a compromise of the whole organization; keep zero workloads in it and "
     "give the absolute minimum access."),
]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", " ").split() if part.strip()]


@dataclass(frozen=True)
class OrganizationAnswers:
    name: str
    home_region: str
    governed_regions: list[str]
    management_email: str
    management_id: str
    new_and_empty: bool
    minimal_access: bool
    security_services: list[str]
    governance: dict[str, Any] = field(default_factory=dict)
    """The governance panel's answers (GovernancePanel.answers); empty leaves ``governance`` as it is."""

    def apply(self, state: WizardState) -> None:
        data = state.data
        data["name"] = self.name.strip()
        data["home_region"] = self.home_region.strip()
        data["governed_regions"] = list(self.governed_regions)
        mgmt = data.setdefault("management_account", {})
        mgmt["email"] = self.management_email.strip()
        mgmt["id"] = self.management_id.strip() or None
        mgmt["new_and_empty"] = self.new_and_empty
        mgmt["minimal_access"] = self.minimal_access
        data.setdefault("organization", {})["security_services"] = list(self.security_services)
        if self.governance:
            apply_governance(data, self.governance)


class OrganizationScreen(StepScreen[OrganizationAnswers]):
    STEP = "organization"
    TITLE_TEXT = "Organization"
    HELP = ("Name, home and governed regions, management account checklist, delegated security services, account "
            "governance")
    OWNS = ("name", "home_region", "governed_regions", "management_account", "organization.security_services",
            "governance")

    def compose_body(self) -> ComposeResult:
        data = self.state.data
        mgmt = data.get("management_account") or {}
        with Vertical(classes="panel") as panel:
            panel.border_title = "Landing zone"
            with Horizontal(classes="row"):
                yield Label("Name")
                yield Input(str(data.get("name", "")), id="name", placeholder="acme-landing-zone",
                            compact=True)
            with Horizontal(classes="row"):
                yield Label("Home region")
                yield Input(str(data.get("home_region", "")), id="home-region", placeholder="us-east-1",
                            compact=True)
            with Horizontal(classes="row"):
                yield Label("Governed regions")
                yield Input(" ".join(data.get("governed_regions") or []), id="governed-regions",
                            placeholder="us-east-1 eu-west-1 (space or comma separated)", compact=True)
            yield Static("The trail, its bucket and the query layer live in the home region; a region-deny "
                         "guardrail can refuse every region that is not governed.", classes="hint")
        with Vertical(classes="panel") as panel:
            panel.border_title = "Management account"
            with Horizontal(classes="row"):
                yield Label("Root email")
                yield Input(str(mgmt.get("email", "")), id="mgmt-email",
                            placeholder="aws-management@example.com", compact=True)
            with Horizontal(classes="row"):
                yield Label("Account id")
                yield Input(str(mgmt.get("id") or ""), id="mgmt-id", placeholder="optional: 12 digits",
                            compact=True)
            for key, label, why in CHECKLIST:
                yield Checkbox(label, bool(mgmt.get(key)), id=key.replace("_", "-"), compact=True)
                yield Static(why, classes="hint why")
        with Vertical(classes="panel") as panel:
            panel.border_title = "Delegated to the Security account"
            chosen = set((data.get("organization") or {}).get("security_services") or [])
            yield SelectionList[str](
                *[(svc.value, svc.value, svc.value in chosen) for svc in SecurityService], id="services",
                compact=True)
            yield Static("CloudTrail is always delegated: the organization trail is created from the "
                         "Security account, not the management account.", classes="hint")
        yield GovernancePanel(data.get("governance"), id="governance-panel")

    def collect(self) -> OrganizationAnswers:
        services = list(self.query_one("#services", SelectionList).selected)
        return OrganizationAnswers(
            name=self.query_one("#name", Input).value,
            home_region=self.query_one("#home-region", Input).value,
            governed_regions=_split(self.query_one("#governed-regions", Input).value),
            management_email=self.query_one("#mgmt-email", Input).value,
            management_id=self.query_one("#mgmt-id", Input).value,
            new_and_empty=self.query_one("#new-and-empty", Checkbox).value,
            minimal_access=self.query_one("#minimal-access", Checkbox).value,
            security_services=[s.value for s in SecurityService if s.value in services],
            governance=self.query_one(GovernancePanel).answers(),
        )

    def extra_problems(self) -> list[ConfigProblem]:
        if self.query_one("#minimal-access", Checkbox).value:
            return []
        return [ConfigProblem("management_account.minimal_access", "confirm that only the few administrators "
                              "of the organization can sign in to the management account", False)]

    def field_widgets(self) -> dict[str, Widget]:
        return {
            "name": self.query_one("#name"),
            "home_region": self.query_one("#home-region"),
            "governed_regions": self.query_one("#governed-regions"),
            "management_account.email": self.query_one("#mgmt-email"),
            "management_account.id": self.query_one("#mgmt-id"),
            "management_account.new_and_empty": self.query_one("#new-and-empty"),
            "management_account.minimal_access": self.query_one("#minimal-access"),
            **{path: self.query_one(selector) for path, selector in FIELD_PATHS.items()},
        }
