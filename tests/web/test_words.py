"""The words and figures of a public service: every number in the page's own language whatever was
served before, dates that read naturally, plurals that agree, the budget as the source gives it, the
eligibility hint built from the edition's own legal forms, the councillors named the same way."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from flask import render_template_string

from portal.extensions import db
from portal.models import Edition
from tests.campaigns import NOVEMBER, make_campaign

PLEDGE = "/{lang}/progetti/lab-barona/sostieni"
ELIGIBILITY = "/{lang}/bando/verifica-requisiti"
# Every answer right but the duration: the check answers with the edition's maximum.
TOO_LONG = "?forma=associazione&non_profit=si&sede_milano=si&durata=24&costo=20.000"


def text_of(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)).replace("\u00a0", " "))


def element(html: str, element_id: str) -> str:
    """The words inside the element with this id, tags removed."""
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</(p|dd|li|div)>', html, re.S)
    assert found, f"no element #{element_id}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def change_edition(app, year: int = 2020, **values) -> None:
    with app.app_context():
        edition = db.session.execute(db.select(Edition).filter_by(year=year)).scalar_one()
        for name, value in values.items():
            setattr(edition, name, value)
        db.session.commit()


@pytest.fixture
def fresh_templates(app):
    """Templates compiled anew, as after the server starts: the first page served compiles them."""
    app.jinja_env.cache.clear()
    yield
    app.jinja_env.cache.clear()


# --- Every formatted number follows the page's language, whatever was served first -------------


@pytest.mark.parametrize("first", ["en", "it"])
def test_the_pledge_form_formats_amounts_in_its_own_language_whatever_was_served_first(
    app, client, at, fresh_templates, first
):
    at(NOVEMBER)
    make_campaign(app, rewards=(("Cartolina", 10_00, 2),))
    second = "it" if first == "en" else "en"
    pages = {lang: text_of(client.get(PLEDGE.format(lang=lang))) for lang in (first, second)}

    italian, english = element(pages["it"], "importo-hint"), element(pages["en"], "importo-hint")
    assert "1 €" in italian and "20.000 €" in italian
    assert "€" not in italian.replace("1 €", "").replace("20.000 €", "")
    assert "€1" in english and "€20,000" in english
    assert "20.000" not in english
    assert "almeno 10 €" in pages["it"] and "€10" in pages["en"]


@pytest.mark.parametrize("first", ["en", "it"])
def test_a_figure_written_in_a_template_follows_each_page_language(app, first):
    """A constant in a template (`100|money`, a date in a long text) is formatted on each page, not
    once when the template is compiled in the language of whoever came first."""
    second = "it" if first == "en" else "en"
    with app.test_request_context(f"/{first}/"):
        template = app.jinja_env.from_string(
            '{{ 2000000|money }} {{ 1234.5|decimal }} {{ "2020-11-15"|day_with_weekday }}'
        )
    said = {}
    for lang in (first, second):
        with app.test_request_context(f"/{lang}/"):
            said[lang] = template.render().replace("\u00a0", " ")
    assert said["it"] == "20.000 € 1.234,50 domenica 15 novembre 2020"
    assert said["en"] == "€20,000 1,234.50 Sunday 15 November 2020"


def test_the_call_page_figures_follow_the_page_language(client, fresh_templates):
    english = text_of(client.get("/en/bando/2020"))
    italian = text_of(client.get("/it/bando/2020"))
    assert "€100,000" in english and "100.000 €" not in english
    assert "100.000 €" in italian and "€100,000" not in italian


# --- Dates that read naturally ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("it", "Dati aggiornati a domenica 15 novembre 2020"), ("en", "Data updated on Sunday 15 November 2020")],
)
def test_the_full_date_with_its_weekday_is_the_day_in_rome(app, lang, expected):
    late_saturday_in_utc = datetime(2020, 11, 14, 23, 30, tzinfo=UTC)  # already Sunday in Rome
    words = {"it": "Dati aggiornati a", "en": "Data updated on"}[lang]
    with app.test_request_context(f"/{lang}/"):
        said = render_template_string(
            "{{ words }} {{ moment|day_with_weekday }}", words=words, moment=late_saturday_in_utc
        )
    assert said == expected


def test_the_accessibility_statement_gives_its_review_date_and_how_to_report_a_problem(client):
    italian = text_of(client.get("/it/accessibilita"))
    assert "Ultima revisione della dichiarazione: venerdì 27 novembre 2026" in re.sub(r"<[^>]+>", "", italian)
    assert '<time datetime="2026-11-27">' in italian
    assert "parzialmente conforme" in italian
    assert 'href="mailto:accessibilita@comune.milano.example"' in italian
    assert "Difensore civico per il digitale" in italian and 'href="https://form.agid.gov.it/"' in italian
    english = text_of(client.get("/en/accessibilita"))
    assert "last reviewed on Friday 27 November 2026" in re.sub(r"<[^>]+>", "", english)
    assert "partially compliant" in english and "Enforcement procedure" in english


# --- Plurals that agree -------------------------------------------------------------------------


def test_the_longest_duration_agrees_with_its_number(app, client):
    assert "Il progetto può durare al massimo 12 mesi." in text_of(client.get(ELIGIBILITY.format(lang="it") + TOO_LONG))
    assert "A project may last at most 12 months." in text_of(client.get(ELIGIBILITY.format(lang="en") + TOO_LONG))
    change_edition(app, max_duration_months=1)
    italian = text_of(client.get(ELIGIBILITY.format(lang="it") + TOO_LONG))
    assert "Il progetto può durare al massimo 1 mese." in italian and "1 mesi" not in italian
    english = text_of(client.get(ELIGIBILITY.format(lang="en") + TOO_LONG))
    assert "A project may last at most 1 month." in english and "1 months" not in english


def test_one_reward_left_is_said_in_the_singular(app, client, at):
    at(NOVEMBER)
    make_campaign(app, rewards=(("Cartolina", 10_00, 1), ("Tazza", 25_00, 3)))
    italian = text_of(client.get(PLEDGE.format(lang="it")))
    assert "(ne resta 1)" in italian and "(ne restano 3)" in italian


# --- The budget as the source gives it ----------------------------------------------------------


def test_a_budget_given_as_a_floor_reads_over_on_every_page(app, client):
    assert "oltre 500.000 €" in text_of(client.get("/it/bando/2020"))
    assert "over €500,000" in text_of(client.get("/en/bando/2020"))
    tracker = text_of(client.get("/it/bando/2020/cofinanziamento"))
    assert element(tracker, "figure-budget") == "oltre 500.000 €"
    assert "Su un budget di oltre 500.000 €" in tracker


def test_an_exact_budget_reads_as_the_figure_alone(app, client):
    change_edition(app, budget_is_floor=False)
    call = text_of(client.get("/it/bando/2020"))
    assert "500.000 €" in call and "oltre 500.000" not in call
    tracker = text_of(client.get("/it/bando/2020/cofinanziamento"))
    assert element(tracker, "figure-budget") == "500.000 €"


# --- The eligibility hint lists the edition's own legal forms -----------------------------------


def test_the_eligibility_hint_lists_exactly_the_edition_legal_forms(app, client):
    hint = element(text_of(client.get(ELIGIBILITY.format(lang="it"))), "forma-hint")
    assert hint == (
        "Il bando ammette queste forme giuridiche: "
        "associazione, fondazione e impresa sociale (anche cooperativa sociale)."
    )
    english = element(text_of(client.get(ELIGIBILITY.format(lang="en"))), "forma-hint")
    assert english.startswith("The call admits these legal forms: association, foundation")

    change_edition(app, eligible_legal_forms=["fondazione"])
    page = text_of(
        client.get(
            ELIGIBILITY.format(lang="it") + "?forma=associazione&non_profit=si&sede_milano=si&durata=12&costo=20.000"
        )
    )
    hint = element(page, "forma-hint")
    assert hint == "Il bando ammette questa forma giuridica: fondazione."
    # The refusal repeats the same list: the hint and the check never disagree.
    assert f"La forma giuridica che hai indicato non è ammessa. {hint}" in page


# --- The same words everywhere ------------------------------------------------------------------


def test_the_councillors_are_named_with_their_roles_in_both_languages(client):
    italian = text_of(client.get("/it/eventi/sessione-informativa-2020"))
    assert "Cristina Tajani</strong>, Assessora al Lavoro, Commercio e Risorse umane del Comune di Milano" in italian
    assert "Gabriele Rabaiotti</strong>, Assessore del Comune di Milano" in italian
    assert "L'assessora Cristina Tajani, l'assessore Gabriele Rabaiotti" in italian
    english = text_of(client.get("/en/eventi/sessione-informativa-2020"))
    assert "Cristina Tajani</strong>, Councillor for Labour, Commerce and Human Resources, Comune di Milano" in english


def test_the_pledge_form_speaks_of_support_not_of_a_promise(app, client, at):
    at(NOVEMBER)
    make_campaign(app)
    italian = text_of(client.get(PLEDGE.format(lang="it")))
    assert "Conferma il sostegno" in italian and "Il tuo sostegno" in italian
    assert "promess" not in italian.lower()
