"""No blueprint imports another, and nothing outside the blueprints imports one.

Shared vocabulary (labels, form fields, rendering helpers, absolute URLs) lives in `portal/`
modules; only `portal/__init__.py` imports the blueprints, to register them.
"""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
BLUEPRINTS = "portal.blueprints"
REGISTRAR = "portal"  # portal/__init__.py


def module_name(path: Path) -> tuple[str, bool]:
    """The dotted name of the module at `path`, and whether it is a package's `__init__`."""
    parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module `source` imports (relative imports resolved), with its line.

    `from a import b` counts as importing both `a` and `a.b`, since `b` may be a module.
    """
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names if alias.name != "*")
    return found


def blueprint_of(module: str) -> str | None:
    """`admin` for `portal.blueprints.admin.forms`; "" for the package `portal.blueprints` itself."""
    if module == BLUEPRINTS:
        return ""
    if module.startswith(BLUEPRINTS + "."):
        return module.split(".")[2]
    return None


def violations(module: str, is_package: bool, source: str) -> list[str]:
    """Inside blueprint a: imports of any blueprint b != a. Elsewhere: imports of any blueprint."""
    if module in (BLUEPRINTS, REGISTRAR):
        return []  # the blueprints' package, and create_app() registering them
    own = blueprint_of(module)
    problems: dict[tuple[int, str], str] = {}
    for line, target in imported_modules(source, module, is_package):
        other = blueprint_of(target)
        if other is None or (own is not None and other in ("", own)):
            continue  # not a blueprint; or, inside one, itself or the package holding it
        what = f"the blueprint {other}" if other else "the blueprints"
        problems.setdefault((line, other), f"{module}:{line} imports {target} ({what})")
    return list(problems.values())


def all_violations() -> list[str]:
    problems = []
    for path in sorted(PORTAL.rglob("*.py")):
        module, is_package = module_name(path)
        problems.extend(violations(module, is_package, path.read_text(encoding="utf-8")))
    return problems


def test_no_blueprint_imports_another_and_nothing_else_imports_a_blueprint():
    problems = all_violations()
    assert not problems, "move shared vocabulary to a portal/ module:\n" + "\n".join(problems)


def test_the_check_sees_every_kind_of_import():
    inside = "portal.blueprints.admin.forms"
    assert violations(inside, False, "from portal.blueprints.call.forms import GetForm")
    assert violations(inside, False, "import portal.blueprints.courses.forms")
    assert violations(inside, False, "from portal.blueprints import call")
    assert violations(inside, False, "from ...blueprints.call import forms")
    assert violations(inside, False, "def f():\n    from ..courses import forms\n")
    assert violations("portal.blueprints.admin", True, "from ..call import forms")
    assert violations("portal.cli", False, "from portal.blueprints.payments.webhook import SIGNATURE_HEADER")
    assert violations("portal.services.mail", False, "from portal import blueprints")
    assert violations("portal.labels", False, "import portal.blueprints")

    assert not violations(inside, False, "from portal.blueprints.admin import bp")
    assert not violations(inside, False, "from . import views\nfrom .views import csv_response")
    assert not violations("portal.blueprints.admin", True, "from portal.blueprints.admin import views")
    assert not violations(inside, False, "from portal.labels import THEME_LABELS\nimport portal.form_fields")
    assert not violations("portal", True, "from portal.blueprints import admin, call")
