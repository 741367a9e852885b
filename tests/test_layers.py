"""The import graph of ``bot`` runs one way: content -> engine -> storage -> ui -> exts -> cli.

Read with ``ast`` (nothing is imported), so a module that would close a circle
or reach up a layer fails here rather than at run time. Imports under
``if TYPE_CHECKING:`` are left out: they never execute, and cogs name
``bot.client.FAQBot`` in annotations only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bot"

# Lower ranks may be imported by higher ones, never the other way. The longest
# matching prefix wins. Add a new top-level module here when you create one.
RANKS: dict[str, int] = {
    "bot.config": 0,
    "bot.content": 0,
    "bot.engine": 1,
    "bot.storage": 2,
    "bot.utils": 3,
    "bot.health": 3,
    "bot.ui": 4,
    "bot.utils.checks": 5,
    "bot.runtime.coordination": 5,
    "bot.exts": 5,
    "bot.client": 6,
    "bot.runner": 6,
    "bot.command_names": 6,
    "bot.cli": 7,
    "bot.cli.missed": 7,
    "bot.__main__": 8,
    "bot": 8,
}
CLI_MODULES = ("bot.cli", "bot.cli.missed", "bot.__main__")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those inside ``if TYPE_CHECKING:`` bodies."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def imports_of(path: Path) -> set[str]:
    """Absolute ``bot.*`` module names ``path`` imports at run time."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "bot"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "bot":
                continue
            found.add(target)
            for alias in node.names:  # `from bot.exts import feedback` imports a module
                if (
                    (PACKAGE.parent / Path(*f"{target}.{alias.name}".split(".")))
                    .with_suffix(".py")
                    .exists()
                ):
                    found.add(f"{target}.{alias.name}")
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def rank(module: str) -> int:
    best = max((p for p in RANKS if module == p or module.startswith(p + ".")), key=len)
    return RANKS[best]


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_every_module_has_a_layer() -> None:
    for module in graph():
        rank(module)  # raises ValueError (empty max) for an unranked module


def test_imports_only_reach_down() -> None:
    upward = [
        f"{src} (layer {rank(src)}) imports {dst} (layer {rank(dst)})"
        for src, dsts in graph().items()
        for dst in sorted(dsts)
        if rank(dst) > rank(src)
    ]
    assert upward == []


def _is_cli(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in CLI_MODULES)


def test_no_extension_or_ui_imports_a_cli_module() -> None:
    bad = [
        (src, dst)
        for src, dsts in graph().items()
        if not _is_cli(src)
        for dst in dsts
        if _is_cli(dst)
    ]
    assert bad == []


def test_no_import_cycles() -> None:
    edges = graph()
    # A package's __init__ re-exporting its own submodules is not a circle.
    pruned = {src: {d for d in dsts if not src.startswith(d + ".")} for src, dsts in edges.items()}
    assert find_cycle(pruned) is None


@pytest.mark.parametrize(
    ("edges", "cyclic"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, False),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True),
        ({"a": {"a"}}, True),
    ],
)
def test_cycle_finder(edges: dict[str, set[str]], cyclic: bool) -> None:
    assert (find_cycle(edges) is not None) is cyclic


def test_graph_sees_relative_and_from_imports() -> None:
    edges = graph()
    assert "bot.storage.models" in edges["bot.storage.export"]  # `from .models import`
    assert "bot.engine.text" in edges["bot.ui.components"]
    assert "bot.client" not in edges["bot.exts.answers"]  # TYPE_CHECKING only
