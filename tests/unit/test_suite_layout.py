"""The suite's own layout: no test module imports another test module.

What several test modules share lives in support modules (tests/accounts.py, tests/payments.py,
tests/html_validation.py, …). A test module imported by another couples the two (a change to one
breaks the other, a `test_*` function imported is collected twice) and runs its import-time code
wherever it is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_test_modules(source: str) -> list[str]:
    """The test modules (any dotted part named test_*) or test functions this source imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _names_a_test(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if _names_a_test(module):
                found.append(module)
            else:
                package = module if module.endswith(".") else f"{module}."
                found += [package + alias.name for alias in node.names if alias.name.startswith("test_")]
    return found


def _names_a_test(dotted: str) -> bool:
    return any(part.startswith("test_") for part in dotted.split("."))


def test_the_check_sees_every_way_of_importing_a_test_module():
    sources = {
        "from tests.web.test_valid_html import vnu_errors": ["tests.web.test_valid_html"],
        "import tests.web.test_webhook": ["tests.web.test_webhook"],
        "import tests.web.test_webhook as hooks": ["tests.web.test_webhook"],
        "from tests.web import test_bank_import": ["tests.web.test_bank_import"],
        "from .test_registrations import sign_up": [".test_registrations"],
        "from . import test_registrations": [".test_registrations"],
        "def f():\n    from tests.web.test_webhook import deliver": ["tests.web.test_webhook"],
        "from tests.html_validation import vnu_errors\nimport tests.campaigns\nfrom . import conftest": [],
    }
    for source, expected in sources.items():
        assert imported_test_modules(source) == expected, source


def test_no_test_module_imports_another_test_module():
    modules = sorted(TESTS.rglob("test_*.py"))
    assert len(modules) > 50  # the whole suite: unit, web and browser
    offenders = {
        str(path.relative_to(TESTS.parent)): found
        for path in modules
        if (found := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "move what they share to a support module in tests/"
