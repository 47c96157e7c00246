"""The organization's Mermaid diagram: its structure for the medium preset (parsed back, not string-matched), and
the copy in docs/ is the current one."""

from __future__ import annotations

import re
from pathlib import Path

from landingzone.config import ROOT_OU, validate_config
from landingzone.diagram import attached_policies, mermaid_block, organization_graph, organization_mermaid
from landingzone.presets import preset, preset_data

DOC = Path(__file__).resolve().parents[2] / "docs" / "organization-diagram.md"

_NODE = re.compile(r'^    (\w+)(\(\["|\("|\["|\[/")(.*?)("\]\)|"\)|"\]|"/\])$')
_EDGE = re.compile(r"^    (\w+) (-->|-\.-) (\w+)$")
SHAPES = {'(["': "root", '("': "ou", '["': "account", '[/"': "policies"}


def parse(text: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """Mermaid text -> (node id -> (kind, label lines joined by newline), tree edges, attachment edges). Every
    line must be one of the forms the renderer writes."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes: dict[str, tuple[str, str]] = {}
    tree: list[tuple[str, str]] = []
    attached: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line.startswith(("    classDef ", "    class ")):
            continue
        if (edge := _EDGE.match(line)) is not None:
            (tree if edge.group(2) == "-->" else attached).append((edge.group(1), edge.group(3)))
            continue
        node = _NODE.match(line)
        assert node is not None, f"unexpected line: {line!r}"
        assert node.group(1) not in nodes, f"node {node.group(1)} declared twice"
        nodes[node.group(1)] = (SHAPES[node.group(2)], node.group(3).replace("<br/>", "\n"))
    return nodes, tree, attached


def test_medium_preset_diagram_structure() -> None:
    cfg = preset("medium")
    nodes, tree, attached = parse(organization_mermaid(cfg))
    policies = attached_policies(cfg)

    # One root, one node per OU and per account, with the OU's name / the account's name and kind.
    kinds = [kind for kind, _ in nodes.values()]
    assert kinds.count("root") == 1
    assert kinds.count("ou") == len(cfg.ou_paths()) == 6
    assert kinds.count("account") == len(cfg.accounts) == 5
    labels = {label: node_id for node_id, (kind, label) in nodes.items() if kind in ("ou", "account", "root")}
    for acct in cfg.accounts:
        assert f"{acct.name} ({acct.kind.value})" in labels

    # The tree: every node but the root has exactly one parent, and the parent is the configured one.
    parents: dict[str, str] = {}
    for parent, child in tree:
        assert child not in parents, f"{child} has two parents"
        parents[child] = parent
    assert set(parents) == {n for n, (k, _) in nodes.items() if k in ("ou", "account")}
    assert nodes[parents[labels["Prod"]]] == ("ou", "Workloads")
    assert nodes[parents[labels["Workloads"]]] == ("root", ROOT_OU)
    assert nodes[parents[labels["production (production)"]]] == ("ou", "Prod")
    assert nodes[parents[labels["security (security)"]]] == ("ou", "Security")

    # Policies: each target's policies node lists exactly what the guardrails stage attaches there.
    by_target = {"Root": "root", "Workloads": labels["Workloads"], "Sandbox": labels["Sandbox"],
                 "Infrastructure": labels["Infrastructure"]}
    attached_to = dict(attached)
    assert set(attached_to) == {by_target[t] for t in policies}
    for target, node_id in by_target.items():
        kind, listed = nodes[attached_to[node_id]]
        assert kind == "policies"
        assert listed.split("\n") == policies[target]
    assert "deny-root-user" in policies["Root"] and "deny-unapproved-regions" in policies["Workloads"]


def test_suspended_accounts_sit_in_the_suspended_ou_and_labels_are_escaped() -> None:
    data = preset_data("large")
    data["accounts"][-1].update(state="suspended", name="R&D lab")
    cfg = validate_config(data)
    graph = organization_graph(cfg, {})
    nodes, _, _ = parse(organization_mermaid(cfg))
    retired = next(n for n in graph.nodes if n.target == "R&D lab")
    parent = next(p for p, c in graph.edges if c == retired.id)
    assert graph.node(parent).target == "Suspended"
    assert retired.label == "R&D lab (sandbox, suspended)"
    assert nodes[retired.id] == ("account", "R#amp;D lab (sandbox, suspended)")


def test_docs_hold_the_current_medium_diagram() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert mermaid_block(organization_mermaid(preset("medium"))) in text, (
        "docs/organization-diagram.md is stale: paste `landingzone plan --format mermaid` of the medium preset")
