"""Step 4: the OU tree, starting from a preset, with accounts placed by keyboard moves (no dragging)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from landingzone.config import ROOT_OU
from landingzone.presets import PresetName, preset_data
from tui.screens.base import StepList, StepScreen
from tui.services import Services
from tui.state import WizardState
from tui.widgets.ou_tree import AccountNode, OuNode, OuTree, iter_ou_dicts, ou_paths_of

HELP_TEXT = (
    "OUs group accounts so guardrails (SCPs) can target them. Select an account and press [ or ] to move it "
    "to the previous or next OU; n adds an OU under the selection, r renames it, x removes it (its accounts "
    "move up). "
    "1, 2, 3 load the small, medium or large preset's tree."
)


def _rename_path(path: str, old: str, new: str) -> str:
    if path == old:
        return new
    if path.startswith(old + "/"):
        return new + path[len(old):]
    return path


@dataclass(frozen=True)
class OusAnswers:
    organizational_units: list[dict[str, Any]]
    account_ous: dict[str, str]
    """Account name -> OU path."""
    renamed: tuple[tuple[str, str], ...] = ()
    """(old path, new path) of renamed OUs, so guardrail targets follow them."""

    def apply(self, state: WizardState) -> None:
        state.data["organizational_units"] = copy.deepcopy(self.organizational_units)
        for acct in state.data.get("accounts") or []:
            if acct.get("name") in self.account_ous:
                acct["ou"] = self.account_ous[acct["name"]]
        for guard in state.data.get("guardrails") or []:
            targets = list(guard.get("targets") or [])
            for old, new in self.renamed:
                targets = [_rename_path(t, old, new) for t in targets]
            guard["targets"] = targets


class OusScreen(StepScreen[OusAnswers]):
    STEP = "ous"
    TITLE_TEXT = "Organizational units"
    BAR_TITLE = "OUs"
    HELP = "OU tree editor: add, rename, remove OUs and move accounts with the keyboard"
    OWNS = ("organizational_units", "accounts")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "move_account(-1)", "Move ↑"),
        Binding("right_square_bracket", "move_account(1)", "Move ↓"),
        Binding("n", "new_ou", "New OU"),
        Binding("r", "rename_ou", "Rename"),
        Binding("x,delete", "remove_ou", "Remove"),
        Binding("1", "load_preset('small')", "Small", show=False),
        Binding("2", "load_preset('medium')", "Medium", show=False),
        Binding("3", "load_preset('large')", "Large", show=False),
    ]

    def __init__(self, state: WizardState, services: Services, *, steps: StepList = ()) -> None:
        super().__init__(state, services, steps=steps)
        self.ous: list[dict[str, Any]] = copy.deepcopy(self.state.data.get("organizational_units") or [])
        self.accounts: list[dict[str, Any]] = copy.deepcopy(self.state.data.get("accounts") or [])
        self.renamed: list[tuple[str, str]] = []
        self._editing: tuple[str, str] | None = None
        """("new", parent path) or ("rename", path) while the name field is open."""

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="columns"):
            yield OuTree(id="ou-tree")
            with Vertical(classes="panel", id="ou-side") as panel:
                panel.border_title = "How to"
                yield Static(HELP_TEXT, classes="hint", markup=False)
                with Horizontal(classes="row", id="ou-name-row"):
                    yield Label("OU name", id="ou-name-label")
                    yield Input(id="ou-name", placeholder="Workloads", compact=True)
                yield Static("", id="ou-selection")

    def on_mount(self) -> None:
        self.query_one("#ou-name-row").display = False
        self._rebuild(select=OuNode(ROOT_OU))
        super().on_mount()
        self.query_one(OuTree).focus()

    def collect(self) -> OusAnswers:
        return OusAnswers(copy.deepcopy(self.ous),
                          {str(a.get("name")): str(a.get("ou") or ROOT_OU) for a in self.accounts},
                          tuple(self.renamed))

    def _rebuild(self, select: OuNode | AccountNode | None = None) -> None:
        self.query_one(OuTree).rebuild(self.ous, self.accounts, select=select)
        if self.is_mounted:
            self.revalidate()

    def _selected(self) -> OuNode | AccountNode | None:
        node = self.query_one(OuTree).cursor_node
        return node.data if node is not None else None

    def _ou_list(self, path: str) -> tuple[list[dict[str, Any]], int] | None:
        """The sibling list holding the OU at path, and its index."""
        for candidate, ou in iter_ou_dicts(self.ous):
            if candidate == path:
                parent = path.rsplit("/", 1)[0] if "/" in path else ROOT_OU
                siblings = self._children_of(parent)
                return siblings, siblings.index(ou)
        return None

    def _children_of(self, path: str) -> list[dict[str, Any]]:
        if path == ROOT_OU:
            return self.ous
        for candidate, ou in iter_ou_dicts(self.ous):
            if candidate == path:
                children: list[dict[str, Any]] = ou.setdefault("children", [])
                return children
        raise KeyError(path)

    # ---- account moves -------------------------------------------------------------------------------------

    def action_move_account(self, step: int) -> None:
        selected = self._selected()
        if not isinstance(selected, AccountNode):
            self.notify("Select an account to move it between OUs.", severity="warning")
            return
        paths = ou_paths_of(self.ous)
        for acct in self.accounts:
            if acct.get("name") == selected.name:
                here = str(acct.get("ou") or ROOT_OU)
                index = paths.index(here) if here in paths else 0
                acct["ou"] = paths[(index + step) % len(paths)]
                self.query_one("#ou-selection", Static).update(f"{selected.name} → {acct['ou']}")
        self._rebuild(select=selected)

    # ---- OU edits ------------------------------------------------------------------------------------------

    def _open_name_field(self, mode: str, path: str, value: str) -> None:
        self._editing = (mode, path)
        self.query_one("#ou-name-label", Label).update("New OU under " + path if mode == "new" else "Rename")
        row = self.query_one("#ou-name-row")
        row.display = True
        name = self.query_one("#ou-name", Input)
        name.value = value
        name.focus()

    def action_new_ou(self) -> None:
        selected = self._selected()
        parent = selected.path if isinstance(selected, OuNode) else ROOT_OU
        self._open_name_field("new", parent, "")

    def action_rename_ou(self) -> None:
        selected = self._selected()
        if not isinstance(selected, OuNode) or selected.path == ROOT_OU:
            self.notify("Select an OU (not Root) to rename it.", severity="warning")
            return
        self._open_name_field("rename", selected.path, selected.path.rsplit("/", 1)[-1])

    @on(Input.Submitted, "#ou-name")
    def _name_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._editing is None:
            return
        mode, path = self._editing
        name = event.value.strip()
        self._editing = None
        self.query_one("#ou-name-row").display = False
        if not name:
            return
        if mode == "new":
            self._children_of(path).append({"name": name, "children": [], "existing_id": None})
            new_path = name if path == ROOT_OU else f"{path}/{name}"
            self._rebuild(select=OuNode(new_path))
        else:
            found = self._ou_list(path)
            if found is None:
                return
            siblings, index = found
            siblings[index]["name"] = name
            new_path = (path.rsplit("/", 1)[0] + "/" + name) if "/" in path else name
            for acct in self.accounts:
                acct["ou"] = _rename_path(str(acct.get("ou") or ROOT_OU), path, new_path)
            self.renamed.append((path, new_path))
            self._rebuild(select=OuNode(new_path))
        self.query_one(OuTree).focus()

    def action_remove_ou(self) -> None:
        selected = self._selected()
        if not isinstance(selected, OuNode) or selected.path == ROOT_OU:
            self.notify("Select an OU (not Root) to remove it.", severity="warning")
            return
        found = self._ou_list(selected.path)
        if found is None:
            return
        siblings, index = found
        parent = selected.path.rsplit("/", 1)[0] if "/" in selected.path else ROOT_OU
        siblings.pop(index)
        for acct in self.accounts:
            here = str(acct.get("ou") or ROOT_OU)
            if here == selected.path or here.startswith(selected.path + "/"):
                acct["ou"] = parent
        self._rebuild(select=OuNode(parent))

    def action_load_preset(self, name: PresetName) -> None:
        """Start the tree again from a preset: its OUs, and each account placed where the preset puts its
        kind."""
        data = preset_data(name)
        self.ous = copy.deepcopy(data.get("organizational_units") or [])
        by_kind = {a["kind"]: a.get("ou", ROOT_OU) for a in data["accounts"]}
        paths = set(ou_paths_of(self.ous))
        for acct in self.accounts:
            target = by_kind.get(acct.get("kind"), ROOT_OU)
            acct["ou"] = target if target in paths else ROOT_OU
        self.notify(f"OU tree of the {name} preset loaded.")
        self._rebuild(select=OuNode(ROOT_OU))
