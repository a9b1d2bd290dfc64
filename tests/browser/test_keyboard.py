"""Keyboard use: the skip link comes first and the calculator works with keys alone."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/it/", "/en/bando/2020", "/it/bando/verifica-requisiti", "/it/contatti"])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server, path):
    page.goto(live_server + path)
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.getAttribute('href')]")
    assert focused == ["A", "#main"]
    expect(page.locator(":focus")).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_calculator_by_keyboard_only(page, live_server):
    page.goto(f"{live_server}/it/bando/2020")
    page.locator("#costo").focus()
    page.keyboard.type("50.000")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "calc-submit"
    page.keyboard.press("Enter")
    expect(page.locator("#calc-comune")).to_have_text("30.000 €")


def test_language_switch_keeps_the_page(page, live_server):
    page.goto(f"{live_server}/it/bando/2020?costo=20.000")
    page.get_by_role("link", name="EN – English").click()
    expect(page).to_have_url(f"{live_server}/en/bando/2020?costo=20.000")
    expect(page.locator("#calc-comune")).to_have_text("€12,000")


def test_the_menu_opens_without_javascript_on_a_phone(page_without_js, live_server):
    page = page_without_js
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/it/")
    menu_link = page.get_by_role("navigation", name="Menu principale").get_by_role("link", name="Il bando")
    expect(menu_link).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(menu_link).to_be_visible()
    menu_link.click()
    expect(page).to_have_url(f"{live_server}/it/bando/2020")


def test_the_menu_is_always_open_on_a_desktop(page, live_server):
    page.goto(f"{live_server}/en/")
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link", name="The call")).to_be_visible()
