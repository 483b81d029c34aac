"""The shape of converter/ (issue #14): no import circle between its modules, counting the
imports written inside functions too (an import hidden in a function to dodge a circle is still a
circle), and no function that takes more than five positional parameters (past that, callers pass
values by position and mix them up: a typed options object or keyword-only parameters instead)."""

from __future__ import annotations

import ast
from pathlib import Path

CONVERTER = Path(__file__).resolve().parents[2] / "converter"
MAX_POSITIONAL = 5


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(CONVERTER.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {_module_name(p): ast.parse(p.read_text(), str(p)) for p in sorted(CONVERTER.rglob("*.py"))}


def import_graph(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    """Module -> the converter modules it imports, wherever in the module the import is written.
    `from package import name` counts as importing `package.name` when that is a module."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                           for a in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep):], dep]
            if dep not in state and (found := visit(dep, [*path, dep])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_checks_can_fail() -> None:
    """The detectors themselves: a circle and a six-parameter function are found."""
    modules = {"converter.a": ast.parse("import converter.b\n"),
               "converter.b": ast.parse("def f():\n    from converter import a\n"),
               "converter": ast.parse("")}
    assert find_cycle(import_graph(modules)) == ["converter.a", "converter.b", "converter.a"]
    assert _too_many(ast.parse("def f(a, b, c, d, e, g): pass\ndef h(a, b, c, d, e, *, g): pass\n"), "m") == [
        "m:1 f (6 positional)"]


def test_no_import_circle_in_converter() -> None:
    modules = _modules()
    assert len(modules) > 50
    assert find_cycle(import_graph(modules)) is None, " -> ".join(find_cycle(import_graph(modules)) or [])


def _too_many(tree: ast.Module, where: str) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [a.arg for a in [*node.args.posonlyargs, *node.args.args]]
            if names[:1] in (["self"], ["cls"]):
                names = names[1:]
            if len(names) > MAX_POSITIONAL:
                found.append(f"{where}:{node.lineno} {node.name} ({len(names)} positional)")
    return found


def test_no_function_takes_more_than_five_positional_parameters() -> None:
    found = [hit for name, tree in _modules().items() for hit in _too_many(tree, name)]
    assert not found, "\n".join(found)
