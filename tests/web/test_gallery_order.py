"""The gallery's order: campaigns taking pledges first, then those opening later, then those ended,
by default and under every sort; "in scadenza" and "più vicine alla soglia" in both languages; pages
that cross from one group to the next; the jump links to the filters and the map; and the query plan:
each group is read in order from the index of the column it is sorted by."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import text

from portal.clock import ROME
from portal.domain.gallery import Filters, Sort
from portal.extensions import db
from portal.services.campaigns import gallery as galleries
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign
from tests.gallery_data import GALLERY, change, every_state, paid, text_of, titles

OPEN = {"Appena partita", "Quasi fatta", "Orti di Quarto", "Lab Barona"}


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def states(app):
    """On 15 November 2020: four campaigns taking pledges, one opening in December, two ended."""
    ids = every_state(app)  # Lab Barona 37 %, Orti di Quarto 100 %; ended: Cinema 112 %, Palestra 12 %
    ids["near"] = make_campaign(app, "Quasi fatta", municipio=3, nil_id=None)
    paid(app, ids["near"], 7_000_00)  # 87 % of the citizens' threshold
    change(app, ids["live"], supporters=5)  # as if five people had given the 3.000 €
    # Opened last, ends first: 10 to 20 November, nothing given yet.
    ids["new"] = make_campaign(app, "Appena partita", starts_at=datetime(2020, 11, 10, tzinfo=ROME), days=10)
    return ids


def sorted_by(client, sort: str | None, lang: str = "it") -> list[str]:
    query = {"ordina": sort} if sort else {}
    return titles(client.get(f"/{lang}/progetti", query_string=query))


def test_by_default_open_campaigns_then_upcoming_then_ended_each_newest_first(client, states):
    order = sorted_by(client, None)
    assert order[0] == "Appena partita"  # the latest to open
    assert set(order[:4]) == OPEN
    assert order[4:] == ["Biblioteca Adriano", "Palestra Gallaratese", "Cinema Corvetto"]
    assert sorted_by(client, "recenti") == order


def test_in_scadenza_the_open_ones_ending_soonest_first(client, states):
    order = sorted_by(client, "in_scadenza")
    assert order[0] == "Appena partita"  # ends on 20 November; the others on 29 December
    assert set(order[:4]) == OPEN
    assert order[4:] == ["Biblioteca Adriano", "Palestra Gallaratese", "Cinema Corvetto"]


def test_closest_to_the_threshold_first_then_those_that_reached_it(client, states):
    order = sorted_by(client, "vicini_soglia")
    # Short of the threshold: 87 %, 37 %, 0 %; then the one that reached it; then the upcoming one;
    # then those ended, nearest first (112 %, 12 %).
    assert order == [
        "Quasi fatta",
        "Lab Barona",
        "Appena partita",
        "Orti di Quarto",
        "Biblioteca Adriano",
        "Cinema Corvetto",
        "Palestra Gallaratese",
    ]


def test_the_sort_follows_a_pledge(app, client, states):
    paid(app, states["new"], 7_500_00)  # 93 %: now the nearest
    assert sorted_by(client, "vicini_soglia")[:3] == ["Appena partita", "Quasi fatta", "Lab Barona"]


def test_most_supported_within_each_group(client, states):
    order = sorted_by(client, "piu_sostenuti")
    assert order[0] == "Lab Barona"
    assert set(order[:4]) == OPEN
    assert order[4:] == ["Biblioteca Adriano", "Cinema Corvetto", "Palestra Gallaratese"]


def test_the_same_orders_in_english(client, states):
    for sort in (None, "in_scadenza", "vicini_soglia", "piu_sostenuti"):
        assert sorted_by(client, sort, "en") == sorted_by(client, sort), sort
    html = unescape(client.get("/en/progetti", query_string={"ordina": "vicini_soglia"}).get_data(as_text=True))
    assert '<option value="vicini_soglia" selected>Closest to the citizens\' threshold</option>' in html
    assert '<option value="in_scadenza">Closing soon</option>' in html


def test_the_sort_is_a_field_of_the_filter_form(client, states):
    html = client.get(GALLERY, query_string={"ordina": "in_scadenza"}).get_data(as_text=True)
    form = html[html.index('<form method="get" action="/it/progetti"') : html.index("</form>")]
    assert '<select class="form-select" id="gallery-ordina" name="ordina">' in form
    assert '<option value="in_scadenza" selected>In scadenza</option>' in form
    assert '<option value="vicini_soglia">Più vicine alla soglia dei cittadini</option>' in form
    # Its page links keep it.
    assert 'href="/it/progetti?municipio=6&amp;ordina=in_scadenza#risultati"' in html


@pytest.mark.parametrize("value", ["zzz", "IN_SCADENZA", "vicini soglia", "\x00", "in_scadenza" * 50])
def test_an_unknown_sort_is_answered_with_the_default_order(client, states, value):
    response = client.get(GALLERY, query_string={"ordina": value})
    assert response.status_code == 200
    assert titles(response) == sorted_by(client, None)
    assert "Alcuni valori dell'indirizzo non sono validi e sono stati ignorati: ordinamento." in text_of(response)


def test_pages_cross_from_the_open_campaigns_to_the_upcoming_and_the_ended(app, client):
    for number in range(11):
        make_campaign(
            app, f"Aperta {number:02d}", starts_at=datetime(2020, 10, 1, tzinfo=ROME) + timedelta(days=number)
        )
    for number in range(2):
        make_campaign(app, f"In arrivo {number}", starts_at=datetime(2020, 12, 1 + number, tzinfo=ROME))
        make_campaign(app, f"Conclusa {number}", starts_at=datetime(2020, 7, 1 + number, tzinfo=ROME))
    first, second = (titles(client.get(GALLERY, query_string={"pagina": page})) for page in (1, 2))
    assert first == [f"Aperta {number:02d}" for number in reversed(range(11))] + ["In arrivo 0"]
    assert second == ["In arrivo 1", "Conclusa 1", "Conclusa 0"]
    closing = [titles(client.get(GALLERY, query_string={"ordina": "in_scadenza", "pagina": p})) for p in (1, 2)]
    assert closing[0] == [f"Aperta {number:02d}" for number in range(11)] + ["In arrivo 0"]
    assert closing[1] == ["In arrivo 1", "Conclusa 1", "Conclusa 0"]


def test_a_filter_and_a_sort_together(client, states):
    order = titles(client.get(GALLERY, query_string={"municipio": "8", "ordina": "vicini_soglia"}))
    assert order == ["Orti di Quarto", "Palestra Gallaratese"]


@pytest.mark.parametrize(
    "lang, filters, map_", [("it", "Vai ai filtri", "Vai alla mappa"), ("en", "Go to the filters", "Go to the map")]
)
def test_jump_links_to_the_filters_and_the_map_at_the_top_of_the_list(client, states, lang, filters, map_):
    for headers in ({}, {"HX-Request": "true"}):  # in the page and in the results htmx swaps in
        html = client.get(f"/{lang}/progetti", headers=headers).get_data(as_text=True)
        results = html.index('id="risultati"')
        jump = html.index('class="gallery-jump')
        assert results < jump < html.index('class="campaign-cards')
        assert f'<a href="#filtri">{filters}</a>' in html and f'<a href="#mappa">{map_}</a>' in html
        assert 'id="mappa"' in html
    page = client.get(f"/{lang}/progetti").get_data(as_text=True)
    assert 'id="filtri"' in page


# --- the query plan ------------------------------------------------------------------------------


def _page_query(app, count_queries, sort: Sort) -> tuple[str, dict]:
    """The statement that reads a page of the gallery, with its parameters."""
    with app.app_context(), count_queries() as queries:
        galleries.gallery(Filters(sort=sort), NOVEMBER_AT)
    return next(statement for statement in queries.statements if "row_number" in statement)


def _plan(app, statement: str) -> str:
    # The page's parameters are instants, numbers and flags: the plan depends on the columns they
    # compare, not on their values, so one instant stands for each.
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            connection.execute(text("ANALYZE"))  # the statistics a database in use has
            sql = "EXPLAIN QUERY PLAN " + statement.replace("?", "'2020-11-15 11:00:00.000000'")
            return "\n".join(row[3] for row in connection.execute(text(sql)))
        connection.execute(text("ANALYZE"))
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        connection.execute(text("SET LOCAL enable_sort = off"))
        # psycopg's own %(name)s placeholders, as the statement was sent.
        plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, _pg_values(statement)))
        db.session.rollback()
        return plan


def _pg_values(statement: str) -> dict:
    values: dict = {}
    for name in re.findall(r"%\((\w+)\)s", statement):
        if "limit" in name:
            values[name] = 12
        elif "offset" in name:
            values[name] = 0
        elif "is_published" in name:
            values[name] = True
        elif name.startswith("param"):
            values[name] = 0
        else:
            values[name] = NOVEMBER_AT
    return values


@pytest.mark.parametrize(
    "sort, index", [(Sort.CLOSING, "ix_campaign_ends_at"), (Sort.NEAREST, "ix_campaign_target_progress_bp")]
)
def test_each_group_is_read_in_order_from_the_index_of_its_column(app, count_queries, sort, index):
    every_state(app)
    for number in range(30):
        make_campaign(app, f"Campagna {number}", starts_at=datetime(2020, 10, 1, tzinfo=ROME) + timedelta(days=number))
    plan = _plan(app, _page_query(app, count_queries, sort))
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        assert index in plan, plan
        return
    # SQLite, which keeps no histogram, may instead search the campaigns by the publication index
    # (the feed's) and sort the rows found; it never reads the whole table.
    assert "SCAN campaign" not in plan.splitlines(), plan
    if index in plan:
        # The group is walked in the index's order; the only sorts left are of the page's twelve
        # rows (numbering them within the group, and the page's final order).
        assert plan.count("USE TEMP B-TREE FOR ORDER BY") == 2, plan
