"""Step 6: the organization trail, its bucket retention and KMS key, and the query layer."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Static

from landingzone.config import LAKE_RETENTION_RANGE
from landingzone.errors import ConfigProblem
from tui.screens.base import StepScreen
from tui.state import WizardState

LAKE_NOTE = ("CloudTrail Lake takes no new customers since 2026-05-31: choose it only if your organization "
             "already has Lake event data stores. Everyone else gets Athena over the trail bucket.")
ATHENA_HELP = ("Athena (default): a Glue table with partition projection over the trail bucket, an Athena "
               "workgroup and saved security queries: SQL over every event, beyond the 90-day event history.")
NONE_HELP = "None: only the 90-day event history and the raw files; the audit will flag it."


def _int_or_text(text: str) -> int | str:
    """Numbers as ints; anything else as typed, so the config model reports it in its own words."""
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else stripped


@dataclass(frozen=True)
class LoggingAnswers:
    trail_name: str
    bucket_retention_days: int | str
    kms: bool
    query_layer: str
    lake_retention_days: int | str
    lake_in_use: bool

    def apply(self, state: WizardState) -> None:
        state.lake_in_use = self.lake_in_use
        state.data["logging"] = {
            "trail_name": self.trail_name.strip(),
            "bucket_retention_days": self.bucket_retention_days,
            "kms": self.kms,
            "query_layer": self.query_layer,
            "lake_retention_days": self.lake_retention_days,
        }


class LoggingScreen(StepScreen[LoggingAnswers]):
    STEP = "logging"
    TITLE_TEXT = "Logging"
    HELP = "Organization trail, bucket retention, KMS, Athena (default) or CloudTrail Lake"
    OWNS = ("logging",)

    def compose_body(self) -> ComposeResult:
        log = self.state.data.get("logging") or {}
        with Vertical(classes="panel") as panel:
            panel.border_title = "Organization trail"
            yield Static("One trail for every account and region, created from the Security account (its "
                         "delegated administrator) into a central bucket in the log-archive account.",
                         classes="hint")
            with Horizontal(classes="row"):
                yield Label("Trail name")
                yield Input(str(log.get("trail_name", "")), id="trail-name", compact=True)
            with Horizontal(classes="row"):
                yield Label("Retention (days)")
                yield Input(str(log.get("bucket_retention_days", "")), id="bucket-retention", compact=True)
            yield Checkbox("Encrypt log files with a customer-managed KMS key (CIS 3.5)",
                           bool(log.get("kms")), id="kms", compact=True)
        with Vertical(classes="panel") as panel:
            panel.border_title = "Query layer"
            layer = str(log.get("query_layer", "athena"))
            yield Checkbox("My organization already uses CloudTrail Lake", self.state.lake_in_use,
                           id="lake-in-use", compact=True)
            with RadioSet(id="query-layer", compact=True):
                yield RadioButton("Athena over the trail bucket", value=layer == "athena", name="athena")
                yield RadioButton("CloudTrail Lake event data store", value=layer == "lake", name="lake",
                                  disabled=not self.state.lake_in_use)
                yield RadioButton("None", value=layer == "none", name="none")
            yield Static(ATHENA_HELP, classes="hint")
            yield Static(LAKE_NOTE, classes="hint note", id="lake-note")
            yield Static(NONE_HELP, classes="hint")
            with Horizontal(classes="row", id="lake-retention-row"):
                low, high = LAKE_RETENTION_RANGE
                yield Label(f"Lake retention ({low}-{high} days)")
                yield Input(str(log.get("lake_retention_days", "")), id="lake-retention", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._lake_choice()

    def collect(self) -> LoggingAnswers:
        pressed = self.query_one("#query-layer", RadioSet).pressed_button
        return LoggingAnswers(
            trail_name=self.query_one("#trail-name", Input).value,
            bucket_retention_days=_int_or_text(self.query_one("#bucket-retention", Input).value),
            kms=self.query_one("#kms", Checkbox).value,
            query_layer=pressed.name if pressed is not None and pressed.name else "athena",
            lake_retention_days=_int_or_text(self.query_one("#lake-retention", Input).value),
            lake_in_use=self.query_one("#lake-in-use", Checkbox).value,
        )

    def extra_problems(self) -> list[ConfigProblem]:
        answers = self.collect()
        assert isinstance(answers, LoggingAnswers)
        if answers.query_layer == "lake" and not answers.lake_in_use:
            return [ConfigProblem("logging.query_layer", "CloudTrail Lake is closed to new customers since "
                                  "2026-05-31; choose athena unless your organization already uses Lake",
                                  "lake")]
        return []

    def field_widgets(self) -> dict[str, Widget]:
        return {"logging.trail_name": self.query_one("#trail-name"),
                "logging.bucket_retention_days": self.query_one("#bucket-retention"),
                "logging.lake_retention_days": self.query_one("#lake-retention")}

    @on(Checkbox.Changed, "#lake-in-use")
    @on(RadioSet.Changed, "#query-layer")
    def _lake_choice(self) -> None:
        in_use = self.query_one("#lake-in-use", Checkbox).value
        lake_button = next(b for b in self.query(RadioButton) if b.name == "lake")
        lake_button.disabled = not in_use
        if not in_use and lake_button.value:
            next(b for b in self.query(RadioButton) if b.name == "athena").value = True
        pressed = self.query_one("#query-layer", RadioSet).pressed_button
        self.query_one("#lake-retention-row").display = pressed is not None and pressed.name == "lake"
