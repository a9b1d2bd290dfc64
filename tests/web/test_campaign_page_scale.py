"""A campaign's page at city scale (issue 16): its cost does not grow with its pledges. The same
queries and the same rows with 60 pledges or 3,000, at most three queries, the latest supporters
read from the index on (campaign, confirmation time), the latest first."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from portal.domain.pledge import PaidVia, PaymentMethod, PledgeStatus
from portal.extensions import db
from portal.models import CampaignUpdate, Pledge
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign
from tests.scaling import analyse, assert_index_served, assert_same_cost, explain

PAGE = "/it/progetti/lab-barona"
SUPPORTER = re.compile(r'<span class="supporter-name">([^<]*)</span>')


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


def bulk_pledges(app, campaign_id: int, count: int, start: int = 0) -> None:
    """`count` pledges in one statement: nine in ten paid (one in ten of those refunded later), the
    rest waiting for their transfer; each paid a minute after the one before."""
    rows = []
    for number in range(start, start + count):
        paid = number % 10 != 9
        rows.append(
            {
                "campaign_id": campaign_id,
                "amount_cents": 25_00,
                "reference": f"B{number:09d}",
                "token": f"bulk-token-{number}",
                "name": f"Sostenitore {number}",
                "email": f"s{number}@example.org",
                "lang": "it",
                "status": (PledgeStatus.REFUNDED if number % 10 == 3 else PledgeStatus.CONFIRMED)
                if paid
                else PledgeStatus.PENDING,
                "consent_at": NOVEMBER_AT - timedelta(days=10),
                "created_at": NOVEMBER_AT - timedelta(days=10),
                "confirmed_at": NOVEMBER_AT - timedelta(days=10) + timedelta(minutes=number) if paid else None,
                "paid_via": PaidVia.BANK if paid else None,
                "method": PaymentMethod.BANK_TRANSFER,
            }
        )
    with app.app_context():
        db.session.execute(sa.insert(Pledge), rows)
        db.session.commit()
        analyse()


def _read(app, client, count_queries, *, first: bool = False):
    """The page as every request after the first of a data version reads it (the layout's lookups and
    the page's lists kept); with `first`, as the first one does."""
    if not first:
        client.get(PAGE)
    with count_queries() as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    return queries, [unescape(name) for name in SUPPORTER.findall(response.get_data(as_text=True))]


def test_the_page_costs_the_same_with_60_pledges_or_3000(app, client, count_queries):
    campaign_id = make_campaign(app, rewards=(("Cartolina", 10_00, 5), ("Maglietta", 30_00, None)))
    with app.app_context():
        db.session.add(CampaignUpdate(campaign_id=campaign_id, title="Si parte", body="Testo", posted_at=NOVEMBER_AT))
        db.session.commit()
    bulk_pledges(app, campaign_id, 60)
    few_first, _ = _read(app, client, count_queries, first=True)
    few, shown_few = _read(app, client, count_queries)
    bulk_pledges(app, campaign_id, 2_940, start=60)
    many_first, _ = _read(app, client, count_queries, first=True)
    many, shown_many = _read(app, client, count_queries)
    with app.app_context():
        assert_same_cost(few_first, many_first)
        assert_same_cost(few, many)
    assert many.count <= 3, many.statements
    assert len(shown_few) == len(shown_many) == 50
    # The latest paid first, refunded ones included (their money arrived), never one still pending.
    assert shown_many[:3] == ["Sostenitore 2998", "Sostenitore 2997", "Sostenitore 2996"]
    assert "Sostenitore 2999" not in shown_many


@pytest.mark.postgres
def test_the_supporters_are_read_from_the_index(app, client, count_queries):
    campaign_id = make_campaign(app)
    other = make_campaign(app, "Orti di Quarto")
    bulk_pledges(app, other, 20_000, start=100_000)
    bulk_pledges(app, campaign_id, 3_000)
    queries, _ = _read(app, client, count_queries, first=True)  # the lists are kept after it
    with app.app_context():
        assert_index_served(explain(queries, containing="FROM pledge"), "pledge")
