"""Step 8: review the whole landing zone before anything touches AWS: the account -> OU tree, the guardrails,
every remaining problem, and save."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from landingzone.config import LandingZoneConfig
from landingzone.errors import ConfigError, LandingZoneError
from landingzone.policies.catalog import plan_attachments
from tui.messages import PlanReady
from tui.screens.access import reach_table
from tui.screens.base import StepScreen, error_text
from tui.services import run_plan
from tui.state import WizardState
from tui.widgets.ou_tree import OuTree
from tui.widgets.quota_meter import usage_table

if TYPE_CHECKING:
    from landingzone.plan import StagePlan


@dataclass(frozen=True)
class ReviewAnswers:
    """The review edits nothing; it only confirms."""

    def apply(self, state: WizardState) -> None:
        return None


def summary_table(cfg: LandingZoneConfig) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    regions = ", ".join(cfg.governed_regions)
    table.add_row("Landing zone", f"{cfg.name} (home {cfg.home_region}; governed {regions})")
    org = (f"adopt {cfg.organization.existing_id}" if cfg.organization.existing_id else
           "new organization, all features")
    table.add_row("Organization", org)
    table.add_row("Management", cfg.management_account.email)
    table.add_row("Accounts", ", ".join(f"{a.name} ({a.kind})" for a in cfg.accounts))
    table.add_row("OUs", ", ".join(cfg.ou_paths()) or "none (accounts under Root)")
    table.add_row("Delegated", ", ".join(s.value for s in cfg.organization.security_services)
                  + f" → {cfg.security_account.name}")
    trail = (f"{cfg.logging.trail_name} → bucket in {cfg.log_account.name}, "
             f"{cfg.logging.bucket_retention_days} days, {'KMS' if cfg.logging.kms else 'SSE-S3'}, "
             f"query: {cfg.logging.query_layer}")
    table.add_row("Trail", trail)
    table.add_row("Network", ", ".join(f"{n.account}: {len(n.roles)} roles, {len(n.rules)} rules" for n in
                                       cfg.network) or "none")
    return table


def short_type(resource_type: str) -> str:
    """aws:organizations/account:Account -> organizations.Account."""
    if resource_type.startswith("pulumi:providers:"):
        return "provider"
    module = resource_type.split(":")[1].split("/")[0] if resource_type.count(":") >= 2 else resource_type
    return f"{module}.{resource_type.rsplit(':', 1)[-1]}"


def plan_table(plans: list[StagePlan]) -> Table:
    """Resources per stage (per stack for account-scoped stages), the most frequent types first."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("Stage", style="bold", no_wrap=True)
    table.add_column("Resources", justify="right")
    table.add_column("Most of them")
    total = 0
    for stage_plan in plans:
        label = stage_plan.stage if stage_plan.account is None else f"{stage_plan.stage}[{stage_plan.account}]"
        types = Counter(short_type(r.type) for r in stage_plan.resources if not r.type.startswith("pulumi:"))
        total += len(stage_plan.resources)
        # Ties sorted by name: resources register concurrently, so their order is not stable.
        top = ", ".join(f"{n} {t}" for t, n in sorted(types.items(), key=lambda item: (-item[1], item[0]))[:3])
        table.add_row(Text(label), str(len(stage_plan.resources)), Text(top))
    table.add_row(Text("total", style="bold"), Text(str(total), style="bold"), "")
    return table


def guardrail_table(cfg: LandingZoneConfig) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("Guardrail", style="bold")
    table.add_column("Targets")
    for guard in cfg.guardrails:
        table.add_row(Text(guard.id), Text(", ".join(guard.targets)))
    return table


class ReviewScreen(StepScreen[ReviewAnswers]):
    STEP = "review"
    TITLE_TEXT = "Review"
    HELP = "Everything at a glance: accounts in OUs, guardrails, the offline plan; save"
    OWNS = ("",)

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="columns"):
            with Vertical(classes="panel", id="review-tree-panel") as panel:
                panel.border_title = "Accounts in OUs"
                yield OuTree(id="review-tree")
            with Vertical(classes="panel", id="review-summary-panel") as panel:
                panel.border_title = "Summary"
                yield Static(id="review-summary")
        with Horizontal(classes="columns"):
            with Vertical(classes="panel", id="review-guardrails-panel") as panel:
                panel.border_title = "Guardrails"
                yield Static(id="review-guardrails")
            with Vertical(classes="panel", id="review-quota-panel") as panel:
                panel.border_title = "Quotas per target and policy type"
                yield Static(id="review-quotas")
        if self.state.data.get("identity_center") is not None:
            with Vertical(classes="panel", id="review-access-panel") as panel:
                panel.border_title = "Who can reach which account (IAM Identity Center)"
                yield Static(id="review-access")
        with Vertical(classes="panel", id="review-plan-panel") as panel:
            panel.border_title = "Offline plan (pulumi mocks, no AWS calls)"
            yield Static("Planning…", id="review-plan")
        yield Static("Save writes the file (ctrl+s); Next previews it against AWS. Nothing is applied "
                     "without your confirmation.", classes="hint")

    def on_mount(self) -> None:
        data = self.state.data
        self.query_one("#review-tree", OuTree).rebuild(data.get("organizational_units") or [],
                                                       data.get("accounts") or [])
        super().on_mount()
        try:
            cfg = self.state.config()
        except ConfigError as exc:
            self.query_one("#review-summary", Static).update(
                Text(f"{exc.count} problem(s) to fix before saving; see below.", style="red"))
            return
        self.query_one("#review-summary", Static).update(summary_table(cfg))
        self.query_one("#review-guardrails", Static).update(guardrail_table(cfg))
        if cfg.identity_center is not None:
            self.query_one("#review-access", Static).update(reach_table(cfg))
        try:
            attachment = plan_attachments(cfg)
        except LandingZoneError as exc:
            self.query_one("#review-quotas", Static).update(Text(str(exc), style="red"))
        else:
            self.query_one("#review-quotas", Static).update(usage_table(
                [u for type_name, uses in attachment.usage_by_type(cfg.quotas).items() for u in uses
                 if u.target in attachment.per_target and attachment.keys_of_type(u.target, type_name)]))
        self.run_plan(cfg)

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan", name="plan")
    def run_plan(self, cfg: LandingZoneConfig) -> None:
        self.post_message(PlanReady(run_plan(self.services, cfg)))

    @on(PlanReady)
    def _plan_ready(self, message: PlanReady) -> None:
        self.state.plan = message.plans
        self.query_one("#review-plan", Static).update(plan_table(message.plans))

    def work_failed(self, task: str, error: BaseException) -> None:
        """The plan failed: shown on the screen; the wizard keeps going."""
        self.query_one("#review-plan", Static).update(Text(f"The plan failed: {error_text(error)}", style="red"))

    def collect(self) -> ReviewAnswers:
        return ReviewAnswers()
