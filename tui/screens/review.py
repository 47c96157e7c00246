"""Step 8: review the whole landing zone before anything touches AWS: the account -> OU tree, the guardrails,
every remaining problem, and save."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from landingzone.config import LandingZoneConfig
from landingzone.errors import ConfigError
from tui.screens.base import StepAnswers, StepScreen
from tui.state import WizardState
from tui.widgets.ou_tree import OuTree


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


def guardrail_table(cfg: LandingZoneConfig) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("Guardrail", style="bold")
    table.add_column("Targets")
    for guard in cfg.guardrails:
        table.add_row(guard.id, ", ".join(guard.targets))
    return table


class ReviewScreen(StepScreen):
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
        with Vertical(classes="panel", id="review-guardrails-panel") as panel:
            panel.border_title = "Guardrails"
            yield Static(id="review-guardrails")
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
                Text(f"{len(exc.problems)} problem(s) to fix before saving; see below.", style="red"))
            return
        self.query_one("#review-summary", Static).update(summary_table(cfg))
        self.query_one("#review-guardrails", Static).update(guardrail_table(cfg))

    def collect(self) -> StepAnswers:
        return ReviewAnswers()
