"""Templates compare no raw status strings: they ask the rule.

`{% if application.status.value == "submitted" %}` spells a rule a second time, in a place no
test of the rule reaches, and breaks silently when a value is renamed. A template asks the rule's
home instead: a property of the enum (`call.status.is_open`, `pledge.status.is_paid`) or of the
model (`application.is_selected`, `registration.is_confirmed`), written once in `portal/domain`
or `portal/models` (docs: DESIGN.md, "One home per rule").

Printing a value is fine (`status-{{ item.status.value }}` builds a CSS class, the open data
lists the codes); comparing one is not. Nor is comparing anything else to a string literal
(`kind == "24h"`), except the few things that are strings by nature, in `STRINGS_BY_NATURE`.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"

_STRING = r"""(?:"[^"]*"|'[^']*')"""
_COMPARISON = r"(?:==|!=|\bnot\s+in\b|\bin\b)"

# `x.status.value == "live"`, `x.value != 'open'`, `x.status.value in ("confirmed", "refund_due")`
VALUE_COMPARED = re.compile(rf"\.value\s*{_COMPARISON}")
# `"live" == x.status.value`
COMPARED_TO_VALUE = re.compile(rf"{_STRING}\s*(?:==|!=)\s*[\w.\[\]]+\.value\b")
# `|selectattr("status.value", "equalto", "confirmed")`, `|rejectattr("value", ...)`
VALUE_FILTERED = re.compile(r"""(?:select|reject)attr\(\s*["'](?:[\w.]+\.)?value["']""")
# `{% set status = pledge.status.value %}`: the name is then checked for comparisons below.
VALUE_NAMED = re.compile(r"\{%-?\s*set\s+(\w+)\s*=\s*[\w.\[\]]+\.value\s*-?%\}")
# `kind == "24h"`, `'open' != call_status`: what is compared to the literal.
_OPERAND = r"[\w.\[\]][\w.()\[\]]*"
LITERAL_COMPARED = re.compile(rf"({_OPERAND})\s*(?:==|!=)\s*{_STRING}|{_STRING}\s*(?:==|!=)\s*({_OPERAND})")
# Strings that are no rule's values: the page's language, a macro's own size argument.
STRINGS_BY_NATURE = frozenset({"current_lang()", "size"})


def _name_compared(name: str) -> re.Pattern[str]:
    """`status == "pending"`, `status in ("a", "b")`, `'pending' != status`."""
    return re.compile(
        rf"(?<![\w.])(?<!for ){re.escape(name)}\s*{_COMPARISON}|{_STRING}\s*(?:==|!=)\s*{re.escape(name)}(?![\w.])"
    )


def offences(source: str) -> list[str]:
    """Each comparison of an enum's raw value, or of anything to a string literal, in a template's
    source, as "line N: text"."""
    found: list[tuple[int, str]] = []
    lines = source.splitlines()
    for number, line in enumerate(lines, start=1):
        literals = {m.group(1) or m.group(2) for m in LITERAL_COMPARED.finditer(line)} - STRINGS_BY_NATURE
        if VALUE_COMPARED.search(line) or COMPARED_TO_VALUE.search(line) or VALUE_FILTERED.search(line) or literals:
            found.append((number, line.strip()))
    for name in {match.group(1) for match in VALUE_NAMED.finditer(source)}:
        compared = _name_compared(name)
        found.extend((number, line.strip()) for number, line in enumerate(lines, start=1) if compared.search(line))
    return [f"line {number}: {text}" for number, text in sorted(set(found))]


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


def test_the_check_sees_every_way_of_comparing_a_raw_value():
    bad = [
        '{% if application.status.value == "submitted" %}',
        "{% if call.status.value != 'open' %}",
        '{% if group.status.value in ("confirmed", "refund_due") %}',
        '{% if group.status.value not in ("confirmed", "refund_due") %}',
        '{% if "live" == item.status.value %}',
        "{{ 'missed' if figures.state.value == 'not_funded' else 'locked' }}",
        '{% set n = items|rejectattr("status.value", "equalto", "cancelled")|list %}',
        "{% set n = items|selectattr('state.value', 'equalto', 'live')|list %}",
        '{% set done = states.values()|selectattr("value", "equalto", "complete")|list %}',
        '{% set status = pledge.status.value %}\n<p>{% if status == "pending" %}x{% endif %}</p>',
        '{% set s = p.status.value %}\n{% elif s in ("a", "b") %}',
        "{% set s = p.status.value -%}\n{% if 'a' != s %}",
        '{% if kind == "24h" %}',
        "{% if 'open' != call_status %}",
    ]
    for source in bad:
        assert offences(source), source


def test_the_check_lets_values_be_printed_and_rules_be_asked():
    fine = [
        '<li class="status-card status-{{ item.status.value }}">',
        '{% set section_id = "stato-" ~ group.status.value %}',
        "<dt><code>{{ state.value }}</code></dt>",
        '<option value="{{ sort.value }}"{% if filters.sort == sort %} selected{% endif %}>',
        "{% if application.is_selected %}",
        "{% if group.status.is_paid %}",
        '{% set past = items|rejectattr("id", "equalto", active.id if active else none)|list %}',
        '{% set done = states.values()|selectattr("is_complete")|list|length %}',
        '{% if current_lang() == "en" %}',
        "{{ 'a' if (current_lang() == 'it') else 'b' }}",
        '<img{% if size == "card" %} loading="lazy"{% endif %}>',
        '{% set status = pledge.status.value %}\n<strong class="status-{{ status }}">{{ titles[status] }}</strong>',
        "{% set status = pledge.status.value %}\n{% if pledge.status.awaits_payment %}",
        "{% set status = pledge.status.value %}\n{% for status in statuses %}{% endfor %}",
    ]
    for source in fine:
        assert offences(source) == [], source


def test_templates_ask_the_rule_instead_of_comparing_raw_values():
    files = template_files()
    assert files, f"no templates under {TEMPLATES}"
    found = {
        str(path.relative_to(TEMPLATES)): problems
        for path in files
        if (problems := offences(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "ask the enum or the model (DESIGN.md, 'One home per rule'):\n" + "\n".join(
        f"{name} {problem}" for name, problems in found.items() for problem in problems
    )
