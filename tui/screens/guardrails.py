"""Step 5: guardrails from the library (SCPs, RCPs, declarative policies for EC2, S3 policies): what each does,
its policy type, where it is attached, its rendered JSON, the quota use per target and policy type, and a quick
"would this be denied?" check backed by the simulator (SCPs for the caller's account; with a resource account,
"would this request to this resource be denied?" by the RCPs on the resource's path)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from landingzone.config import LandingZoneConfig
from landingzone.errors import ConfigError, ConfigProblem, LandingZoneError, QuotaError
from landingzone.policies.catalog import GuardrailCatalog, RenderContext, default_catalog, plan_attachments
from landingzone.policies.policy_types import policy_type
from landingzone.policies.resource_simulator import simulate_request
from landingzone.policies.simulator import PolicyTree, SimulationError
from tui.screens.base import StepList, StepScreen
from tui.services import Services
from tui.state import WizardState
from tui.widgets.quota_meter import QuotaMeter

DEFAULT_PRINCIPAL = "arn:aws:iam::111122223333:role/Developer"


@dataclass(frozen=True)
class GuardrailsAnswers:
    guardrails: list[dict[str, Any]]

    def apply(self, state: WizardState) -> None:
        state.data["guardrails"] = copy.deepcopy(self.guardrails)


def _short_label(type_name: str) -> str:
    return {"DECLARATIVE_POLICY_EC2": "EC2", "S3_POLICY": "S3"}.get(type_name, policy_type(type_name).label)


def _targets(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


class GuardrailsScreen(StepScreen[GuardrailsAnswers]):
    STEP = "guardrails"
    TITLE_TEXT = "Guardrails"
    HELP = "Guardrail library (SCP, RCP, declarative, S3): rendered JSON, quotas per type, would-this-be-denied check"
    OWNS = ("guardrails",)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_guardrail", "On/off", show=True),
    ]

    def __init__(self, state: WizardState, services: Services, *, steps: StepList = (),
                 catalog: GuardrailCatalog | None = None) -> None:
        super().__init__(state, services, steps=steps)
        self.catalog = catalog or default_catalog()
        self.assignments: list[dict[str, Any]] = copy.deepcopy(self.state.data.get("guardrails") or [])
        self.selected = self.catalog.ids()[0] if len(self.catalog) else ""
        self.param_problem: ConfigProblem | None = None
        self._loading = False

    # ---- layout ----------------------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="columns"):
            yield OptionList(*self._options(), id="guardrail-list")
            with Vertical(classes="panel", id="guardrail-detail") as panel:
                panel.border_title = "Guardrail"
                yield Static(id="guardrail-description")
                with Horizontal(classes="row"):
                    yield Label("Attached to")
                    yield Input(id="guardrail-targets", placeholder="Root, Workloads, production", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Parameters")
                    yield Input(id="guardrail-params", placeholder='{"allowed_regions": ["eu-west-1"]}',
                                compact=True)
                yield Static(id="guardrail-json", classes="json")
        with Horizontal(classes="columns"):
            with Vertical(classes="panel", id="quota-panel") as panel:
                panel.border_title = "Quotas per target and policy type"
                yield QuotaMeter(id="quota-meter")
            with Vertical(classes="panel", id="simulate-panel") as panel:
                panel.border_title = "Would this be denied?"
                with Horizontal(classes="row"):
                    yield Label("Action")
                    yield Input("organizations:LeaveOrganization", id="sim-action", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Account")
                    yield Input(id="sim-account", placeholder="production", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Principal")
                    yield Input(DEFAULT_PRINCIPAL, id="sim-principal", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Region")
                    yield Input(str(self.state.data.get("home_region") or "us-east-1"), id="sim-region",
                                compact=True)
                with Horizontal(classes="row"):
                    yield Label("Resource in")
                    yield Input(id="sim-resource-account", placeholder="account owning the resource (RCPs)",
                                compact=True)
                with Horizontal(classes="row"):
                    yield Label("Resource")
                    yield Input(id="sim-resource", placeholder="arn:aws:s3:::bucket/key (default *)", compact=True)
                yield Static(id="sim-verdict")

    def _options(self) -> list[Option]:
        on_ids = {a.get("id") for a in self.assignments}
        options = []
        for guard in self.catalog:
            mark = Text("● ", style="bold green") if guard.id in on_ids else Text("○ ", style="dim")
            kind = Text(f" {_short_label(guard.policy_type)}", style="dim")
            options.append(Option(Text.assemble(mark, guard.id, kind), id=guard.id))
        return options

    def on_mount(self) -> None:
        accounts = [a.get("name") for a in self.state.data.get("accounts") or []]
        workload = [a.get("name") for a in self.state.data.get("accounts") or []
                    if a.get("kind") in ("production", "development", "workload", "sandbox")]
        self.query_one("#sim-account", Input).value = str((workload or accounts or [""])[0])
        self._show_selected()
        super().on_mount()
        self.query_one("#guardrail-list", OptionList).focus()
        self._simulate()

    # ---- the assignment being edited -------------------------------------------------------------------------

    def _assignment(self, gid: str) -> dict[str, Any] | None:
        return next((a for a in self.assignments if a.get("id") == gid), None)

    def _show_selected(self) -> None:
        if not self.selected:
            return
        self._loading = True
        guard = self.catalog.get(self.selected)
        assignment = self._assignment(guard.id)
        text = Text()
        text.append(guard.title + "\n", style="bold")
        text.append(f"{guard.type_label} ({guard.policy_type})\n", style="cyan")
        text.append(guard.description)
        if guard.alternative is not None:
            relation = "Fallback" if guard.alternative.relation == "fallback" else "Preferred"
            text.append(f"\n{relation}: {guard.alternative.guardrail}. {guard.alternative.note}", style="dim")
        if guard.parameters:
            text.append("\nParameters: ", style="dim")
            text.append(", ".join(f"{p.name} ({p.type})" for p in guard.parameters), style="dim")
        text.append("\n" + ("Attached (space detaches)." if assignment else "Not attached (space attaches it to "
                                                                           "Root)."), style="italic")
        self.query_one("#guardrail-description", Static).update(text)
        targets = self.query_one("#guardrail-targets", Input)
        params = self.query_one("#guardrail-params", Input)
        targets.value = ", ".join(assignment.get("targets") or []) if assignment else ""
        params.value = json.dumps(assignment.get("parameters") or {}) if assignment and assignment.get(
            "parameters") else ""
        targets.disabled = params.disabled = assignment is None
        self._loading = False
        self._render_json()

    def _read_editor(self) -> None:
        """Targets and parameters typed for the selected guardrail -> its assignment."""
        self.param_problem = None
        assignment = self._assignment(self.selected)
        if assignment is None or self._loading or not self.is_mounted:
            return
        assignment["targets"] = _targets(self.query_one("#guardrail-targets", Input).value)
        raw = self.query_one("#guardrail-params", Input).value.strip()
        if not raw:
            assignment["parameters"] = {}
            return
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as exc:
            self.param_problem = ConfigProblem("guardrails.parameters", f"not JSON ({exc.msg} at column "
                                               f"{exc.colno})", raw)
            return
        if not isinstance(parsed, dict):
            self.param_problem = ConfigProblem("guardrails.parameters", "parameters are a JSON object such as "
                                               '{"allowed_regions": ["eu-west-1"]}', raw)
            return
        assignment["parameters"] = parsed

    def _config(self) -> LandingZoneConfig | None:
        try:
            return self.state.config()
        except ConfigError:
            return None

    def _render_json(self) -> None:
        target = self.query_one("#guardrail-json", Static)
        assignment = self._assignment(self.selected)
        cfg = self._config()
        context = RenderContext.from_config(cfg) if cfg is not None else RenderContext()
        try:
            content = self.catalog.render(self.selected, (assignment or {}).get("parameters") or {}, context)
        except LandingZoneError as exc:
            target.update(Text(str(exc), style="red"))
            return
        pretty = json.dumps(json.loads(content), indent=2)
        target.update(Syntax(pretty, "json", theme="ansi_dark", background_color="default", word_wrap=True))
        panel = self.query_one("#guardrail-detail")
        panel.border_subtitle = f"{len(content):,} characters minified"

    # ---- validation, quotas ----------------------------------------------------------------------------------

    def collect(self) -> GuardrailsAnswers:
        self._read_editor()
        return GuardrailsAnswers(copy.deepcopy(self.assignments))

    def extra_problems(self) -> list[ConfigProblem]:
        problems = [self.param_problem] if self.param_problem else []
        cfg = self._config()
        if cfg is None:
            return problems
        problems += list(self.catalog.config_problems(cfg))
        if problems:
            return problems
        attachment = plan_attachments(cfg, self.catalog)
        self.query_one(QuotaMeter).show([
            u for type_name, uses in attachment.usage_by_type(cfg.quotas).items() for u in uses
            if u.kind == "root" and (type_name == "SERVICE_CONTROL_POLICY" or u.attached)
            or u.target in attachment.per_target and attachment.keys_of_type(u.target, type_name)])
        try:
            attachment.check_quotas(cfg.quotas)
        except QuotaError as exc:
            problems.append(ConfigProblem("guardrails", str(exc), exc.count))
        return problems

    def revalidate(self) -> list[ConfigProblem]:
        problems = super().revalidate()
        if self.is_mounted:
            self._render_json()
        return problems

    def field_widgets(self) -> dict[str, Widget]:
        index = next((i for i, a in enumerate(self.assignments) if a.get("id") == self.selected), None)
        if index is None:
            return {}
        return {f"guardrails[{index}].targets": self.query_one("#guardrail-targets"),
                f"guardrails[{index}].parameters": self.query_one("#guardrail-params")}

    # ---- events ----------------------------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#guardrail-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None or event.option.id == self.selected:
            return
        self._read_editor()
        self.selected = event.option.id
        self._show_selected()

    def action_toggle_guardrail(self) -> None:
        if not self.selected:
            return
        self._read_editor()
        assignment = self._assignment(self.selected)
        if assignment is None:
            self.assignments.append({"id": self.selected, "parameters": {}, "targets": ["Root"]})
        else:
            self.assignments = [a for a in self.assignments if a.get("id") != self.selected]
        option_list = self.query_one("#guardrail-list", OptionList)
        highlighted = option_list.highlighted
        option_list.clear_options()
        option_list.add_options(self._options())
        option_list.highlighted = highlighted
        self._show_selected()
        self.revalidate()
        self._simulate()

    @on(Input.Submitted, "#sim-action, #sim-account, #sim-principal, #sim-region, #sim-resource-account, "
                         "#sim-resource")
    @on(Input.Changed, "#sim-action, #sim-account, #sim-principal, #sim-region, #sim-resource-account, "
                       "#sim-resource")
    def _simulate(self) -> None:
        verdict_view = self.query_one("#sim-verdict", Static)
        cfg = self._config()
        if cfg is None:
            verdict_view.update(Text("Fix the problems below to simulate.", style="dim"))
            return
        action = self.query_one("#sim-action", Input).value.strip()
        account = self.query_one("#sim-account", Input).value.strip()
        principal = self.query_one("#sim-principal", Input).value.strip()
        region = self.query_one("#sim-region", Input).value.strip() or None
        resource_account = self.query_one("#sim-resource-account", Input).value.strip() or None
        resource = self.query_one("#sim-resource", Input).value.strip() or "*"
        if not action or not principal or not (account or resource_account):
            verdict_view.update(Text("Type an action, a principal ARN and its account (a principal outside the "
                                     "organization: leave the account empty and name the resource's).",
                                     style="dim"))
            return
        try:
            tree = PolicyTree.from_config(cfg, plan_attachments(cfg, self.catalog))
            verdict = simulate_request(action, principal, tree=tree, account=account or None,
                                       resource_account=resource_account, region=region, resource=resource)
        except (SimulationError, LandingZoneError) as exc:
            verdict_view.update(Text(str(exc), style="yellow"))
            return
        style = "bold green" if verdict.allowed else "bold red"
        kind = f" [{policy_type(verdict.policy_type).label}]" if verdict.policy_type else ""
        verdict_view.update(Text.assemble((verdict.decision.upper(), style), kind, f": {verdict.reason}"))
