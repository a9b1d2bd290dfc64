"""The co-funding tracker at city scale (issue 16): figures added up by the database from the SQL twin
of the share rule, the campaigns a page at a time, the same cost at any size, and the same figures
as the record-by-record ledger and the selection."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.clock import ROME
from portal.domain.campaign import CampaignState
from portal.domain.cofunding import Share, total
from portal.extensions import db
from portal.models import Campaign, Edition
from portal.services.accounts import accounts
from portal.services.cofunding import ledger
from portal.services.evaluation import selection
from tests.campaigns import NOVEMBER, NOVEMBER_AT, STARTS_AT
from tests.panel import DECIDED_AT, STAFF, evaluated, submitted
from tests.scaling import analyse, assert_same_cost

TRACKER = "/it/bando/2020/cofinanziamento"
DECEMBER = datetime(2020, 12, 1, tzinfo=ROME)
AUGUST = datetime(2020, 8, 1, tzinfo=ROME)  # a 60-day window over on 30 September
KINDS = ("upcoming", "live", "cofunded", "succeeded", "not_funded", "hidden", "live", "cofunded", "live", "ended")


def _row(edition_id: int, number: int) -> dict:
    """Campaign `number`: its Municipio (1–3, or none) and its kind cycle, so that every 40 campaigns
    hold every pair; reserves and grants in odd cents."""
    kind = KINDS[number % len(KINDS)]
    starts = {"upcoming": DECEMBER, "succeeded": AUGUST, "not_funded": AUGUST, "ended": AUGUST}.get(kind, STARTS_AT)
    target, reserve = 400_000 + number, 600_001 + number
    granted = kind in ("cofunded", "succeeded")
    return {
        "edition_id": edition_id,
        "slug": f"bulk-{number}",
        "title": f"Campagna {number:05d}",
        "summary": "In breve.",
        "organisation_name": "Org",
        "theme": "ambiente",
        "municipio": (None, 1, 2, 3)[number % 4],
        "goal_cents": target + reserve,
        "target_cents": target,
        "reserved_cents": reserve,
        "starts_at": starts,
        "ends_at": starts + timedelta(days=60),
        "created_at": starts - timedelta(days=20),
        "published_at": None if kind == "hidden" else min(starts, STARTS_AT) - timedelta(days=1),
        "confirmed_cents": target + 7 if granted else number * 3,
        "pending_cents": 0,
        "supporters": number % 5,
        "target_progress_bp": 0,
        "grant_cents": reserve - number % 1000 if granted else None,
        "grant_committed_at": starts + timedelta(days=2) if granted else None,
        "demo_estimates": [],
        "source_urls": [],
    }


def bulk_campaigns(app, count: int, start: int = 0, year: int = 2020) -> None:
    """`count` campaigns in one statement. The budget's trigger adds up the edition's reserves for every
    row it checks: the budget is lifted while they go in, and set back (and checked once) after."""
    with app.app_context():
        edition = db.session.execute(sa.select(Edition).filter_by(year=year)).scalar_one()
        budget, edition.budget_cents = edition.budget_cents, None
        db.session.flush()
        db.session.execute(sa.insert(Campaign), [_row(edition.id, n) for n in range(start, start + count)])
        edition.budget_cents = None if budget is None else max(budget, 2_000_000_000)
        db.session.commit()


def one_selected_project(app) -> None:
    """A selected project without a campaign yet: its reserve is held, and counted as not public."""
    ids = submitted(app, 1)
    evaluated(app, ids)
    with app.app_context():
        selection.select(ids[0], accounts.user_by_email(STAFF), DECIDED_AT)


def edition_2020() -> Edition:
    return db.session.execute(sa.select(Edition).filter_by(year=2020)).scalar_one()


def campaign_rows(html: str) -> list[str]:
    """The campaigns' links of the per-campaign table of a tracker page."""
    table = html[html.index('id="campaigns-caption"') : html.index("</table>", html.index('id="campaigns-caption"'))]
    return re.findall(r'<th scope="row"><a href="/it/progetti/([^"]+)"', table)


MOMENTS = (
    datetime(2020, 9, 29, 23, 59, tzinfo=ROME),  # the August campaigns still open
    AUGUST + timedelta(days=60),  # the instant their window ends: reserves released
    NOVEMBER_AT,
    DECEMBER,  # the upcoming ones open
    datetime(2021, 3, 1, tzinfo=ROME),  # every window over
)


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.date().isoformat())
def test_the_sql_summary_equals_the_ledger_read_campaign_by_campaign(app, data, moment):
    """`Campaign.share_in_sql` and `Campaign.in_state` give, added up, what `Campaign.share` and
    `Campaign.state` give one by one: per Municipio, per state, in total and for the selection."""
    bulk_campaigns(app, 80)
    one_selected_project(app)
    with app.app_context():
        edition = edition_2020()
        summary = ledger.summary_of(edition, moment)
        by_record = ledger.ledger_of(edition, moment)
        assert summary.position == by_record.position
        assert summary.areas == by_record.areas
        assert (summary.not_public, summary.not_public_count) == (by_record.not_public, by_record.not_public_count)
        assert (summary.goal_cents, summary.target_cents, summary.raised_cents) == (
            by_record.goal_cents,
            by_record.target_cents,
            by_record.raised_cents,
        )
        states = {}
        for line in by_record.campaigns:
            count, share = states.get(line.state, (0, Share()))
            states[line.state] = (count + 1, share + line.share)
        assert {line.state: (line.campaigns, line.share) for line in summary.states} == states
        assert [line.state for line in summary.states] == [state for state in CampaignState if state in states]
        assert ledger.used_cents(edition, moment) == by_record.position.share.used_cents


def test_the_summary_is_the_sum_of_the_paginated_detail_and_what_the_selection_sees(app, data):
    bulk_campaigns(app, 130)
    one_selected_project(app)
    with app.app_context():
        edition = edition_2020()
        summary = ledger.summary_of(edition, NOVEMBER_AT)
        pages = ledger.page_count(summary)
        lines = [line for page in range(1, pages + 1) for line in ledger.campaign_page(edition, NOVEMBER_AT, page)]
        assert pages == 3 and len(lines) == summary.public_count == 117  # 13 of the 130 not published
        assert len({line.campaign.id for line in lines}) == len(lines)  # each campaign on one page only
        assert total(line.share for line in lines) + summary.not_public == summary.position.share
        assert sum(line.campaign.confirmed_cents for line in lines) == summary.raised_cents
        budget = selection.budget_of(edition, NOVEMBER_AT)
        assert budget.left_cents == summary.position.left_cents
        assert ledger.used_cents(edition, NOVEMBER_AT) == summary.position.share.used_cents


def test_the_tracker_lists_the_campaigns_a_page_at_a_time_with_links_that_need_no_javascript(app, client, data, at):
    bulk_campaigns(app, 130)
    at(NOVEMBER)
    seen = []
    for page in (1, 2, 3):
        response = client.get(f"{TRACKER}?pagina={page}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        rows = campaign_rows(html)
        assert len(rows) == (50 if page < 3 else 17)
        seen += rows
        assert f"Pagina {page} di 3" in html
        assert ("progetti selezionati, campagne non ancora pubblicate" in html) is (page == 3)  # the last row, once
        if page < 3:
            assert f'href="{TRACKER}?pagina={page + 1}#campaigns-title"' in html and 'rel="next"' in html
        if page > 1:
            assert f'href="{TRACKER}?pagina={page - 1}#campaigns-title"' in html and 'rel="prev"' in html
        assert re.search(rf'aria-current="page" href="{re.escape(TRACKER)}\?pagina={page}#', html)
    assert len(seen) == len(set(seen)) == 117
    assert campaign_rows(client.get(TRACKER).get_data(as_text=True)) == seen[:50]  # no ?pagina: the first
    assert campaign_rows(client.get(f"{TRACKER}?pagina=abc").get_data(as_text=True)) == seen[:50]
    assert client.get(f"{TRACKER}?pagina=4").status_code == 404
    html = client.get(TRACKER).get_data(as_text=True)
    states = html[html.index('id="states-caption"') : html.index("</table>", html.index('id="states-caption"'))]
    assert "Non finanziata" in states and "In arrivo" in states


def test_the_tracker_costs_the_same_at_any_size(app, client, data, at, count_queries):
    """The same queries, and on PostgreSQL the same rows, with 120 campaigns and with 1,320."""
    bulk_campaigns(app, 120)
    with app.app_context():
        analyse()
    at(NOVEMBER)
    with count_queries() as small:
        first = client.get(TRACKER)
    bulk_campaigns(app, 1_200, start=120)
    with app.app_context():
        analyse()
    with count_queries() as big:
        second = client.get(TRACKER)
    assert first.status_code == second.status_code == 200
    with app.app_context():
        assert_same_cost(small, big)
    assert len(first.data) == pytest.approx(len(second.data), rel=0.02)  # a page of campaigns either way
    with count_queries() as again:  # the same data version: the figures are kept, the page read
        assert client.get(f"{TRACKER}?pagina=2").status_code == 200
    assert again.count <= 3
