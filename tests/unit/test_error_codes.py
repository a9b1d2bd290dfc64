"""Error and outcome codes are enum members, never string literals.

Every module names its codes in its own `StrEnum` (``PledgeError.NOT_OPEN``); code raises and
compares the members. A misspelt member fails at import, a misspelt string never fails at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[2] / "portal"
CODE_ATTRIBUTES = {"code", "outcome"}
COMPARISONS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)


def _is_string(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_strings(node: ast.expr) -> bool:
    """A string, or a literal tuple, list or set holding one (`code in ("a", "b")`)."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_string(element) for element in node.elts)
    return _is_string(node)


def _is_code(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in CODE_ATTRIBUTES


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def violations(source: str) -> list[tuple[int, str]]:
    """(line, what) for every `DomainError("…")` and every `.code`/`.outcome` compared to a string."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _called_name(node) == "DomainError":
            first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "code"), None)
            if first is not None and _is_string(first):
                found.append((node.lineno, f"DomainError({first.value!r}): raise an enum member"))
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
                if not isinstance(op, COMPARISONS):
                    continue
                if (_is_code(left) and _is_strings(right)) or (_is_code(right) and _is_strings(left)):
                    attribute = left.attr if _is_code(left) else right.attr
                    found.append((node.lineno, f".{attribute} compared to a string literal: compare the member"))
    return found


def test_no_string_codes_in_portal() -> None:
    problems = [
        f"{path.relative_to(PORTAL.parent)}:{line}: {what}"
        for path in sorted(PORTAL.rglob("*.py"))
        for line, what in violations(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        'raise DomainError("not_open")',
        'raise domain.DomainError("too_large", limit_mb=5)',
        'raise DomainError(code="expired")',
        'if error.code == "not_open": pass',
        'if "not_open" != error.code: pass',
        'if confirmation.outcome == "confirmed": pass',
        'if problem.code in ("malformed", "stale"): pass',
        'ok = 0 < len(x) and error.code != "empty"',
    ],
)
def test_the_check_finds_string_codes(source: str) -> None:
    assert violations(source)


@pytest.mark.parametrize(
    "source",
    [
        "raise DomainError(PledgeError.NOT_OPEN)",
        'raise DomainError(WebhookError.MALFORMED, field="body")',
        "if error.code == PledgeError.NOT_OPEN: pass",
        "if confirmation.outcome != PaymentOutcome.CONFIRMED: pass",
        "if problem.code not in FILE_PROBLEMS: pass",
        'if criterion.max_score == 10 and name == "code": pass',
        "status = 404 if error.code == 404 else 500",
    ],
)
def test_the_check_lets_members_through(source: str) -> None:
    assert not violations(source)


def test_every_upload_error_has_one_message_for_applicants_and_staff() -> None:
    from portal.services.uploads import UploadError
    from portal.upload_messages import UPLOAD_PROBLEMS

    assert set(UPLOAD_PROBLEMS) == set(UploadError)
    for path in (PORTAL / "blueprints").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "UploadError." not in source, f"{path.relative_to(PORTAL.parent)}: use portal/upload_messages.py"
