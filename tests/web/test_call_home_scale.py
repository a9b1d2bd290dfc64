"""The home page, the call page, the calendar and an event page cost the same in a small city and
in one with 20,000 registrations and 5,000 campaigns (issue 16): the same SQL statements and, on
PostgreSQL, the same rows returned by each, on the first request after a change of the data (when
the per-version lookups are read again) and on the next ones (served from them, three queries at
most). Never a timing: `make bench` measures speed."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import unescape

import pytest

from portal.clock import ROME
from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models import Campaign, Edition, Event, Registrant, Registration
from tests.campaigns import NOVEMBER, make_campaign
from tests.gallery_data import every_state, titles
from tests.registrations import JUNE_10, lesson_ids
from tests.scaling import analyse, assert_same_cost

REGISTRANTS = 4_000  # each in five lessons: 20,000 registrations
CAMPAIGNS = 5_000
JUNE_PAGES = ("/it/", "/it/bando/2020", "/it/calendario", "/it/eventi/corso-2020-lezione-1")
NOVEMBER_PAGES = ("/it/", "/en/", "/it/bando/2020")
MOST_QUERIES = 3


def _registrations(app, lessons: list[int], start: int, people: int) -> None:
    """`people` registrants, each confirmed in the first lessons and waiting for the last one; the
    stored seat counts as the registration service keeps them."""
    now = datetime(2020, 6, 1, 9, 0, tzinfo=ROME)
    with app.app_context():
        db.session.execute(
            db.insert(Registrant),
            [
                {"email": f"persona{n}@example.org", "name": f"Persona {n}", "lang": "it", "token": f"t{n:060d}"}
                | {"consent_at": now, "created_at": now}
                for n in range(start, start + people)
            ],
        )
        ids = db.session.scalars(db.select(Registrant.id).where(Registrant.email.like("persona%"))).all()
        taken = {r for (r,) in db.session.execute(db.select(Registration.registrant_id).distinct())}
        rows = []
        for registrant_id in (i for i in ids if i not in taken):
            for position, event_id in enumerate(lessons):
                confirmed = position < len(lessons) - 1
                rows.append(
                    {
                        "event_id": event_id,
                        "registrant_id": registrant_id,
                        "status": RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED,
                        "created_at": now,
                        "confirmed_at": now if confirmed else None,
                        "waitlisted_at": None if confirmed else now,
                    }
                )
        db.session.execute(db.insert(Registration), rows)
        for event_id in lessons:
            confirmed = db.session.scalar(
                db.select(db.func.count()).where(
                    Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED
                )
            )
            # Unlimited seats except the last lesson's, full: everyone still has something to show.
            event = db.session.get(Event, event_id)
            event.confirmed_seats = confirmed
            event.capacity = confirmed if event_id == lessons[-1] else None
        analyse()


def _campaigns(app, start: int, count: int) -> None:
    """`count` copies of a published 2020 campaign, without a reserve (the co-funding budget holds),
    taking turns through five kinds on 15 November 2020: upcoming, open far from and close to the
    citizens' threshold, ended with and without it. Five of them already make every kind, so the
    small city and the big one differ only in how many. Staff featured the first of the open ones
    and of the ended ones (the home page shows the open one first)."""
    with app.app_context():
        template = db.session.execute(db.select(Campaign.__table__).limit(1)).mappings().one()
        edition_id = db.session.scalar(db.select(Edition.id).filter_by(year=2020))
        target = template["target_cents"]
        rows = []
        for n in range(start, start + count):
            kind, day = n % 5, n // 5 % 14
            starts_at = {
                0: datetime(2020, 12, 1, tzinfo=ROME),
                1: datetime(2020, 11, 1, tzinfo=ROME),
                2: datetime(2020, 11, 1, tzinfo=ROME),
            }.get(kind, datetime(2020, 7, 1, tzinfo=ROME)) + timedelta(days=day)
            confirmed = {0: 0, 1: 100_00, 2: target * 9 // 10, 3: target}.get(kind, 100_00)
            row = dict(template) | {
                "edition_id": edition_id,
                "slug": f"campagna-citta-{n}",
                "title": f"Campagna {n}",
                "reserved_cents": 0,
                "grant_cents": 0,
                "grant_committed_at": None,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(days=60),
                "published_at": datetime(2020, 6, 30, tzinfo=ROME),
                "confirmed_cents": confirmed,
                "target_progress_bp": confirmed * 10_000 // target,
                "supporters": n % 40,
                "featured_at": datetime(2020, 11, 2, tzinfo=ROME) if n in (1, 3) else None,
            }
            del row["id"]
            rows.append(row)
        db.session.execute(db.insert(Campaign), rows)
        analyse()


def _cost(client, count_queries, url: str):
    """The first request after a change (per-version lookups read) and the next one (served from them)."""
    with count_queries() as cold:
        assert client.get(url).status_code == 200
    with count_queries() as warm:
        assert client.get(url).status_code == 200
    return cold, warm


def _costs(client, count_queries, urls):
    """Each page's cost: its first request after a change of the data, and the next one."""
    return {url: _cost(client, count_queries, url) for url in urls}


def _compare(app, small, big):
    """Each page at the two sizes: the same cost, cold and warm; warm, three queries at most."""
    with app.app_context():
        for url in small:
            for before, after in zip(small[url], big[url], strict=True):
                assert_same_cost(before, after)
            assert len(big[url][1].statements) <= MOST_QUERIES, (url, big[url][1].statements)


def test_the_course_pages_cost_the_same_with_20000_registrations(app, client, at, count_queries):
    at(JUNE_10)
    lessons = lesson_ids(app)
    _registrations(app, lessons, 0, 5)
    small = _costs(client, count_queries, JUNE_PAGES)
    _registrations(app, lessons, 5, REGISTRANTS - 5)  # a change of the data: the next requests are cold again
    big = _costs(client, count_queries, JUNE_PAGES)
    _compare(app, small, big)
    # The seats come from the stored count: the last lesson is full, and says so.
    with app.app_context():
        last = db.session.get(Event, lessons[-1]).slug
    event_page = unescape(client.get(f"/it/eventi/{last}").get_data(as_text=True))
    assert "Nessuno: puoi iscriverti alla lista d'attesa" in event_page
    assert "Posti esauriti" in unescape(client.get("/it/calendario").get_data(as_text=True))


@pytest.fixture
def city(app):
    """A handful of campaigns in every state, and the means to add thousands more."""
    every_state(app)
    for n in range(4):
        make_campaign(app, f"Vicina {n}", municipio=n + 1)
    return lambda: _campaigns(app, 10, CAMPAIGNS - 10)


def test_the_home_and_call_pages_cost_the_same_with_5000_campaigns(app, client, at, count_queries, city):
    at(NOVEMBER)
    _campaigns(app, 0, 10)  # two of each kind
    small = _costs(client, count_queries, NOVEMBER_PAGES)
    city()
    big = _costs(client, count_queries, NOVEMBER_PAGES)
    _compare(app, small, big)
    home = client.get("/it/")  # the featured open campaign leads, marked; the featured ended one is not
    assert titles(home)[0] == "Campagna 1"
    assert home.get_data(as_text=True).count('class="campaign-featured"') == 1
