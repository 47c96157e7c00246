"""Step 7: role-based security groups per workload account, which role may reach which on which port.

Roles, rules and edge ingress are typed as short lines (keyboard-first, diff-friendly), parsed as you type,
and drawn as a small graph. A CIDR appears only in declared edge ingress; roles reach each other by reference.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from landingzone.config import WORKLOAD_ACCOUNT_KINDS
from landingzone.errors import ConfigProblem
from tui.screens.base import StepList, StepScreen
from tui.services import Services
from tui.state import WizardState
from tui.widgets.role_graph import RoleGraph

RULE_RE = re.compile(r"^\s*(?P<source>\S+)\s*->\s*(?P<target>\S+)\s+(?P<port>\d+)(?:-(?P<to_port>\d+))?"
                     r"(?:/(?P<protocol>tcp|udp))?\s*$")
EDGE_RE = re.compile(r"^\s*(?P<cidr>\S+)\s*->\s*(?P<role>\S+)\s+(?P<port>\d+)(?:/(?P<protocol>tcp|udp))?"
                     r"\s*(?:#\s*(?P<description>.*))?$")
ROLE_RE = re.compile(r"^\s*(?P<name>[^:\s]+)\s*(?::\s*(?P<description>.*))?$")

HELP = ("Roles: one per line, 'name: what runs there'. Rules: 'source -> target port[-to_port][/udp]'. "
        "Edge ingress: 'cidr -> role port[/udp]  # why'. Admin ports 22 and 3389 never from 0.0.0.0/0.")


def roles_text(net: dict[str, Any]) -> str:
    return "\n".join(f"{r['name']}: {r.get('description', '')}".rstrip(": ") for r in net.get("roles") or [])


def rules_text(net: dict[str, Any]) -> str:
    lines = []
    for r in net.get("rules") or []:
        span = f"{r['port']}-{r['to_port']}" if r.get("to_port") not in (None, r["port"]) else str(r["port"])
        proto = "" if r.get("protocol", "tcp") == "tcp" else f"/{r['protocol']}"
        lines.append(f"{r['source']} -> {r['target']} {span}{proto}")
    return "\n".join(lines)


def edges_text(net: dict[str, Any]) -> str:
    lines = []
    for e in net.get("edge_ingress") or []:
        proto = "" if e.get("protocol", "tcp") == "tcp" else f"/{e['protocol']}"
        why = f"  # {e['description']}" if e.get("description") else ""
        lines.append(f"{e['cidr']} -> {e['role']} {e['port']}{proto}{why}")
    return "\n".join(lines)


def parse_lines(kind: str, text: str, loc: str) -> tuple[list[dict[str, Any]], list[ConfigProblem]]:
    """Parse roles / rules / edge lines into config data; unparseable lines become problems at their path."""
    items: list[dict[str, Any]] = []
    problems: list[ConfigProblem] = []
    pattern = {"roles": ROLE_RE, "rules": RULE_RE, "edge_ingress": EDGE_RE}[kind]
    expected = {"roles": "name: description", "rules": "source -> target port[-to_port][/tcp|udp]",
                "edge_ingress": "cidr -> role port[/tcp|udp]  # why"}[kind]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = pattern.match(line)
        if match is None:
            problems.append(ConfigProblem(f"{loc}.{kind}", f"line {number}: {line.strip()!r} does not read "
                                          f"as '{expected}'", line.strip()))
            continue
        item = {k: v for k, v in match.groupdict().items() if v is not None}
        for key in ("port", "to_port"):
            if key in item:
                item[key] = int(item[key])
        if kind == "roles":
            item.setdefault("description", "")
        if kind == "edge_ingress":
            item["description"] = item.get("description", "").strip()
        items.append(item)
    return items, problems


CLOSE_DEFAULTS = "close_default_security_groups"
BASELINE = "baseline"
BASELINE_SWITCHES: tuple[tuple[str, str, str], ...] = (
    ("org_admin_roles", "/org-admin/ roles", "Administration roles in every member account, trusted only by the "
     "Security account's /org-admin/ roles."),
    ("deny_admin_ports_in_default_network_acls", "Deny SSH/RDP in default ACLs", "Inbound DENY for TCP "
     "and UDP 22 and 3389 from 0.0.0.0/0 and ::/0 (rules 91-98) in the default ACL of each default VPC and each "
     "VPC stage network creates (CIS 5.1/5.2)."),
    ("ebs_encryption_by_default", "EBS encryption by default", "Every new EBS volume and snapshot copy encrypted, "
     "in every governed region (CIS 2.2.1)."),
    ("s3_account_public_access_block", "S3 Block Public Access (account)", "All four account-level settings: no "
     "bucket can be made public (CIS 2.1.4)."),
    ("imds_defaults", "IMDSv2 by default", "Instances launched without their own metadata options require IMDSv2, "
     "hop limit 2."),
    ("password_policy", "Password policy", "14 characters, 24 remembered, where IAM users are allowed (the "
     "management account, accounts outside deny-iam-users)."),
)
"""The switches of stage baseline (config field, label, tooltip): every account gets these, each on by default."""


@dataclass(frozen=True)
class NetworkAnswers:
    network: list[dict[str, Any]]
    raw: dict[str, dict[str, str]]
    """Account -> editor text, kept across Back/Next even when a line does not parse yet."""
    close_default_security_groups: bool = True
    baseline_off: tuple[str, ...] = ()
    """The baseline switches turned off (the others stay implicit: on is the default)."""

    def apply(self, state: WizardState) -> None:
        state.data["network"] = copy.deepcopy(self.network)
        state.network_text = copy.deepcopy(self.raw)
        if self.close_default_security_groups:
            state.data.pop(CLOSE_DEFAULTS, None)  # the default: the saved file does not spell it out
        else:
            state.data[CLOSE_DEFAULTS] = False
        section = dict(state.data.get(BASELINE) or {})  # other baseline settings (KMS keys, waits) are kept
        for name, _, _ in BASELINE_SWITCHES:
            if name in self.baseline_off:
                section[name] = False
            else:
                section.pop(name, None)
        if section:
            state.data[BASELINE] = section
        else:
            state.data.pop(BASELINE, None)


class NetworkScreen(StepScreen[NetworkAnswers]):
    STEP = "network"
    TITLE_TEXT = "Network"
    HELP = "Security groups by workload role, role-to-role rules, declared edge ingress"
    OWNS = ("network", CLOSE_DEFAULTS, BASELINE)

    def __init__(self, state: WizardState, services: Services, *, steps: StepList = ()) -> None:
        super().__init__(state, services, steps=steps)
        self.nets: dict[str, dict[str, Any]] = {
            str(n["account"]): copy.deepcopy(n) for n in self.state.data.get("network") or []}
        self.order = [str(n["account"]) for n in self.state.data.get("network") or []]
        self.raw: dict[str, dict[str, str]] = copy.deepcopy(self.state.network_text)
        workload = [str(a["name"]) for a in self.state.data.get("accounts") or []
                    if a.get("kind") in {k.value for k in WORKLOAD_ACCOUNT_KINDS} and a.get("name")]
        self.accounts = list(dict.fromkeys([*self.order, *workload]))
        self.current = self.accounts[0] if self.accounts else ""
        self.parse_problems: list[ConfigProblem] = []
        self._loading = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("Account")
            yield Select([(a, a) for a in self.accounts], id="net-account", allow_blank=not self.accounts,
                         value=self.current if self.current else Select.NULL, compact=True)
            yield Checkbox("Security groups for this account", id="net-enabled", compact=True)
        with Horizontal(classes="columns"):
            with Vertical(classes="panel", id="net-editor") as panel:
                panel.border_title = "Roles and rules"
                with Horizontal(classes="row"):
                    yield Label("VPC CIDR")
                    yield Input(id="vpc-cidr", placeholder="10.0.0.0/16 (a VPC to create)", compact=True)
                with Horizontal(classes="row"):
                    yield Label("or VPC id")
                    yield Input(id="vpc-id", placeholder="vpc-0123456789abcdef0 (existing)", compact=True)
                yield Label("Roles")
                yield TextArea(id="roles", classes="lines", compact=True)
                yield Label("Rules (role to role, by security-group reference)")
                yield TextArea(id="rules", classes="lines", compact=True)
                yield Label("Edge ingress (the only place for a CIDR)")
                yield TextArea(id="edges", classes="lines", compact=True)
            with Vertical(classes="panel", id="net-graph-panel") as panel:
                panel.border_title = "Who may reach whom"
                yield RoleGraph(id="net-graph")
                yield Static(HELP, classes="hint", markup=False)
                yield Checkbox("Close default groups of default VPCs", id="close-defaults",
                               value=self.state.data.get(CLOSE_DEFAULTS, True) is not False, compact=True,
                               tooltip="Strip every rule from the default security group of each default VPC, "
                               "in every governed region (CIS 5.4). Turn off only while workloads still rely on "
                               "those rules.")
                yield Label("Every account (stage baseline)", classes="hint")
                section = self.state.data.get(BASELINE) or {}
                for name, label, tooltip in BASELINE_SWITCHES:
                    yield Checkbox(label, id=f"baseline-{name.replace('_', '-')}", compact=True, tooltip=tooltip,
                                   value=section.get(name, True) is not False)

    def on_mount(self) -> None:
        self._load(self.current)
        super().on_mount()

    def _texts(self, account: str) -> dict[str, str]:
        if account in self.raw:
            return self.raw[account]
        net = self.nets.get(account, {})
        return {"roles": roles_text(net), "rules": rules_text(net), "edges": edges_text(net)}

    def _load(self, account: str) -> None:
        self._loading = True
        net = self.nets.get(account)
        texts = self._texts(account)
        self.query_one("#net-enabled", Checkbox).value = net is not None
        self.query_one("#vpc-cidr", Input).value = str((net or {}).get("vpc_cidr") or "")
        self.query_one("#vpc-id", Input).value = str((net or {}).get("vpc_id") or "")
        self.query_one("#roles", TextArea).text = texts["roles"]
        self.query_one("#rules", TextArea).text = texts["rules"]
        self.query_one("#edges", TextArea).text = texts["edges"]
        self.query_one("#net-editor").disabled = not self.accounts
        self._loading = False

    def _read_current(self) -> None:
        """Editor -> self.nets / self.raw for the account shown."""
        if not self.current or self._loading or not self.is_mounted:
            return
        texts = {"roles": self.query_one("#roles", TextArea).text,
                 "rules": self.query_one("#rules", TextArea).text,
                 "edges": self.query_one("#edges", TextArea).text}
        self.raw[self.current] = texts
        if not self.query_one("#net-enabled", Checkbox).value:
            self.nets.pop(self.current, None)
            return
        if self.current not in self.order:
            self.order.append(self.current)
        index = self.order.index(self.current)
        loc = f"network[{index}]"
        roles, p1 = parse_lines("roles", texts["roles"], loc)
        rules, p2 = parse_lines("rules", texts["rules"], loc)
        edges, p3 = parse_lines("edge_ingress", texts["edges"], loc)
        net = self.nets.setdefault(self.current, {"account": self.current})
        net.update({"vpc_cidr": self.query_one("#vpc-cidr", Input).value.strip() or None,
                    "vpc_id": self.query_one("#vpc-id", Input).value.strip() or None,
                    "roles": roles, "rules": rules, "edge_ingress": edges})
        self._parse_problems_by_account = getattr(self, "_parse_problems_by_account", {})
        self._parse_problems_by_account[self.current] = p1 + p2 + p3

    def collect(self) -> NetworkAnswers:
        self._read_current()
        network = [self.nets[a] for a in self.order if a in self.nets]
        off = tuple(name for name, _, _ in BASELINE_SWITCHES
                    if not self.query_one(f"#baseline-{name.replace('_', '-')}", Checkbox).value)
        return NetworkAnswers(copy.deepcopy(network), copy.deepcopy(self.raw),
                              self.query_one("#close-defaults", Checkbox).value, off)

    def extra_problems(self) -> list[ConfigProblem]:
        by_account: dict[str, list[ConfigProblem]] = getattr(self, "_parse_problems_by_account", {})
        return [p for account, problems in by_account.items() if account in self.nets for p in problems]

    def revalidate(self) -> list[ConfigProblem]:
        problems = super().revalidate()
        self.query_one(RoleGraph).show(self.nets.get(self.current, {}))
        return problems

    def field_widgets(self) -> dict[str, Widget]:
        if self.current not in self.order:
            return {}
        loc = f"network[{self.order.index(self.current)}]"
        return {f"{loc}.vpc_id": self.query_one("#vpc-id"), f"{loc}.vpc_cidr": self.query_one("#vpc-cidr"),
                f"{loc}.roles": self.query_one("#roles"), f"{loc}.rules": self.query_one("#rules"),
                f"{loc}.edge_ingress": self.query_one("#edges")}

    @on(Select.Changed, "#net-account")
    def _account_changed(self, event: Select.Changed) -> None:
        if event.value == Select.NULL or str(event.value) == self.current:
            return
        self._read_current()
        self.current = str(event.value)
        self._load(self.current)
        self.revalidate()
