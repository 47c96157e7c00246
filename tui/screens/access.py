"""Step 8: how people sign in: IAM Identity Center groups, permission sets, and who gets what where.

Groups and assignments are typed as short lines (like the network step) and drawn as a matrix by OU: one row per
target (the management account, Root, each OU, accounts named directly), one column per group, the permission
sets in the cells. The review step shows the result per account.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static, TextArea

from landingzone.config import (
    MANAGEMENT_TARGET,
    ROOT_OU,
    LandingZoneConfig,
    OrganizationalUnit,
    PermissionSetPreset,
    grants,
    iter_ous,
)
from landingzone.errors import ConfigProblem
from landingzone.presets import identity_center_data
from tui.screens.base import StepScreen
from tui.state import WizardState

GROUP_RE = re.compile(r"^\s*(?P<name>[^:]+?)\s*(?P<external>\(external\))?\s*(?::\s*(?P<description>.*))?$")
ASSIGNMENT_RE = re.compile(r"^\s*(?P<group>[^:]+?)\s*->\s*(?P<permission_set>[^\s:]+)\s*:\s*(?P<targets>.+)$")
HELP = ("Groups: one per line, 'name: what it is for'; add '(external)' after the name of a group your identity "
        "provider provisions (SCIM), looked up by name. Assignments: 'group -> permission set: targets', targets "
        "are Root, OU paths, account names or management (break-glass only), separated by commas.")


def groups_text(ic: dict[str, Any]) -> str:
    lines = []
    for g in ic.get("groups") or []:
        external = " (external)" if g.get("external") else ""
        about = f": {g['description']}" if g.get("description") else ""
        lines.append(f"{g['name']}{external}{about}")
    return "\n".join(lines)


def assignments_text(ic: dict[str, Any]) -> str:
    return "\n".join(f"{a['group']} -> {a['permission_set']}: {', '.join(a['targets'])}"
                     for a in ic.get("assignments") or [])


def parse_groups(text: str) -> tuple[list[dict[str, Any]], list[ConfigProblem]]:
    items: list[dict[str, Any]] = []
    problems: list[ConfigProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = GROUP_RE.match(line)
        if match is None:
            problems.append(ConfigProblem("identity_center.groups", f"line {number}: {line.strip()!r} does not "
                                          "read as 'name[ (external)]: description'", line.strip()))
            continue
        item: dict[str, Any] = {"name": match["name"], "description": match["description"] or "",
                                "external": bool(match["external"])}
        items.append(item)
    return items, problems


def parse_assignments(text: str) -> tuple[list[dict[str, Any]], list[ConfigProblem]]:
    items: list[dict[str, Any]] = []
    problems: list[ConfigProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = ASSIGNMENT_RE.match(line)
        targets = [t.strip() for t in match["targets"].split(",") if t.strip()] if match else []
        if match is None or not targets:
            problems.append(ConfigProblem("identity_center.assignments", f"line {number}: {line.strip()!r} does "
                                          "not read as 'group -> permission set: target, target'", line.strip()))
            continue
        items.append({"group": match["group"], "permission_set": match["permission_set"], "targets": targets})
    return items, problems


def matrix(data: dict[str, Any]) -> Table:
    """Targets (rows) x groups (columns) -> permission sets, as typed (the review shows the accounts reached)."""
    ic = data.get("identity_center") or {}
    groups = [g["name"] for g in ic.get("groups") or []]
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("Target", style="bold", no_wrap=True)
    for group in groups:
        table.add_column(Text(group))
    cells: dict[tuple[str, str], list[str]] = {}
    extra_targets: list[str] = []
    for a in ic.get("assignments") or []:
        for target in a.get("targets") or []:
            cells.setdefault((target, a["group"]), []).append(a["permission_set"])
            extra_targets.append(target)
    ous = [path for path, _ in iter_ous(_ous(data))]
    rows = list(dict.fromkeys([MANAGEMENT_TARGET, ROOT_OU, *ous, *extra_targets]))
    for row in rows:
        label = "management (break-glass only)" if row == MANAGEMENT_TARGET else row
        table.add_row(Text(label), *[Text(", ".join(cells.get((row, g), [])) or "·") for g in groups])
    return table


def _ous(data: dict[str, Any]) -> list[OrganizationalUnit]:
    try:
        return [OrganizationalUnit.model_validate(ou) for ou in data.get("organizational_units") or []]
    except ValueError:
        return []


def reach_table(cfg: LandingZoneConfig) -> Table:
    """Who can reach which account with which permission set (the review step)."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("Account", style="bold", no_wrap=True)
    table.add_column("Group: permission set")
    by_account: dict[str, list[str]] = {}
    for grant in grants(cfg):
        by_account.setdefault(grant.account, []).append(f"{grant.group}: {grant.permission_set}")
    for account in [MANAGEMENT_TARGET, *(a.name for a in cfg.accounts)]:
        table.add_row(Text(account), Text(", ".join(by_account.get(account, [])) or "nobody"))
    return table


@dataclass(frozen=True)
class AccessAnswers:
    enabled: bool
    administrator_account: str | None
    presets: tuple[str, ...]
    groups_text: str
    assignments_text: str
    break_glass_group: str

    def apply(self, state: WizardState) -> None:
        state.access_text = {"groups": self.groups_text, "assignments": self.assignments_text}
        if not self.enabled:
            state.data["identity_center"] = None
            return
        ic = copy.deepcopy(state.data.get("identity_center") or {})
        presets = [p.value for p in PermissionSetPreset]
        custom = [p for p in ic.get("permission_sets") or [] if p.get("name") not in presets]
        ic["permission_sets"] = [{"name": name, "preset": name} for name in self.presets] + custom
        ic["groups"], _ = parse_groups(self.groups_text)
        ic["assignments"], _ = parse_assignments(self.assignments_text)
        ic["administrator_account"] = self.administrator_account
        ic["break_glass_group"] = self.break_glass_group.strip() or None
        state.data["identity_center"] = ic


class AccessScreen(StepScreen[AccessAnswers]):
    STEP = "access"
    TITLE_TEXT = "Access"
    HELP = "IAM Identity Center: groups, permission sets, assignments by OU; break-glass into management"
    OWNS = ("identity_center",)

    def _section(self) -> dict[str, Any]:
        ic = self.state.data.get("identity_center")
        return ic if isinstance(ic, dict) else identity_center_data(self.state.data)

    def compose_body(self) -> ComposeResult:
        ic = self._section()
        enabled = self.state.data.get("identity_center") is not None
        text = self.state.access_text
        with Vertical(classes="panel") as panel:
            panel.border_title = "IAM Identity Center"
            yield Checkbox("People sign in through IAM Identity Center (stages access and management_access)",
                           enabled, id="ic-enabled", compact=True)
            yield Static("Enable Identity Center once in the management account's console after the organization "
                         "exists; landingzone finds the instance. Nobody uses the management account day to day: "
                         "only the break-glass group is assigned there.", classes="hint")
            accounts = [a.get("name", "") for a in self.state.data.get("accounts") or [] if a.get("name")]
            with Horizontal(classes="row"):
                yield Label("Administered from")
                yield Select([(name, name) for name in accounts], value=ic.get("administrator_account") or
                             Select.NULL, prompt="shared-services (default)", id="ic-admin", compact=True)
            with Horizontal(classes="row"):
                yield Label("Break-glass group")
                yield Input(ic.get("break_glass_group") or "", id="ic-break-glass", compact=True)
        with Horizontal(classes="columns"):
            with Vertical(classes="panel") as panel:
                panel.border_title = "Permission sets (library)"
                declared = {p.get("name") for p in ic.get("permission_sets") or []}
                yield SelectionList[str](*[(p.value, p.value, p.value in declared) for p in PermissionSetPreset],
                                         id="ic-presets", compact=True)
                custom = [p["name"] for p in ic.get("permission_sets") or []
                          if p.get("name") not in {x.value for x in PermissionSetPreset}]
                if custom:
                    yield Static(f"Also from the file: {', '.join(custom)}", classes="hint")
            with Vertical(classes="panel") as panel:
                panel.border_title = "Groups"
                yield TextArea(text.get("groups", groups_text(ic)), id="ic-groups", classes="lines", compact=True)
        with Vertical(classes="panel") as panel:
            panel.border_title = "Assignments: group -> permission set: targets"
            yield TextArea(text.get("assignments", assignments_text(ic)), id="ic-assignments", classes="lines",
                           compact=True)
            yield Static(HELP, classes="hint")
        with Vertical(classes="panel") as panel:
            panel.border_title = "Assignments by OU"
            yield Static(id="ic-matrix")

    def on_mount(self) -> None:
        super().on_mount()
        self._toggled()

    def collect(self) -> AccessAnswers:
        admin = self.query_one("#ic-admin", Select).value
        return AccessAnswers(
            enabled=self.query_one("#ic-enabled", Checkbox).value,
            administrator_account=admin if isinstance(admin, str) else None,
            presets=tuple(self.query_one("#ic-presets", SelectionList).selected),
            groups_text=self.query_one("#ic-groups", TextArea).text,
            assignments_text=self.query_one("#ic-assignments", TextArea).text,
            break_glass_group=self.query_one("#ic-break-glass", Input).value,
        )

    def revalidate(self) -> list[ConfigProblem]:
        problems = super().revalidate()
        self.query_one("#ic-matrix", Static).update(matrix(self.state.data))
        return problems

    def extra_problems(self) -> list[ConfigProblem]:
        answers = self.collect()
        if not answers.enabled:
            return []
        return parse_groups(answers.groups_text)[1] + parse_assignments(answers.assignments_text)[1]

    def field_widgets(self) -> dict[str, Widget]:
        return {"identity_center.groups": self.query_one("#ic-groups"),
                "identity_center.assignments": self.query_one("#ic-assignments"),
                "identity_center.permission_sets": self.query_one("#ic-presets"),
                "identity_center.administrator_account": self.query_one("#ic-admin"),
                "identity_center.break_glass_group": self.query_one("#ic-break-glass")}

    @on(Checkbox.Changed, "#ic-enabled")
    def _toggled(self) -> None:
        enabled = self.query_one("#ic-enabled", Checkbox).value
        for widget in ("#ic-admin", "#ic-break-glass", "#ic-presets", "#ic-groups", "#ic-assignments"):
            self.query_one(widget).disabled = not enabled
