"""Real headless Chromium (Debian's) driven by Playwright, against the app served on 127.0.0.1."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
# Fonts loaded and two frames drawn: sizes and spacing of targets are final.
SETTLED = "document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _seeded(data):
    """Browser tests start from the real editions and events."""


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    assert AXE.exists(), "axe-core is missing: `make test` runs `npm ci`"
    return AXE.read_text()


def run_axe(page, axe_source: str) -> list[dict]:
    """axe-core's violations for the current page, WCAG 2.0-2.2 A and AA.

    Measured once the fonts are in and the layout has settled (after a resize, a target's size
    and spacing are only final on the next frame)."""
    page.evaluate(SETTLED)
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page, axe_source: str) -> None:
    """No axe-core violation on the current page at desktop and phone widths."""
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        assert run_axe(page, axe_source) == [], f"{page.url} at {viewport['width']} px"
    page.set_viewport_size(DESKTOP)
