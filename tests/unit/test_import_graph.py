"""The import graph of landingzone, stacks and tui, read from the sources (ast, nothing is imported): no circles,
nothing imports tui, and only the CLI imports Typer.

Every import statement counts, at the top of a module or inside a function (a circle dodged by importing inside
a function is still a circle), except those under ``if TYPE_CHECKING:``, which never run. Importing ``a.b.c``
also runs the ``__init__`` of ``a`` and ``a.b``, so those count as well, unless the importer is inside them
(a package's own ``__init__`` has already started by then).

One load is by name on purpose and not an import statement: the CLI's root command opens the wizard with
``importlib.import_module("tui.app")`` (the `tui` package depends on `landingzone`, never the reverse).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("landingzone", "stacks", "tui")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, skipping the bodies of ``if TYPE_CHECKING:`` (their ``else`` still runs)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The modules of ours that an import statement runs."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        names = [prefix]
        names += [f"{prefix}.{alias.name}" for alias in node.names if f"{prefix}.{alias.name}" in known]
    own_ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
    result: set[str] = set()
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            ancestor = ".".join(parts[:i])
            if ancestor in known and (ancestor == name or ancestor not in own_ancestors):
                result.add(ancestor)
    result.discard(module)
    return result


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in _import_nodes(tree):
            edges |= _targets(module, is_package, node, known)
        graph[module] = edges
    return graph


def _external_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert len(graph) > 60
    # Edges the code is known to have, so that a reader that sees nothing cannot pass: a top-level import, one
    # inside a function (plan loads the stacks only when it plans), a relative-free `from x import y` of a module.
    assert "landingzone.policies.catalog" in graph["landingzone.config.rules"]
    assert {"landingzone.config", "landingzone.policies.catalog"} <= graph["stacks.guardrails"]
    assert "stacks" in graph["landingzone.plan"]
    assert {"landingzone.config", "landingzone.errors"} <= graph["tui.app"]
    assert "landingzone.cli.app" in graph["landingzone.cli.engine"]
    assert "landingzone.cli" not in graph["landingzone.cli.engine"]  # its own package's __init__ has started


def test_the_type_only_import_is_not_an_edge() -> None:
    # catalog imports the config types under TYPE_CHECKING only; config.rules imports the catalog at run time.
    graph = _graph()
    assert not any(t.startswith("landingzone.config") for t in graph["landingzone.policies.catalog"])


def test_no_import_circles() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_nothing_imports_tui() -> None:
    offenders = {module: sorted(t for t in targets if t == "tui" or t.startswith("tui."))
                 for module, targets in _graph().items() if not module.startswith("tui")}
    assert {m: t for m, t in offenders.items() if t} == {}


def test_only_the_cli_imports_typer() -> None:
    offenders = []
    for module, path in _modules().items():
        if module == "landingzone.cli" or module.startswith("landingzone.cli."):
            continue
        if module.startswith("tui"):
            continue  # the wizard is an application, not the library
        if _external_imports(path) & {"typer", "click"}:
            offenders.append(module)
    assert offenders == []
