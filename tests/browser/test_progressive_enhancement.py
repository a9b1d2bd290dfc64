"""The calculator and the eligibility check work with JavaScript (htmx, in place) and without it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_calculator_updates_in_place_with_javascript(page, live_server):
    page.goto(f"{live_server}/it/bando/2020")
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("Costo totale del progetto (euro)").fill("20.000")
    page.get_by_role("button", name="Calcola").click()
    expect(page.locator("#calc-citizens")).to_have_text("8.000 €")
    expect(page.locator("#calc-comune")).to_have_text("12.000 €")
    assert page.evaluate("window.__notReloaded") is True  # swapped, not reloaded
    expect(page).to_have_url(re.compile(r"/it/bando/2020\?costo=20\.000$"))  # shareable URL
    expect(page.locator("#calculator-status")).to_have_text("Da raccogliere: 8.000 €. Contributo del Comune: 12.000 €.")
    # The button the user pressed keeps the focus after the swap.
    assert page.evaluate("document.activeElement.id") == "calc-submit"


def test_calculator_error_in_place_keeps_the_value(page, live_server):
    page.goto(f"{live_server}/en/bando/2020")
    field = page.get_by_label("Total cost of the project (euros)")
    field.fill("abc")
    field.press("Enter")
    expect(page.locator("#costo-error")).to_contain_text("Write the cost as a number of euros")
    expect(page.get_by_label("Total cost of the project (euros)")).to_have_value("abc")
    expect(page.get_by_label("Total cost of the project (euros)")).to_have_attribute("aria-invalid", "true")


def test_calculator_without_javascript(page_without_js, live_server):
    page = page_without_js
    page.goto(f"{live_server}/it/bando/2020")
    page.get_by_label("Costo totale del progetto (euro)").fill("100.000")
    page.get_by_role("button", name="Calcola").click()
    expect(page).to_have_url(re.compile(r"/it/bando/2020\?costo=100\.000#calcolatore$"))
    expect(page.locator("#calc-citizens")).to_have_text("40.000 €")
    expect(page.locator("#calc-comune")).to_have_text("60.000 €")


def test_calculator_over_the_limit_without_javascript(page_without_js, live_server):
    page = page_without_js
    page.goto(f"{live_server}/it/bando/2020?costo=150.000")
    expect(page.locator("#costo-error")).to_contain_text("al massimo 100.000 €")
    expect(page).to_have_title(re.compile("^Errore:"))


def answer_eligibility(page, *, form: str, cost: str) -> None:
    # People click the label: Bootstrap Italia draws the radio on it.
    page.locator("label.form-check-label", has_text=form).click()
    page.locator("label[for=non_profit-0]").click()
    page.locator("label[for=sede_milano-0]").click()
    expect(page.get_by_label(form)).to_be_checked()
    page.get_by_label("Durata del progetto (mesi)").fill("12")
    page.get_by_label("Costo totale del progetto (euro)").fill(cost)
    page.get_by_role("button", name="Verifica").click()


def test_eligibility_with_javascript(page, live_server):
    page.goto(f"{live_server}/it/bando/verifica-requisiti")
    page.evaluate("window.__notReloaded = true")
    answer_eligibility(page, form="Associazione", cost="20.000")
    expect(page.get_by_role("heading", name="Puoi partecipare", exact=True)).to_be_visible()
    expect(page.locator("#checker-status")).to_have_text("Puoi partecipare.")
    assert page.evaluate("window.__notReloaded") is True
    expect(page).to_have_url(re.compile(r"forma=associazione"))


def test_eligibility_without_javascript(page_without_js, live_server):
    page = page_without_js
    page.goto(f"{live_server}/it/bando/verifica-requisiti")
    answer_eligibility(page, form="Società o impresa commerciale", cost="150.000")
    expect(page.get_by_role("heading", name=re.compile("Non puoi partecipare: 2 requisiti"))).to_be_visible()
    expect(page.get_by_text("al massimo 100.000 €")).to_be_visible()


def test_eligibility_errors_without_javascript_link_to_the_fields(page_without_js, live_server):
    page = page_without_js
    page.goto(f"{live_server}/it/bando/verifica-requisiti")
    page.get_by_role("button", name="Verifica").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="Scegli la forma giuridica dell'organizzazione").click()
    expect(page).to_have_url(re.compile("#forma-0$"))
