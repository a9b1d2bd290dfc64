"""The gallery in Chromium: filtering by Municipio from the map and from the form, with JavaScript
(htmx, in place, URL pushed, count announced) and without it; axe on every state at both widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER
from tests.gallery_data import every_state, with_pledges

pytestmark = pytest.mark.browser

CARD_TITLES = ".campaign-card .card-title"


@pytest.fixture(autouse=True)
def _campaigns(app, at):
    at(NOVEMBER)
    every_state(app)  # Municipio 8: Orti di Quarto (NIL 76) and Palestra Gallaratese


def open_gallery(page, url: str) -> None:
    page.goto(url)
    # A person types once the page has loaded. (Not wait_for_function: when its first look fails it
    # polls with a function built from the string, which the portal's CSP refuses: no 'unsafe-eval'.)
    page.wait_for_load_state("load")
    assert page.evaluate("window.htmx !== undefined")
    page.evaluate("window.__notReloaded = true")


def expect_titles(page, titles: list[str]) -> None:
    expect(page.locator(CARD_TITLES)).to_have_text(titles, use_inner_text=True)


def test_filter_by_municipio_from_the_form_with_javascript(page, live_server):
    open_gallery(page, f"{live_server}/it/progetti")
    expect(page.locator("#results-title")).to_have_text("5 progetti trovati")
    municipio = page.get_by_label("Municipio", exact=True)
    municipio.focus()
    municipio.select_option("8")
    expect(page).to_have_url(re.compile(r"/it/progetti\?.*municipio=8"))
    expect_titles(page, ["Orti di Quarto", "Palestra Gallaratese"])
    expect(page.locator("#gallery-status")).to_have_text("2 progetti trovati")
    assert page.evaluate("window.__notReloaded") is True  # swapped, not reloaded
    expect(page.locator("#map-title")).to_have_text("Municipio 8: i progetti per quartiere")
    # The select keeps the focus after the swap.
    assert page.evaluate("document.activeElement.id") == "gallery-municipio"

    # The pushed URL, opened again (shared), shows the same results.
    shared = page.url
    page.goto(shared)
    expect_titles(page, ["Orti di Quarto", "Palestra Gallaratese"])
    expect(page.get_by_label("Municipio", exact=True)).to_have_value("8")


def test_search_as_you_type_with_javascript(page, live_server):
    open_gallery(page, f"{live_server}/it/progetti")
    search = page.get_by_label("Cerca per titolo, organizzazione o descrizione")
    search.press_sequentially("ORTI", delay=30)
    expect_titles(page, ["Orti di Quarto"])
    expect(page.locator("#gallery-status")).to_have_text("1 progetto trovato")
    expect(page).to_have_url(re.compile(r"q=ORTI"))
    expect(search).to_be_focused()
    assert page.evaluate("window.__notReloaded") is True


def test_filter_by_municipio_and_nil_from_the_map_with_javascript(page, live_server):
    open_gallery(page, f"{live_server}/it/progetti")
    page.get_by_role("link", name="Municipio 8: 2 progetti").click()
    expect(page).to_have_url(re.compile(r"/it/progetti\?municipio=8#risultati$"))
    expect_titles(page, ["Orti di Quarto", "Palestra Gallaratese"])
    nil = page.locator("svg").get_by_role("link", name="Quarto Oggiaro - Vialba - Musocco: 1 progetto")
    # htmx has swapped and settled the list and the map: focus stays on the element it lands on.
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(0)
    # Reached by keyboard, the area is outlined (5 px, dark) on the map.
    nil.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(nil).to_be_focused()
    expect(nil.locator("path")).to_have_css("stroke-width", "5px")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"municipio=8&nil=76#risultati$"))
    expect_titles(page, ["Orti di Quarto"])
    page.get_by_role("link", name="Torna alla mappa di tutta la città").click()
    # Taking pledges first, then opening later, then ended.
    newest_first = ["Orti di Quarto", "Lab Barona", "Biblioteca Adriano", "Palestra Gallaratese", "Cinema Corvetto"]
    expect_titles(page, newest_first)


def test_filter_without_javascript(page_without_js, live_server):
    page = page_without_js
    page.goto(f"{live_server}/it/progetti")
    page.get_by_label("Municipio", exact=True).select_option("8")
    page.get_by_label("Stato della campagna").select_option("in_corso")
    page.get_by_role("button", name="Mostra i progetti").click()
    expect(page).to_have_url(re.compile(r"municipio=8.*stato=in_corso"))
    expect(page.locator("#results-title")).to_have_text("0 progetti trovati")
    page.get_by_label("Stato della campagna").select_option("")
    page.get_by_role("button", name="Mostra i progetti").click()
    expect_titles(page, ["Orti di Quarto", "Palestra Gallaratese"])
    # From the map too.
    page.get_by_role("link", name="Torna alla mappa di tutta la città").click()
    page.get_by_role("link", name="Municipio 6: 1 progetto").click()
    expect(page).to_have_url(re.compile(r"/it/progetti\?municipio=6#risultati$"))
    expect_titles(page, ["Lab Barona"])
    page.get_by_role("row", name="Barona").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"municipio=6&nil=46#risultati$"))
    expect_titles(page, ["Lab Barona"])


def test_pages_by_keyboard_without_javascript(app, page_without_js, live_server):
    with_pledges(app, 10)
    page = page_without_js
    page.goto(f"{live_server}/it/progetti")
    expect(page.locator(CARD_TITLES)).to_have_count(12)
    page.get_by_role("navigation", name="Pagine dei risultati").get_by_role("link", name="Pagina 2", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"pagina=2#risultati$"))
    expect(page.locator(CARD_TITLES)).to_have_count(3)
    expect(page.locator("#results-title")).to_have_text("15 progetti trovati – pagina 2 di 2")


@pytest.mark.parametrize(
    "query",
    ["", "?municipio=8&stato=in_corso&ordina=in_scadenza", "?q=nessuno&municipio=abc", "?municipio=6&nil=46"],
    ids=["all", "filtered", "empty", "municipio"],
)
def test_no_axe_violations(page, live_server, axe_source, query):
    page.goto(f"{live_server}/it/progetti{query}")
    assert_accessible(page, axe_source)


def test_no_axe_violations_after_an_htmx_swap(page, live_server, axe_source):
    open_gallery(page, f"{live_server}/en/progetti")
    page.locator("#gallery-municipio").select_option("4")
    expect(page.locator("#gallery-status")).to_have_text(re.compile("1"))
    assert_accessible(page, axe_source)


# --- on a phone ----------------------------------------------------------------------------------

SELECT_LOOK = """(select) => {
  const style = getComputedStyle(select);
  return {border: parseFloat(style.borderTopWidth) + parseFloat(style.borderLeftWidth)
            + parseFloat(style.borderRightWidth) + parseFloat(style.borderBottomWidth),
          borderColor: style.borderTopColor, arrow: style.backgroundImage, appearance: style.appearance,
          outline: parseFloat(style.outlineWidth), outlineStyle: style.outlineStyle};
}"""


def test_on_a_phone_the_filters_and_the_map_are_one_tap_from_the_list(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/it/progetti?pagina=1#risultati")
    page.wait_for_load_state("load")
    to_map = page.get_by_role("link", name="Vai alla mappa")
    to_filters = page.get_by_role("link", name="Vai ai filtri")
    expect(to_map).to_be_visible()
    expect(to_filters).to_be_visible()
    # Above the first card, in the document (not the viewport: the anchor may still be scrolling),
    # once the web fonts have laid the page out.
    page.evaluate("document.fonts.ready.then(() => true)")
    first_card = page.locator(".campaign-cards > li").first
    top = "(element) => element.getBoundingClientRect().top + window.scrollY"
    assert to_map.evaluate(top) < first_card.evaluate(top)
    assert to_filters.evaluate(top) < first_card.evaluate(top)
    to_map.click()
    expect(page).to_have_url(re.compile(r"#mappa$"))
    expect(page.locator("#map-title")).to_be_in_viewport()
    page.get_by_role("link", name="Torna all'elenco dei progetti").click()
    page.get_by_role("link", name="Vai ai filtri").click()
    expect(page.get_by_label("Municipio", exact=True)).to_be_in_viewport()


def test_the_jump_links_are_not_on_a_wide_screen(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/it/progetti")
    expect(page.get_by_role("link", name="Vai alla mappa")).to_be_hidden()
    expect(page.locator("#map-title")).to_be_visible()


@pytest.mark.parametrize("path", ["/it/progetti", "/en/progetti"])
def test_every_select_looks_like_one_with_a_visible_focus(page, live_server, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}{path}")
    page.wait_for_load_state("load")
    selects = page.locator("select")
    assert selects.count() == 6
    for index in range(selects.count()):
        look = selects.nth(index).evaluate(SELECT_LOOK)
        assert look["border"] >= 4, look  # a border on every side
        assert look["borderColor"] == "rgb(93, 112, 131)", look  # #5d7083: 5.1:1 on white
        assert look["arrow"].startswith('url("data:image/svg+xml'), look
    page.locator("#gallery-q").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    focused = page.locator("select:focus").evaluate(SELECT_LOOK)
    assert focused["outline"] >= 2 and focused["outlineStyle"] == "solid", focused
