"""Step 1: welcome, preflight (`landingzone doctor`), what the credentials can see, new or adopted
organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from landingzone.discovery import OrganizationSummary
from landingzone.errors import ConfigProblem
from landingzone.presets import PRESETS, PresetName
from tui.messages import DiscoveryFinished, DoctorFinished
from tui.screens.base import StepScreen
from tui.state import WizardState


def summary_lines(summary: OrganizationSummary) -> list[str]:
    """What the credentials see, in the words of the welcome screen; refused reads are said, never hidden."""
    out = [f"Signed in as {summary.caller_arn} (account {summary.caller_account_id})."]
    org = summary.organization
    if org is None and summary.organization_visible:
        out.append("This account is in no organization: the wizard will create one, with this account as its "
                   "management account.")
    elif org is not None:
        role = ("is the management account" if summary.is_management_account else
                f"is a member account (management account: {org.management_account_id})")
        out.append(f"Organization {org.id} (feature set {org.feature_set}) exists; this account {role}.")
        if summary.account_count is not None:
            out.append(f"It has {summary.account_count} account(s); root {summary.root_id or 'not visible'}.")
    for refused in summary.not_visible:
        if refused.operation == "describe_organization":
            out.append(f"The organization is not visible ({refused.error_code}).")
        else:
            out.append(f"{refused.service}:{refused.operation} is not visible from this account "
                       f"({refused.error_code}); run the wizard with management-account credentials to adopt "
                       "this organization.")
    return out


INTRO = (
    "This wizard builds a secure multi-account AWS landing zone: an organization with a new, empty "
    "management account, a Security account as delegated administrator, an organization-wide trail, OUs "
    "with guardrails (SCPs) and role-based security groups. Nothing is changed in AWS until you preview and "
    "confirm an apply."
)

NEW_ORG = "New organization (recommended)"
NEW_ORG_HELP = ("Run the wizard with credentials of a brand-new AWS account: it becomes the management account and "
                "holds nothing else.")
ADOPT_ORG = "Adopt an existing organization"
ADOPT_ORG_HELP = ("Its management account stays as it is; `landingzone audit` then checks it holds no workloads. "
                  "Needs the organization id and its root id.")

PRESET_HELP: dict[str, str] = {
    "small": "production, development and Security accounts; guardrails on the root",
    "medium": "adds log-archive and shared-services accounts and the Security, Infrastructure, Workloads/Prod, "
              "Workloads/NonProd and Sandbox OUs",
    "large": "adds governance OUs (Policy-Staging, Suspended, Exceptions, Deployments) and a sandbox account",
}


@dataclass(frozen=True)
class WelcomeAnswers:
    """Where to start from and whether to adopt an existing organization."""

    preset: PresetName | None
    """Preset to start from (None when editing an existing file)."""
    adopt: bool
    existing_id: str
    existing_root_id: str

    def apply(self, state: WizardState) -> None:
        if self.preset is not None and self.preset != state.preset_name:
            state.start_from_preset(self.preset)
        org = state.data.setdefault("organization", {})
        org["existing_id"] = (self.existing_id.strip() or None) if self.adopt else None
        org["existing_root_id"] = (self.existing_root_id.strip() or None) if self.adopt else None
        state.adopt = self.adopt


class WelcomeScreen(StepScreen[WelcomeAnswers]):
    STEP = "welcome"
    TITLE_TEXT = "Welcome and preflight"
    BAR_TITLE = "Welcome"
    HELP = "Preflight checks, what your credentials can see, new or adopted organization"
    OWNS = ("organization.existing_id", "organization.existing_root_id")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "recheck", "Re-check"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static(INTRO, classes="intro")
        with Horizontal(classes="columns"):
            with Vertical(classes="panel", id="preflight-panel") as panel:
                panel.border_title = "Preflight"
                yield Static("Checking the pulumi CLI, credentials, state backend and passphrase…",
                             id="doctor")
                yield Static("", id="discovery")
            with Vertical(classes="panel", id="start-panel") as panel:
                panel.border_title = "Start from"
                if self.state.preset_name is not None:
                    with RadioSet(id="preset", compact=True):
                        for name in PRESETS:
                            yield RadioButton(name, value=name == self.state.preset_name, name=name)
                    yield Static("\n".join(f"{name}: {PRESET_HELP[name]}" for name in PRESETS), classes="hint")
                else:
                    yield Static(f"Editing {self.state.config_path}: your answers start from that file.",
                                 id="editing")
        with Vertical(classes="panel", id="org-panel") as panel:
            panel.border_title = "Organization"
            adopt = self.state.adopt
            with RadioSet(id="org-choice", compact=True):
                yield RadioButton(NEW_ORG, value=not adopt, name="new")
                yield RadioButton(ADOPT_ORG, value=adopt, name="adopt")
            yield Static(f"{NEW_ORG}: {NEW_ORG_HELP}\n{ADOPT_ORG}: {ADOPT_ORG_HELP}", classes="hint")
            org = self.state.data.get("organization") or {}
            with Horizontal(id="adopt-ids", classes="row"):
                yield Label("Organization id")
                yield Input(org.get("existing_id") or "", placeholder="o-xxxxxxxxxx", id="existing-id",
                            compact=True)
                yield Label("Root id")
                yield Input(org.get("existing_root_id") or "", placeholder="r-xxxx", id="existing-root-id",
                            compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_adopt_fields()
        self.run_preflight()

    def collect(self) -> WelcomeAnswers:
        preset: PresetName | None = None
        if self.state.preset_name is not None:
            pressed = self.query_one("#preset", RadioSet).pressed_button
            preset = cast(PresetName, pressed.name) if pressed is not None else self.state.preset_name
        choice = self.query_one("#org-choice", RadioSet).pressed_button
        return WelcomeAnswers(
            preset=preset,
            adopt=choice is not None and choice.name == "adopt",
            existing_id=self.query_one("#existing-id", Input).value,
            existing_root_id=self.query_one("#existing-root-id", Input).value,
        )

    def extra_problems(self) -> list[ConfigProblem]:
        answers = self.collect()
        if answers.adopt and not answers.existing_id.strip():
            return [ConfigProblem("organization.existing_id", "adopting an existing organization needs its id "
                                  "(o-...; `aws organizations describe-organization`)", None)]
        return []

    def field_widgets(self) -> dict[str, Widget]:
        return {"organization.existing_id": self.query_one("#existing-id"),
                "organization.existing_root_id": self.query_one("#existing-root-id")}

    @on(RadioSet.Changed, "#org-choice")
    def _show_adopt_fields(self) -> None:
        choice = self.query_one("#org-choice", RadioSet).pressed_button
        self.query_one("#adopt-ids").display = choice is not None and choice.name == "adopt"

    # ---- preflight in a worker -----------------------------------------------------------------------------

    def action_recheck(self) -> None:
        self.query_one("#doctor", Static).update("Checking again…")
        self.run_preflight()

    @work(thread=True, exclusive=True, exit_on_error=False, group="preflight", name="doctor")
    def run_preflight(self) -> None:
        """The doctor's checks; discovery follows when they find credentials (a failure of either is shown on
        this screen, and the wizard keeps going: discovery is advice, not a gate)."""
        self.post_message(DoctorFinished(self.services.doctor(self.state)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="discovery", name="discovery")
    def run_discovery(self) -> None:
        self.post_message(DiscoveryFinished(self.services.discover(self.state)))

    @on(DoctorFinished)
    def _doctor_finished(self, message: DoctorFinished) -> None:
        text = Text()
        for i, check in enumerate(message.report.checks):
            if i:
                text.append("\n")
            text.append("✓ " if check.ok else "✗ ", style="green" if check.ok else "red")
            text.append(check.summary)
            if not check.ok and check.fix:
                text.append(f"\n   fix: {check.fix}", style="dim")
        if message.report.ok:
            text.append("\nReady to preview and apply.", style="bold green")
        else:
            text.append("\nYou can design and save now; preview and apply need the fixes above.",
                        style="yellow")
        self.query_one("#doctor", Static).update(text)
        if any(c.key == "credentials" and c.ok for c in message.report.checks):
            self.run_discovery()
        else:
            self.query_one("#discovery", Static).update(
                "Without credentials there is nothing to discover; the wizard assumes a new organization.")

    @on(DiscoveryFinished)
    def _discovery_finished(self, message: DiscoveryFinished) -> None:
        summary: OrganizationSummary = message.summary
        self.discovered = summary
        self.query_one("#discovery", Static).update("\n".join(summary_lines(summary)))
        org = self.query_one("#existing-id", Input)
        root = self.query_one("#existing-root-id", Input)
        if summary.organization_id and not org.value:
            org.value = summary.organization_id
        if summary.root_id and not root.value:
            root.value = summary.root_id

    def work_failed(self, task: str, error: BaseException) -> None:
        target = "#doctor" if task == "doctor" else "#discovery"
        self.query_one(target, Static).update(Text(f"{task} failed: {type(error).__name__}: {error}", style="red"))
