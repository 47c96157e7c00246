"""A small graph of workload roles: who may reach whom on which port, and the declared edge ingress."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static


def _ports(item: dict[str, Any]) -> str:
    port, to_port = item.get("port"), item.get("to_port")
    span = f"{port}-{to_port}" if to_port not in (None, port) else f"{port}"
    return f"{span}/{item.get('protocol', 'tcp')}"


def _ranks(roles: list[str], rules: list[dict[str, Any]]) -> dict[str, int]:
    """Longest-path layering so the graph reads left to right (edge -> web -> app -> db); cycles stop at a
    bound."""
    rank = dict.fromkeys(roles, 0)
    for _ in range(len(roles)):
        changed = False
        for rule in rules:
            src, dst = rule.get("source"), rule.get("target")
            if src in rank and dst in rank and rank[dst] < rank[src] + 1 <= len(roles):
                rank[dst] = rank[src] + 1
                changed = True
        if not changed:
            break
    return rank


def render_graph(net: dict[str, Any]) -> Text:
    roles = [str(r.get("name")) for r in net.get("roles") or []]
    rules = list(net.get("rules") or [])
    edges = list(net.get("edge_ingress") or [])
    text = Text()
    if not roles:
        return Text("No roles yet: declare web, app, db … on the left.", style="dim")
    rank = _ranks(roles, rules)
    layers: dict[int, list[str]] = {}
    for role in roles:
        layers.setdefault(rank[role], []).append(role)
    text.append("Layers: ", style="dim")
    for i, layer in enumerate(sorted(layers)):
        if i:
            text.append(" ─▶ ", style="dim")
        text.append("  ".join(f"[{r}]" for r in layers[layer]), style="bold cyan")
    text.append("\n")
    for edge in edges:
        cidr = str(edge.get("cidr"))
        style = "bold red" if cidr in ("0.0.0.0/0", "::/0") else "yellow"
        text.append(f"\n {cidr:>18} ", style=style)
        text.append(f"──{_ports(edge)}──▶ ", style="dim")
        text.append(f"[{edge.get('role')}]", style="bold cyan")
        if edge.get("description"):
            text.append(f"  {edge['description']}", style="italic dim")
    for rule in rules:
        text.append(f"\n {'[' + str(rule.get('source')) + ']':>18} ", style="bold cyan")
        text.append(f"──{_ports(rule)}──▶ ", style="dim")
        text.append(f"[{rule.get('target')}]", style="bold cyan")
    unreachable = [r for r in roles if all(x.get("target") != r for x in rules) and all(
        e.get("role") != r for e in edges)]
    if unreachable:
        text.append(f"\n\nNo inbound rule: {', '.join(unreachable)}", style="dim")
    return text


class RoleGraph(Static):
    def show(self, net: dict[str, Any]) -> None:
        self.update(render_graph(net))
