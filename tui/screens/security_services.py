"""Step: the security services turned on across the organization, GuardDuty's protection plans, and where findings
are sent (stage security_services)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, SelectionList, Static

from landingzone.config import COST_NOTE, SERVICE_FIELDS, FindingSeverity, GuardDutyProtectionPlan
from tui.screens.base import StepScreen
from tui.state import WizardState

LABELS: dict[str, str] = {
    "guardduty": "GuardDuty: threat detection in every account and region",
    "securityhub": "Security Hub CSPM: FSBP and CIS v5.0 checks, every finding in one place",
    "config": "AWS Config: recording in every account and region, one aggregator",
    "access_analyzer": "IAM Access Analyzer: what is shared outside the organization",
    "inspector": "Inspector: vulnerability scans (priced per instance, image and function)",
    "macie": "Macie: sensitive data in S3 (priced per bucket and GB inspected)",
    "detective": "Detective: investigation graphs (priced per GB ingested)",
}
DEFAULT_PLANS = [p.value for p in (
    GuardDutyProtectionPlan.S3_DATA_EVENTS, GuardDutyProtectionPlan.EKS_AUDIT_LOGS,
    GuardDutyProtectionPlan.EBS_MALWARE_PROTECTION, GuardDutyProtectionPlan.RDS_LOGIN_EVENTS,
    GuardDutyProtectionPlan.LAMBDA_NETWORK_LOGS)]
DEFAULT_ON = ("guardduty", "securityhub", "config", "access_analyzer")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", " ").split() if part.strip()]


@dataclass(frozen=True)
class SecurityServicesAnswers:
    enabled: dict[str, bool]
    """security_services field name -> on."""
    protection_plans: list[str]
    email: list[str] = field(default_factory=list)
    https: list[str] = field(default_factory=list)
    minimum_severity: str = FindingSeverity.HIGH.value

    def apply(self, state: WizardState) -> None:
        section = state.data.setdefault("security_services", {})
        for name, on in self.enabled.items():
            section.setdefault(name, {})["enabled"] = on
        section.setdefault("guardduty", {})["protection_plans"] = list(self.protection_plans)
        section["notifications"] = {**(section.get("notifications") or {}), "email": list(self.email),
                                    "https": list(self.https), "minimum_severity": self.minimum_severity}
        # A service turned on here is delegated to the Security account (the stage enables it from there).
        organization = state.data.setdefault("organization", {})
        delegated = list(organization.get("security_services") or [])
        for name, on in self.enabled.items():
            if on and SERVICE_FIELDS[name] not in delegated:
                delegated.append(SERVICE_FIELDS[name])
        if delegated:
            organization["security_services"] = delegated


class SecurityServicesScreen(StepScreen[SecurityServicesAnswers]):
    STEP = "security_services"
    TITLE_TEXT = "Security services"
    BAR_TITLE = "Services"
    HELP = "GuardDuty, Security Hub, Config, Access Analyzer (Inspector, Macie, Detective when chosen), findings"
    OWNS = ("security_services",)

    def _section(self) -> dict[str, object]:
        return dict(self.state.data.get("security_services") or {})

    def _on(self, name: str) -> bool:
        settings = self._section().get(name)
        if isinstance(settings, dict) and "enabled" in settings:
            return bool(settings["enabled"])
        if name not in DEFAULT_ON:
            return False
        delegated = (self.state.data.get("organization") or {}).get("security_services")
        return delegated is None or SERVICE_FIELDS[name] in delegated

    def compose_body(self) -> ComposeResult:
        section = self._section()
        with Vertical(classes="panel") as panel:
            panel.border_title = "Turned on for every account, in every governed region"
            for name in SERVICE_FIELDS:
                yield Checkbox(LABELS[name], self._on(name), id=f"svc-{name.replace('_', '-')}", compact=True)
            yield Static(COST_NOTE, classes="hint note", id="cost-note")
            yield Static("Each runs from the Security account as delegated administrator, with auto-enable for "
                         "accounts that join later.", classes="hint")
        with Vertical(classes="panel") as panel:
            panel.border_title = "GuardDuty protection plans"
            guardduty = section.get("guardduty")
            chosen = set((guardduty or {}).get("protection_plans", DEFAULT_PLANS) if isinstance(guardduty, dict)
                         else DEFAULT_PLANS)
            yield SelectionList[str](*[(p.value, p.value, p.value in chosen) for p in GuardDutyProtectionPlan],
                                     id="plans", compact=True)
            yield Static("RUNTIME_MONITORING installs GuardDuty's agent on EKS, ECS Fargate and EC2 and is priced "
                         "per vCPU: off unless chosen.", classes="hint")
        with Vertical(classes="panel") as panel:
            panel.border_title = "Findings to people"
            notify = section.get("notifications")
            notify = notify if isinstance(notify, dict) else {}
            with Horizontal(classes="row"):
                yield Label("E-mail")
                yield Input(" ".join(notify.get("email") or []), id="notify-email",
                            placeholder="security-alerts@example.com (space or comma separated)", compact=True)
            with Horizontal(classes="row"):
                yield Label("HTTPS")
                yield Input(" ".join(notify.get("https") or []), id="notify-https",
                            placeholder="https://hooks.example.com/... (optional)", compact=True)
            severity = str(notify.get("minimum_severity") or FindingSeverity.HIGH.value)
            with RadioSet(id="severity", compact=True):
                for level in FindingSeverity:
                    yield RadioButton(f"{level.value} and above", value=severity == level.value, name=level.value)
            yield Static("Security Hub and GuardDuty findings at or above this severity go to an encrypted SNS "
                         "topic in the Security account; each address confirms the subscription AWS sends.",
                         classes="hint")

    def collect(self) -> SecurityServicesAnswers:
        pressed = self.query_one("#severity", RadioSet).pressed_button
        return SecurityServicesAnswers(
            enabled={name: self.query_one(f"#svc-{name.replace('_', '-')}", Checkbox).value
                     for name in SERVICE_FIELDS},
            protection_plans=[p.value for p in GuardDutyProtectionPlan
                              if p.value in self.query_one("#plans", SelectionList).selected],
            email=_split(self.query_one("#notify-email", Input).value),
            https=_split(self.query_one("#notify-https", Input).value),
            minimum_severity=pressed.name if pressed is not None and pressed.name else FindingSeverity.HIGH.value,
        )

    def field_widgets(self) -> dict[str, Widget]:
        widgets: dict[str, Widget] = {f"security_services.{name}.enabled":
                                      self.query_one(f"#svc-{name.replace('_', '-')}") for name in SERVICE_FIELDS}
        widgets["security_services.guardduty.protection_plans"] = self.query_one("#plans")
        widgets["security_services.notifications.email"] = self.query_one("#notify-email")
        widgets["security_services.notifications.https"] = self.query_one("#notify-https")
        return widgets
