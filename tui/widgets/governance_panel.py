"""The organization step's account governance panel: centralized root access, the organization's alternate
security contact, the default monthly budget and opt-in regions (practices `root-access` and
`account-governance` in docs/practices.md).

The panel reads its values from and writes them to the configuration's ``governance`` mapping; what it does not
show (operations and billing contacts, budgets per OU or account) stays as the file has it.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Static

CONTACT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "Contact name", "Security team"),
    ("title", "Contact title", "Security"),
    ("email", "Contact email", "security@example.com"),
    ("phone", "Contact phone", "+1 206 555 0100"),
)

FIELD_PATHS: dict[str, str] = {
    "governance.root_access.centralized": "#root-access",
    "governance.enable_opt_in_regions": "#opt-in-regions",
    **{f"governance.alternate_contacts.security.{key}": f"#contact-{key}" for key, _, _ in CONTACT_FIELDS},
    "governance.budgets.default.monthly_limit_usd": "#budget-limit",
    "governance.budgets.default.emails": "#budget-emails",
}
"""Configuration field -> the widget that edits it (for the step's problem list)."""


class GovernancePanel(Vertical):
    """Inputs for ``governance``; :meth:`apply` merges them into a configuration mapping."""

    def __init__(self, governance: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(classes="panel", **kwargs)
        self.border_title = "Account governance"
        self._initial = dict(governance or {})

    def compose(self) -> ComposeResult:
        gov = self._initial
        root = (gov.get("root_access") or {}).get("centralized", True)
        yield Checkbox("Centralized root access (no root credentials in member accounts)", bool(root),
                       id="root-access", compact=True)
        yield Static("IAM's RootCredentialsManagement and RootSessions: root-only tasks run as short AssumeRoot "
                     "sessions; `landingzone root-credentials` lists and deletes what is left (practice root-access, "
                     "docs/practices.md; IAM user guide, centrally manage root access).", classes="hint why")
        security = (gov.get("alternate_contacts") or {}).get("security") or {}
        for key, label, placeholder in CONTACT_FIELDS:
            with Horizontal(classes="row"):
                yield Label(label)
                yield Input(str(security.get(key, "")), id=f"contact-{key}", placeholder=placeholder, compact=True)
        yield Static("The alternate security contact of every account: who AWS writes to about abuse reports and "
                     "leaked credentials (practice account-governance; AWS Account Management reference). Leave "
                     "all four empty for none.", classes="hint")
        default = (gov.get("budgets") or {}).get("default") or {}
        with Horizontal(classes="row"):
            yield Label("Monthly budget (USD)")
            limit = default.get("monthly_limit_usd")
            yield Input("" if limit is None else f"{limit:g}", id="budget-limit",
                        placeholder="per account, e.g. 500; empty for none", compact=True)
        with Horizontal(classes="row"):
            yield Label("Budget alerts to")
            yield Input(" ".join(default.get("emails") or []), id="budget-emails",
                        placeholder="finops@example.com (space or comma separated)", compact=True)
        yield Static("A monthly cost budget per member account, alerting at 80% of actual and 100% of forecasted "
                     "spend (AWS Budgets user guide). Budgets per OU or account: governance.budgets in the file.",
                     classes="hint")
        yield Checkbox("Enable the governed regions that are opt-in in every account",
                       bool(gov.get("enable_opt_in_regions", True)), id="opt-in-regions", compact=True)

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    def answers(self) -> dict[str, Any]:
        """What the panel shows, as the ``governance`` fields it owns (None where a field is cleared)."""
        contact = {key: self._value(f"#contact-{key}") for key, _, _ in CONTACT_FIELDS}
        limit_text = self._value("#budget-limit")
        emails = [e for e in self._value("#budget-emails").replace(",", " ").split() if e]
        limit: Any = limit_text
        try:
            limit = float(limit_text) if limit_text else None
        except ValueError:
            pass  # validation names the field: "Input should be a valid number"
        return {
            "root_access": self.query_one("#root-access", Checkbox).value,
            "security_contact": contact if any(contact.values()) else None,
            "budget": {"monthly_limit_usd": limit, "emails": emails} if limit_text or emails else None,
            "enable_opt_in_regions": self.query_one("#opt-in-regions", Checkbox).value,
        }


def apply_governance(data: dict[str, Any], answers: dict[str, Any]) -> None:
    """Merge the panel's answers into a configuration mapping, writing only what differs from the defaults and
    keeping what the panel does not show."""
    gov = dict(data.get("governance") or {})
    if answers["root_access"]:
        gov.pop("root_access", None)
    else:
        gov["root_access"] = {"centralized": False}
    if answers["enable_opt_in_regions"]:
        gov.pop("enable_opt_in_regions", None)
    else:
        gov["enable_opt_in_regions"] = False
    contacts = dict(gov.get("alternate_contacts") or {})
    if answers["security_contact"] is None:
        contacts.pop("security", None)
    else:
        contacts["security"] = answers["security_contact"]
    if contacts:
        gov["alternate_contacts"] = contacts
    else:
        gov.pop("alternate_contacts", None)
    budgets = dict(gov.get("budgets") or {})
    if answers["budget"] is None:
        budgets.pop("default", None)
    else:
        budgets["default"] = {**(budgets.get("default") or {}), **answers["budget"]}
    if budgets:
        gov["budgets"] = budgets
    else:
        gov.pop("budgets", None)
    if gov:
        data["governance"] = gov
    else:
        data.pop("governance", None)
