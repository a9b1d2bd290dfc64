"""The private preview link in the browser: the team makes it, copies it with the "Copia link"
button (or, without JavaScript, from the read-only field), renews and revokes it by keyboard alone;
the preview page shows the banner; both pages accessible (axe-core at 1280 and 390 px) and valid."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.accounts import PASSWORD
from tests.browser.conftest import DESKTOP, assert_accessible
from tests.campaigns import NOVEMBER
from tests.html_validation import vnu_errors
from tests.projects import applied_campaign

pytestmark = pytest.mark.browser
OWNER = "anna@cordata.example"
BANNER = "Anteprima privata: la campagna non è ancora pubblica"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def team_url(app) -> str:
    """Anna's application became Lab Barona, launched and not yet published."""
    application_id, _ = applied_campaign(app, OWNER, published=False)
    return f"/it/domanda/{application_id}/campagna/anteprima"


@pytest.fixture
def clipboard_page(browser):
    """A page whose origin may read and write the clipboard, as a person's browser lets it."""
    context = browser.new_context(viewport=DESKTOP, locale="it-IT", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, live_server):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail", exact=True).fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()


def tab_to(page, target, most: int = 80) -> None:
    """Press Tab from the top of the page until `target` has the focus, as a keyboard user would."""
    page.locator("body").focus()
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            expect(target).to_be_focused()
            return
    raise AssertionError(f"{target} is not reachable with Tab")


def on_live_server(link: str, live_server: str) -> str:
    """The shown link (on SITE_URL) at the test's own server."""
    path = urlsplit(link).path
    assert path.startswith("/it/anteprima/"), link
    return live_server + path


def saved(pages: list[tuple[str, str]], tmp_path) -> list[str]:
    files = []
    for name, html in pages:
        target = tmp_path / f"{name}.html"
        target.write_text(html)
        files.append(str(target))
    return files


def test_the_team_makes_copies_and_revokes_the_link_by_keyboard(
    clipboard_page, browser, team_url, live_server, axe_source, tmp_path
):
    page = clipboard_page
    sign_in(page, live_server)
    page.goto(live_server + team_url)
    expect(page.get_by_role("heading", name="Anteprima privata della campagna", exact=True)).to_be_visible()
    assert_accessible(page, axe_source)
    pages = [("team-no-link", page.content())]

    tab_to(page, page.get_by_role("button", name="Crea il link di anteprima"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Link di anteprima creato")
    field = page.get_by_label("Link di anteprima, da selezionare e copiare")
    shown = field.input_value()
    link = on_live_server(shown, live_server)
    expect(field).to_have_attribute("readonly", "")

    # "Copia link" (copy.js) copies the whole link and says so in the live region.
    copy = page.get_by_role("button", name="Copia link")
    tab_to(page, copy)
    page.keyboard.press("Enter")
    expect(page.locator("[data-copy-status]")).to_have_text("Link copiato.")
    assert page.evaluate("() => navigator.clipboard.readText()") == shown
    assert_accessible(page, axe_source)
    pages.append(("team-link", page.content()))

    # Anyone with the link: the page as it will look, with the banner and nothing to pledge.
    visitor = browser.new_context(viewport=DESKTOP, locale="it-IT").new_page()
    visitor.goto(link)
    expect(visitor.get_by_text(BANNER)).to_be_visible()
    expect(visitor.get_by_role("heading", name="Lab Barona", exact=True)).to_be_visible()
    expect(visitor.get_by_role("link", name="Sostieni il progetto")).to_have_count(0)
    expect(visitor.get_by_role("heading", name="Condividi")).to_have_count(0)
    assert_accessible(visitor, axe_source)
    pages.append(("preview", visitor.content()))

    # A new link: the old one stops working at once.
    tab_to(page, page.get_by_role("button", name="Crea un nuovo link"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("quello di prima non funziona più")
    renewed = on_live_server(field.input_value(), live_server)
    assert renewed != link
    assert visitor.goto(link).status == 404
    assert visitor.goto(renewed).status == 200

    tab_to(page, page.get_by_role("button", name="Revoca il link"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Link revocato")
    expect(page.get_by_label("Link di anteprima, da selezionare e copiare")).to_have_count(0)
    assert_accessible(page, axe_source)
    assert visitor.goto(renewed).status == 404
    visitor.context.close()

    assert vnu_errors(saved(pages, tmp_path)) == []


def test_without_javascript_the_link_is_a_field_to_copy_and_the_preview_works(
    page_without_js, browser, team_url, live_server
):
    page = page_without_js
    sign_in(page, live_server)
    page.goto(live_server + team_url)
    page.get_by_role("button", name="Crea il link di anteprima").click()
    field = page.get_by_label("Link di anteprima, da selezionare e copiare")
    link = on_live_server(field.input_value(), live_server)
    expect(page.get_by_role("button", name="Copia link")).to_have_count(0)  # the field is the way to copy
    expect(page.get_by_text("Condividi…")).to_be_hidden()

    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="it-IT")
    visitor = context.new_page()
    visitor.goto(link)
    expect(visitor.get_by_text(BANNER)).to_be_visible()
    expect(visitor.get_by_role("heading", name="La raccolta")).to_be_visible()
    context.close()

    page.get_by_role("button", name="Revoca il link").click()
    expect(page.get_by_role("button", name="Crea il link di anteprima")).to_be_visible()
