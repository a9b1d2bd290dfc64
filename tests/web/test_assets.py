"""The stylesheet that blocks every first paint: small, holding every style a page uses, fonts that
never hide text.

portal.css is built by scripts/build_assets.sh: Bootstrap Italia's subset and the portal's SCSS,
less the rules no template can use (PurgeCSS, assets/purgecss.config.cjs). A template that starts
using a class the built file dropped would show unstyled: run `make assets` after changing templates.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "portal" / "static" / "css" / "portal.css"
TEMPLATES = ROOT / "portal" / "templates"
OWN_SCSS = sorted((ROOT / "assets" / "scss").glob("_*.scss"))

# Lighthouse's mobile profile reads the render-blocking CSS over a slow 4G link: 37 KB gzipped
# (242 KB raw) held the first paint at 2.0-2.3 s; what is used of it is ~14 KB.
CSS_BUDGET_GZIPPED = 18 * 1024

CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
# "state-" in class="campaign-state state-{{ card.state.value }}" (as assets/purgecss.config.cjs reads it)
DYNAMIC_PREFIX = re.compile(r"([A-Za-z][\w-]*-)\{\{")
SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def _css() -> str:
    return CSS.read_text(encoding="utf-8")


def _css_classes() -> set[str]:
    return set(SELECTOR_CLASS.findall(re.sub(r"url\([^)]*\)", "", _css())))


def _own_scss_classes() -> set[str]:
    """Classes the portal's own SCSS styles (assets/scss/_*.scss), outside comments and url()s."""
    classes: set[str] = set()
    for scss in OWN_SCSS:
        text = re.sub(r"//[^\n]*|/\*.*?\*/|url\([^)]*\)", "", scss.read_text(encoding="utf-8"), flags=re.S)
        selectors = re.findall(r"([^{};]+)\{", text)
        for selector in selectors:
            if selector.strip().startswith("@") or ":" in selector and "." not in selector:
                continue
            # ".pct-#{$n}" is a family made by a loop: its members are checked in the built file
            classes.update(name for name in SELECTOR_CLASS.findall(selector) if not name.endswith("-"))
    return classes


def _template_class_attributes() -> list[tuple[str, str]]:
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        found.extend((str(template.relative_to(TEMPLATES)), value) for value in CLASS_ATTRIBUTE.findall(text))
    return found


def test_the_stylesheet_stays_within_its_budget():
    size = len(gzip.compress(CSS.read_bytes(), compresslevel=9))
    assert size <= CSS_BUDGET_GZIPPED, f"portal.css is {size / 1024:.1f} KB gzipped"


def test_every_class_the_templates_write_keeps_its_own_styles():
    """A class written in a template and styled by the portal's SCSS is in the built stylesheet."""
    styled, built = _own_scss_classes(), _css_classes()
    missing = set()
    for template, value in _template_class_attributes():
        words = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", value).split()
        missing.update((template, word) for word in words if word in styled and word not in built)
    assert not missing, f"styled in assets/scss but not in portal.css (run `make assets`): {sorted(missing)}"


def test_every_class_a_template_builds_from_a_prefix_keeps_its_styles():
    """class="state-{{ … }}": every .state-… rule of the SCSS reaches the stylesheet, whatever the value."""
    styled, built = _own_scss_classes(), _css_classes()
    prefixes = {prefix for _, value in _template_class_attributes() for prefix in DYNAMIC_PREFIX.findall(value)}
    assert {"state-", "pct-", "alert-"} <= prefixes  # the reading of the templates still finds them
    missing = sorted(
        name for name in styled if any(name.startswith(prefix) for prefix in prefixes) and name not in built
    )
    assert not missing, f"built from a prefix in a template, dropped from portal.css: {missing}"
    assert {"alert-success", "alert-danger", "alert-info", "alert-warning"} <= built  # flash messages


def test_fonts_never_hide_text_and_the_preloaded_one_is_declared(client):
    css = _css()
    faces = re.findall(r"@font-face\{[^}]*\}", css)
    assert faces and all("font-display:swap" in face for face in faces)
    declared = set(re.findall(r"url\(['\"]?\.\./vendor/titillium-web/([^)'\"]+\.woff2)", css))
    for name in declared:
        assert (ROOT / "portal" / "static" / "vendor" / "titillium-web" / name).is_file(), name

    head = client.get("/it/").get_data(as_text=True).split("</head>")[0]
    preloaded = re.findall(r'<link rel="preload" href="/static/vendor/titillium-web/([^"]+)" as="font"', head)
    assert preloaded and set(preloaded) <= declared
    # Nothing else in the head delays the first paint: one stylesheet, no script without defer.
    assert len(re.findall(r'rel="stylesheet"', head)) == 1
    assert not [tag for tag in re.findall(r"<script\b[^>]*>", head) if "defer" not in tag and "async" not in tag]
