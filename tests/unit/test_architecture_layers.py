"""The layers of docs/ARCHITECTURE.md, held for every module added later."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _imports(path: Path, *, top_level_only: bool = False) -> list[tuple[int, str]]:
    """(line, imported module) of every import in a file; with `top_level_only`, those run at import time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def _name(path: Path) -> str:
    return str(path.relative_to(PORTAL.parent))


def test_the_domain_imports_no_framework_no_database_and_no_other_layer():
    forbidden = ("flask", "sqlalchemy", "flask_babel", "portal.models", "portal.services", "portal.blueprints")
    wrong = [
        f"{_name(path)}:{line} imports {module}"
        for path in _modules(PORTAL / "domain")
        for line, module in _imports(path)
        if module.startswith(forbidden)
    ]
    assert wrong == []


def test_nothing_but_the_seeding_command_loads_the_demo_data():
    """`portal/demo/` is imported only inside the CLI's demo commands, never when the app starts."""
    wrong = [
        f"{_name(path)}:{line} imports {module}"
        for path in _modules(PORTAL)
        if "demo" not in path.relative_to(PORTAL).parts[:1]
        for line, module in _imports(path, top_level_only=path == PORTAL / "cli.py")
        if module.startswith("portal.demo")  # cli.py: only its top level counts, the commands may
    ]
    assert wrong == []
    code = (
        "import sys; from portal import create_app; create_app(); print([m for m in sys.modules if 'portal.demo' in m])"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PORTAL.parent, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr


def test_services_and_models_never_reach_up_into_the_blueprints():
    wrong = [
        f"{_name(path)}:{line} imports {module}"
        for folder in ("services", "models", "domain", "demo")
        for path in _modules(PORTAL / folder)
        for line, module in _imports(path)
        if module.startswith("portal.blueprints")
    ]
    assert wrong == []


def test_views_and_cli_commands_never_commit_or_roll_back():
    """One commit per user action, in the service's unit of work (portal/services/transaction.py)."""
    wrong = []
    for path in [*_modules(PORTAL / "blueprints"), PORTAL / "cli.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback"):
                wrong.append(f"{_name(path)}:{node.lineno} calls .{node.attr}()")
    assert wrong == []
