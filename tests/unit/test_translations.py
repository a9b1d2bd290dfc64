"""Every Italian string has its English translation, and the compiled catalogue is current."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("portal/**.py", "python"), ("portal/templates/**.html", "jinja2"), ("portal/templates/**.txt", "jinja2")]


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS, options_map={"portal/templates/**.html": {}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue():
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def test_every_italian_string_has_an_english_translation():
    catalogue = _catalogue()
    missing = []
    for msgid in sorted(_source_messages()):
        entry = catalogue.get(msgid)
        strings = entry.string if entry is not None else None
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or not translated or entry.fuzzy:
            missing.append(msgid)
    assert not missing, "run `make translations` and translate:\n" + "\n".join(missing)


def _as_dict(catalogue) -> dict:
    """Message id → translation; plural ids and strings come back as lists, made hashable."""

    def frozen(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {frozen(m.id): frozen(m.string) for m in catalogue if m.id}


def test_the_compiled_catalogue_matches_the_po_file():
    fresh = io.BytesIO()
    write_mo(fresh, _catalogue())
    fresh.seek(0)
    with MO.open("rb") as handle:
        committed = read_mo(handle)
    compiled = read_mo(fresh)
    assert _as_dict(committed) == _as_dict(compiled), "the .mo is stale: run `make translations`"


def test_long_texts_exist_in_both_languages():
    content = ROOT / "portal" / "templates" / "pages" / "content"
    italian = {p.name.removesuffix(".it.html") for p in content.glob("*.it.html")}
    english = {p.name.removesuffix(".en.html") for p in content.glob("*.en.html")}
    assert italian and italian == english
