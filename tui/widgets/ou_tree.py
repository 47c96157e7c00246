"""The OU tree with its accounts, as a Textual Tree. Node data says what a line is: an OU path or an
account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from landingzone.config import ROOT_OU


@dataclass(frozen=True)
class OuNode:
    path: str
    """OU path, or "Root"."""


@dataclass(frozen=True)
class AccountNode:
    name: str


NodeData = OuNode | AccountNode


def iter_ou_dicts(ous: list[dict[str, Any]], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, OU dict) depth-first, parents first, over draft data."""
    for ou in ous:
        path = f"{prefix}/{ou.get('name', '')}" if prefix else str(ou.get("name", ""))
        yield path, ou
        yield from iter_ou_dicts(ou.get("children") or [], path)


def ou_paths_of(ous: list[dict[str, Any]]) -> list[str]:
    return [ROOT_OU, *(path for path, _ in iter_ou_dicts(ous))]


class OuTree(Tree[NodeData]):
    """Root, its OUs (bold) and the accounts in each (with their kind)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's own name for it
        super().__init__(Text(ROOT_OU, style="bold"), data=OuNode(ROOT_OU), id=id)
        self.show_root = True
        self.guide_depth = 3

    def rebuild(self, ous: list[dict[str, Any]], accounts: list[dict[str, Any]],
                select: NodeData | None = None) -> None:
        self.clear()
        by_ou: dict[str, list[dict[str, Any]]] = {}
        for acct in accounts:
            by_ou.setdefault(str(acct.get("ou") or ROOT_OU), []).append(acct)
        nodes: dict[str, TreeNode[NodeData]] = {ROOT_OU: self.root}

        def add_accounts(node: TreeNode[NodeData], path: str) -> None:
            for acct in by_ou.get(path, []):
                label = Text.assemble(("● ", "cyan"), str(acct.get("name", "")),
                                      (f"  {acct.get('kind', '')}", "dim"))
                node.add_leaf(label, data=AccountNode(str(acct.get("name", ""))))

        def add_ous(parent: TreeNode[NodeData], children: list[dict[str, Any]], prefix: str) -> None:
            for ou in children:
                path = f"{prefix}/{ou.get('name', '')}" if prefix else str(ou.get("name", ""))
                label = Text(f"▣ {ou.get('name', '')}", style="bold")
                node = parent.add(label, data=OuNode(path), expand=True)
                nodes[path] = node
                add_ous(node, ou.get("children") or [], path)
                add_accounts(node, path)

        add_ous(self.root, ous, "")
        add_accounts(self.root, ROOT_OU)
        # Accounts whose OU does not exist (yet) are shown under Root, marked, so they can be moved.
        known = set(nodes)
        for path, accts in by_ou.items():
            if path not in known:
                for acct in accts:
                    self.root.add_leaf(Text.assemble(("✗ ", "bold red"), str(acct.get("name", "")),
                                                     (f"  in missing OU {path!r}", "red")),
                                       data=AccountNode(str(acct.get("name", ""))))
        self.root.expand_all()
        if select is not None:
            self.call_after_refresh(self.select_data, select)

    def select_data(self, data: NodeData) -> None:
        for line in range(self.last_line + 1):
            node = self.get_node_at_line(line)
            if node is not None and node.data == data:
                self.move_cursor(node)
                return
