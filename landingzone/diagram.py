"""A picture of the organization: the OU tree, its accounts and the policies attached to each target, as a
Mermaid flowchart (GitHub renders a ```mermaid block in Markdown, e.g. the pull-request comment of
examples/github-actions.yml).

:func:`organization_graph` builds the picture as data (nodes, tree edges, policy attachments), so tests check
its structure; :func:`render_mermaid` writes that data as Mermaid text; :func:`mermaid_block` wraps it for a
Markdown document. Nothing here calls AWS or runs a pulumi program: the policies per target are the guardrails
stage's attachment plan, computed from the configuration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from landingzone.config import ROOT_OU, LandingZoneConfig, iter_ous
from landingzone.config.governance import AccountState, effective_ou

NodeKind = Literal["root", "ou", "account", "policies"]


@dataclass(frozen=True)
class Node:
    id: str
    """Mermaid node id: letters, digits and underscores only."""
    kind: NodeKind
    label: str
    """What the node shows (one line per entry for a policies node)."""
    target: str
    """The configuration's name for it: "Root", an OU path, an account name, or the target a policies node
    belongs to."""


@dataclass
class OrganizationGraph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)
    """Parent node id -> child node id (root -> OU, OU -> OU, OU or root -> account)."""
    attachments: list[tuple[str, str]] = field(default_factory=list)
    """Target node id -> its policies node id."""

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


def _label(text: str) -> str:
    """Text safe inside a quoted Mermaid label (quotes and angle brackets as entities)."""
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;"))


def organization_graph(cfg: LandingZoneConfig, policies: Mapping[str, Sequence[str]]) -> OrganizationGraph:
    """The organization as a graph: ``policies`` maps a target ("Root", an OU path, an account name) to the
    names of the policies attached to it directly (as the guardrails stage attaches them)."""
    graph = OrganizationGraph()
    ids: dict[str, str] = {}

    def add(kind: NodeKind, target: str, label: str, parent: str | None) -> None:
        node_id = "root" if kind == "root" else {"ou": "ou", "account": "acct"}[kind] + str(len(ids))
        ids[f"{kind}:{target}"] = node_id
        graph.nodes.append(Node(node_id, kind, label, target))
        if parent is not None:
            graph.edges.append((parent, node_id))
        attached = list(policies.get(target, ()))
        if attached:
            pid = f"{node_id}_policies"
            graph.nodes.append(Node(pid, "policies", "\n".join(attached), target))
            graph.attachments.append((node_id, pid))

    add("root", ROOT_OU, ROOT_OU, None)
    for path, ou in iter_ous(cfg.organizational_units):
        parent_path = path.rpartition("/")[0]
        parent = ids[f"ou:{parent_path}"] if parent_path else "root"
        add("ou", path, ou.name, parent)
    for acct in cfg.accounts:
        where = effective_ou(acct)
        parent = "root" if where == ROOT_OU else ids[f"ou:{where}"]
        suffix = ", suspended" if acct.state is AccountState.SUSPENDED else ""
        add("account", acct.name, f"{acct.name} ({acct.kind.value}{suffix})", parent)
    return graph


def render_mermaid(graph: OrganizationGraph) -> str:
    """Mermaid flowchart text: OUs as rounded boxes, accounts as boxes, each target's policies in a note-like
    shape joined by a dotted line."""
    shapes = {"root": ('(["', '"])'), "ou": ('("', '")'), "account": ('["', '"]'), "policies": ('[/"', '"/]')}
    lines = ["flowchart TD"]
    for node in graph.nodes:
        start, end = shapes[node.kind]
        text = "<br/>".join(_label(part) for part in node.label.split("\n"))
        lines.append(f"    {node.id}{start}{text}{end}")
    lines += [f"    {a} --> {b}" for a, b in graph.edges]
    lines += [f"    {a} -.- {b}" for a, b in graph.attachments]
    by_kind: dict[str, list[str]] = {}
    for node in graph.nodes:
        by_kind.setdefault(node.kind, []).append(node.id)
    lines += ["    classDef ou fill:#eef,stroke:#557", "    classDef account fill:#fff,stroke:#333",
              "    classDef policies fill:#ffe,stroke:#aa5,font-size:11px"]
    for kind in ("ou", "account", "policies"):
        if by_kind.get(kind):
            lines.append(f"    class {','.join(by_kind[kind])} {kind}")
    return "\n".join(lines) + "\n"


def mermaid_block(text: str) -> str:
    """The diagram as a fenced Markdown block."""
    return f"```mermaid\n{text}```\n"


def attached_policies(cfg: LandingZoneConfig) -> dict[str, list[str]]:
    """Policy names per target as the guardrails stage would attach them (library policies; FullAWSAccess stays
    attached everywhere and is left out). Raises QuotaError as the stage would."""
    from stacks.guardrails import attachment_plan  # the stage's own view (org-admin protection added)

    plan = attachment_plan(cfg)
    return {target: list(keys) for target, keys in plan.per_target.items()}


def organization_mermaid(cfg: LandingZoneConfig) -> str:
    """The organization's Mermaid diagram (what `landingzone plan --format mermaid` prints)."""
    return render_mermaid(organization_graph(cfg, attached_policies(cfg)))


__all__ = ["Node", "OrganizationGraph", "attached_policies", "mermaid_block", "organization_graph",
           "organization_mermaid", "render_mermaid"]
