"""The public gallery `/it/progetti`: only published campaigns, their cards, filters, sorts, pages,
htmx fragments and bad query strings. The map, the cost in queries and valid HTML: test_gallery_map.py."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.clock import ROME
from portal.domain.campaign import state_of
from portal.extensions import db
from portal.models import Campaign, Edition
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign
from tests.gallery_data import GALLERY, change, every_state, paid, text_of, titles


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


# --- cards ---------------------------------------------------------------------------------------


def test_only_published_campaigns_each_with_its_card(app, client):
    make_campaign(app)
    make_campaign(app, "Progetto in preparazione", published=False)
    with app.app_context():
        lab_id = db.session.scalars(db.select(Campaign.id).filter_by(slug="lab-barona")).one()
    paid(app, lab_id, 3_000_00)

    response = client.get(GALLERY)
    assert titles(response) == ["Lab Barona"]
    text = text_of(response)
    assert "1 progetto trovato" in text
    assert "In corso" in text
    assert "La Cordata" in text
    assert "Barona · Municipio 6" in text
    assert "3.000 € raccolti su 8.000 € della soglia dei cittadini (il 40% del costo): raggiunto il 37%" in text
    assert "1 sostenitore" in text
    # Window 30 October – 28 December (60 days) in Rome; on 15 November 43 days are left.
    assert "ancora 43 giorni" in text
    html = response.get_data(as_text=True)
    assert 'href="/it/progetti/lab-barona"' in html
    assert 'role="progressbar"' in html and 'aria-valuenow="37"' in html and "pct-37" in html
    # No picture: the theme's illustration, decorative.
    assert 'src="/static/img/themes/ambiente.svg" alt=""' in html
    assert "Dati dimostrativi" not in text


def test_a_campaign_picture_with_its_alt_text_and_no_demo_note_on_the_card(app, client):
    campaign_id = make_campaign(app)
    change(
        app,
        campaign_id,
        image_file="3f" * 16,
        image_alt="Ragazzi riparano una bicicletta nel laboratorio",
        image_width=1600,
        image_height=900,
        demo_estimates=["goal_cents"],
    )
    html = client.get(GALLERY).get_data(as_text=True)
    assert f'src="/media/foto/{"3f" * 16}-480.jpg"' in html
    assert 'alt="Ragazzi riparano una bicicletta nel laboratorio" lang="it"' in html
    assert "Dati dimostrativi" not in text_of(client.get(GALLERY))  # it is in the page's "Dati e fonti"


def test_every_theme_has_its_illustration(client):
    from portal.domain.application import THEMES

    for theme in (*THEMES, "progetto"):
        response = client.get(f"/static/img/themes/{theme}.svg")
        assert response.status_code == 200, theme
        assert len(response.data) < 1_000
        assert response.data.startswith(b"<svg")
        response.close()


def test_each_state_in_words_and_days(app, client):
    every_state(app)
    text = text_of(client.get(GALLERY))
    assert "In arrivo" in text and "inizia il 1 dicembre 2020" in text
    assert "Cofinanziata: soglia raggiunta" in text
    assert "Conclusa con successo" in text and "conclusa il 29 settembre 2020" in text
    assert "Non finanziata" in text
    assert "8.000 € raccolti su 8.000 € della soglia dei cittadini (il 40% del costo): raggiunto il 100%" in text
    assert "9.000 € raccolti su 8.000 € della soglia dei cittadini (il 40% del costo): raggiunto il 112%" in text


def test_the_last_day_in_rome(app, client, at):
    make_campaign(app)  # pledges until 28 December 2020 included, Rome time
    at("2020-12-28T23:30:00+01:00")
    assert "ultimo giorno" in text_of(client.get(GALLERY))
    at("2020-12-28T23:30:00+00:00")  # already 29 December in Rome
    assert "conclusa il 28 dicembre 2020" in text_of(client.get(GALLERY))


# --- filters -------------------------------------------------------------------------------------


def test_state_filter_in_sql_agrees_with_the_rule(app, client, at):
    ids = every_state(app)
    # A grant committed stays "cofunded" even when a refund takes the total below the target.
    refunded = make_campaign(app, "Doposcuola Giambellino")
    change(app, refunded, grant_committed_at=NOVEMBER_AT, grant_cents=1, confirmed_cents=10)
    ids["cofunded_refunded"] = refunded
    for moment in (NOVEMBER, "2020-10-29T23:59:59+01:00", "2020-12-01T00:00:00+01:00", "2021-02-01T10:00:00+01:00"):
        at(moment)
        now = datetime.fromisoformat(moment)
        with app.app_context():
            expected: dict[str, set[str]] = {}
            for campaign in db.session.scalars(db.select(Campaign)):
                state = state_of(
                    campaign.starts_at,
                    campaign.ends_at,
                    campaign.confirmed_cents,
                    campaign.target_cents,
                    campaign.grant_committed,
                    now,
                )
                expected.setdefault(state.value, set()).add(campaign.title)
        for param, value in (
            ("in_arrivo", "upcoming"),
            ("in_corso", "live"),
            ("cofinanziati", "cofunded"),
            ("conclusi", "succeeded"),
            ("non_finanziati", "not_funded"),
        ):
            listed = set(titles(client.get(GALLERY, query_string={"stato": param})))
            assert listed == expected.get(value, set()), (moment, param)


def test_filters_by_place_theme_edition_and_text(app, client):
    every_state(app)
    old = make_campaign(app, "Giardino 2016", municipio=6, nil_id=None, organisation="Amici del Verde")
    with app.app_context():
        edition_2016 = db.session.scalars(db.select(Edition.id).filter_by(year=2016)).one()
    change(app, old, edition_id=edition_2016, summary="Un giardino condiviso (100% volontari) in via Lorenteggio.")

    assert set(titles(client.get(GALLERY, query_string={"municipio": "8"}))) == {
        "Orti di Quarto",
        "Palestra Gallaratese",
    }
    assert titles(client.get(GALLERY, query_string={"municipio": "8", "nil": "76"})) == ["Orti di Quarto"]
    assert titles(client.get(GALLERY, query_string={"nil": "46"})) == ["Lab Barona"]
    assert titles(client.get(GALLERY, query_string={"tema": "cultura"})) == ["Orti di Quarto"]
    assert titles(client.get(GALLERY, query_string={"edizione": "2016"})) == ["Giardino 2016"]
    assert "Giardino 2016" not in titles(client.get(GALLERY, query_string={"edizione": "2020"}))
    # Text: title, organisation or summary, whatever the case; % and _ are plain characters.
    assert titles(client.get(GALLERY, query_string={"q": "ORTI"})) == ["Orti di Quarto"]
    assert titles(client.get(GALLERY, query_string={"q": "amici del"})) == ["Giardino 2016"]
    assert titles(client.get(GALLERY, query_string={"q": "lorenteggio"})) == ["Giardino 2016"]
    assert titles(client.get(GALLERY, query_string={"q": "100%"})) == ["Giardino 2016"]
    assert titles(client.get(GALLERY, query_string={"q": "%"})) == ["Giardino 2016"]
    assert titles(client.get(GALLERY, query_string={"q": "_"})) == []
    # Filters combine.
    assert titles(client.get(GALLERY, query_string={"municipio": "6", "edizione": "2020"})) == ["Lab Barona"]
    empty = client.get(GALLERY, query_string={"municipio": "1"})
    assert titles(empty) == []
    assert "0 progetti trovati" in text_of(empty)
    assert "Nessun progetto corrisponde alla ricerca." in text_of(empty)


def test_the_form_shows_what_is_filtered(app, client):
    make_campaign(app)
    html = client.get(GALLERY, query_string={"municipio": "6", "tema": "ambiente", "q": "lab"}).get_data(as_text=True)
    assert '<option value="6" selected>Municipio 6</option>' in html
    assert '<option value="ambiente" selected>' in html
    assert 'name="q" value="lab"' in html
    assert 'action="/it/progetti"' in html and 'method="get"' in html
    assert 'type="submit"' in html


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"municipio": "abc"}, "Municipio"),
        ({"municipio": "99999999999999999999999"}, "Municipio"),
        ({"pagina": "-1"}, "pagina"),
        ({"ordina": "zzz"}, "ordinamento"),
        ({"stato": "boh"}, "stato"),
        ({"nil": "\x00"}, "quartiere (NIL)"),
        ({"edizione": "1999"}, "edizione"),
    ],
)
def test_a_bad_value_is_ignored_politely_and_the_rest_kept(app, client, query, named):
    every_state(app)
    response = client.get(GALLERY, query_string={**query, "tema": "cultura"})
    assert titles(response) == ["Orti di Quarto"]
    text = text_of(response)
    assert "Alcuni valori dell'indirizzo non sono validi e sono stati ignorati:" in text
    assert named in text.split("ignorati:")[1][:40]


def test_a_nil_outside_the_chosen_municipio_is_explained(app, client):
    make_campaign(app)  # Barona, Municipio 6
    response = client.get(GALLERY, query_string={"municipio": "1", "nil": "46"})
    assert titles(response) == []
    assert "Il quartiere Barona è nel Municipio 6" in text_of(response)
    # Not when this Municipio's campaigns are in a NIL mostly in the next one.
    make_campaign(app, "Nel NIL vicino", municipio=6, nil_id=5)  # Porta Vigentina: mostly Municipio 5
    response = client.get(GALLERY, query_string={"municipio": "6", "nil": "5"})
    assert titles(response) == ["Nel NIL vicino"]
    assert "è nel Municipio" not in text_of(response)


def test_a_search_too_long_is_ignored_and_said(app, client):
    make_campaign(app)
    response = client.get(GALLERY, query_string={"q": "x" * 500, "municipio": "6"})
    assert titles(response) == ["Lab Barona"]
    assert "La ricerca è troppo lunga (al massimo 100 caratteri)" in text_of(response)
    assert 'value="xxx' not in response.get_data(as_text=True)


QUERY = st.dictionaries(
    st.sampled_from(["q", "edizione", "municipio", "nil", "tema", "stato", "ordina", "pagina", "x"]),
    st.one_of(
        st.text(max_size=120),
        st.sampled_from(["6", "46", "2020", "in_corso", "vicini_soglia", "0", "-1", "1e9", "9" * 400, "%", "\x00"]),
    ),
)


@pytest.fixture
def some_campaigns(app):
    """Created once for all the examples of a test."""
    every_state(app)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERY, htmx=st.booleans())
def test_fuzzed_query_strings_never_fail(some_campaigns, client, query, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(GALLERY, query_string=query, headers=headers)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]


def test_fuzzed_raw_query_strings_never_fail(app, client):
    make_campaign(app)
    for raw in (
        "municipio=%00",
        "q=%ff%fe",
        "pagina=1&pagina=x",
        "municipio[]=1",
        "q=" + "%25" * 300,
        "&&==&",
        "nil=4%006",
    ):
        assert client.get(f"{GALLERY}?{raw}").status_code == 200, raw


# --- pages (the order and the sorts: test_gallery_order.py) ----------------------------------


def test_pages_of_twelve(app, client):
    for number in range(14):
        make_campaign(
            app, f"Progetto {number:02d}", starts_at=datetime(2020, 10, 1, tzinfo=ROME) + timedelta(days=number)
        )
    first = client.get(GALLERY)
    assert len(titles(first)) == 12
    assert titles(first)[0] == "Progetto 13"  # newest first
    html = first.get_data(as_text=True)
    assert 'aria-label="Pagine dei risultati"' in html
    assert 'href="/it/progetti?pagina=2#risultati"' in html
    assert 'aria-current="page"' in html
    second = client.get(GALLERY, query_string={"pagina": "2"})
    assert titles(second) == ["Progetto 01", "Progetto 00"]
    assert "14 progetti trovati – pagina 2 di 2" in text_of(second)
    past_the_end = client.get(GALLERY, query_string={"pagina": "50"})
    assert titles(past_the_end) == ["Progetto 01", "Progetto 00"]
    assert "La pagina richiesta non esiste" in text_of(past_the_end)
    # A filter keeps its place in the page links.
    filtered = client.get(GALLERY, query_string={"municipio": "6"}).get_data(as_text=True)
    assert 'href="/it/progetti?municipio=6&amp;pagina=2#risultati"' in filtered


# --- htmx ----------------------------------------------------------------------------------------


def test_htmx_gets_the_results_and_the_announcement_the_page_gets_everything(app, client):
    every_state(app)
    url = f"{GALLERY}?municipio=8&q="
    fragment = client.get(url, headers={"HX-Request": "true"})
    page = client.get(url)
    assert "HX-Request" in fragment.headers["Vary"] and "HX-Request" in page.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body
    assert 'data-hx-swap-oob="innerHTML:#gallery-status">2 progetti trovati</span>' in body
    assert titles(fragment) == titles(page)
    assert set(titles(page)) == {"Orti di Quarto", "Palestra Gallaratese"}
    full = page.get_data(as_text=True)
    assert "<html" in full and 'id="gallery-status"' in full and 'aria-live="polite"' in full
    assert 'data-hx-get="/it/progetti"' in full and 'data-hx-push-url="true"' in full
    assert 'data-hx-target="#gallery-results"' in full
    # A history restore or a boosted navigation gets the whole page.
    restore = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_english_page(app, client):
    campaign_id = make_campaign(app)
    paid(app, campaign_id, 3_000_00)
    response = client.get("/en/progetti", query_string={"municipio": "6"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert titles(response) == ["Lab Barona"]
    assert 'href="/en/progetti/lab-barona"' in html
    assert "€3,000" in html and "€8,000" in html
    assert 'href="/en/progetti?municipio=6&amp;nil=46#risultati"' in html
