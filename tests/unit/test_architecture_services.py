"""No import circle between the services' modules, and only the unit of work commits.

Every import counts, also one inside a function: a circle hidden that way is still a circle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
SERVICES = PORTAL / "services"
UNIT_OF_WORK = SERVICES / "transaction.py"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def services_imported(path: Path, modules: set[str]) -> set[str]:
    """The services modules that the module at `path` imports (`from a import b`: `a.b` if a module, else `a`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                if target in modules:
                    found.add(target)
                elif node.module in modules:
                    found.add(node.module)
    return found - {module_name(path)}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in SERVICES.rglob("*.py")}
    modules = set(paths)
    return {module: services_imported(path, modules) for module, path in paths.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One path for each circle found (a depth-first search from every module)."""
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            found.append([*path[path.index(module) :], module])
            return
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return found


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_between_services_modules():
    assert circles(import_graph()) == []


def test_only_the_unit_of_work_commits_or_rolls_back():
    calls = re.compile(r"\.(commit|rollback)\(\)")
    found = [
        f"{path.relative_to(PORTAL.parent)}:{number}"
        for path in sorted(PORTAL.rglob("*.py"))
        if path != UNIT_OF_WORK
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if calls.search(line)
    ]
    assert found == []
