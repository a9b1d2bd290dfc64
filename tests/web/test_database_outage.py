"""PostgreSQL goes away for a few seconds under traffic: the portal answers a clean 503 meanwhile,
stores every request it acknowledged exactly once and nothing half-written, and serves again by
itself once the database is back (the engine's `pool_pre_ping` replaces the cut connections).

The outage test runs the portal as production does (gunicorn, its own throwaway PostgreSQL);
the tests below it check the 503 answer itself through the test client, on any database.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, scoped_session

from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import Campaign, Edition, Event, OutboxMessage, Pledge, ProviderEvent, Registrant, Registration
from portal.models.event import EventKind, Venue
from tests.accounts import make_user, sign_in
from tests.campaigns import make_campaign, pledge
from tests.payments import deliver, event
from tests.registrations import JUNE_10, lesson_ids, sign_up
from tests.servers import AppServer, Postgres, flask, portal_app, production_env, signed_notification
from tests.visitor import Browser

OUTAGE_SECONDS = 3
REGISTRATIONS = 24  # each for two lessons, stored whole or not at all; within the 30 an hour from one IP
NOTIFICATIONS = 40  # one pending pledge each
PLEDGE_CENTS = 25_000  # 40 × 250 € = 10.000 €: past the campaign's 8.000 € target, so the grant is committed too
PAUSE = 0.2  # between two requests of one sender: the traffic goes on before, during and after the outage
UNAVAILABLE_IT = "Servizio momentaneamente non disponibile"


@pytest.fixture(autouse=True)
def _seeded():
    """The outage test brings its own database; the tests that use the suite's ask for `data`."""


@dataclass(frozen=True)
class Sent:
    key: str  # the registrant's e-mail, or the notification's event id
    status: int
    retry_after: str | None
    body: str

    @property
    def acknowledged(self) -> bool:
        return 200 <= self.status < 400


def _lessons_ahead(app) -> list[int]:
    """Two lessons of the current edition a month from now (the portal runs on the real clock)."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    with app.app_context():
        edition = db.session.scalars(sa.select(Edition).order_by(Edition.year.desc()).limit(1)).one()
        lessons = [
            Event(
                edition_id=edition.id,
                kind=EventKind.LESSON,
                slug=f"corso-prova-guasto-{n}",
                position=10 + n,
                title_it=f"Lezione di prova {n}",
                title_en=f"Test lesson {n}",
                starts_at=start + timedelta(days=7 * n),
                ends_at=start + timedelta(days=7 * n, hours=2),
                venue=Venue.ZOOM,
                join_url="https://zoom.example/j/1",
                is_join_url_public=False,
                capacity=500,
            )
            for n in (1, 2)
        ]
        db.session.add_all(lessons)
        db.session.commit()
        return [lesson.id for lesson in lessons]


def _pending_pledges(app, count: int) -> tuple[int, list[str]]:
    """A live campaign (Lab Barona: 20.000 € goal, 8.000 € target) and `count` pending pledges."""
    now = datetime.now(UTC)
    campaign_id = make_campaign(app, "Lab Barona", starts_at=now - timedelta(days=1), days=60)
    references = [pledge(app, campaign_id, PLEDGE_CENTS, email=f"s{n}@example.org", at=now) for n in range(count)]
    return campaign_id, references


def _register_all(server: AppServer, lessons: list[int], sent: list[Sent], failures: list[BaseException]) -> None:
    browser = Browser()
    url = server.url("/it/calendario/iscrizione")
    token = browser.csrf_token(url)  # the session's token stays valid: taken once, before the outage
    try:
        for n in range(REGISTRATIONS):
            email = f"persona{n}@example.org"
            fields = {"csrf_token": token, "lezioni": [str(i) for i in lessons], "nome": f"Persona {n}"}
            answer = browser.post(url, {**fields, "email": email, "privacy": "y"})
            sent.append(Sent(email, answer.status, answer.headers.get("Retry-After"), answer.text))
            time.sleep(PAUSE)
    except BaseException as failure:  # noqa: BLE001 - reported by the test
        failures.append(failure)


def _notify(server: AppServer, event_id: str, reference: str) -> Sent:
    body, headers = signed_notification(event_id, reference, PLEDGE_CENTS)
    answer = Browser().request("POST", server.url("/api/pagamenti/notifiche"), body=body, headers=headers)
    return Sent(event_id, answer.status, answer.headers.get("Retry-After"), answer.text)


def _notify_all(server: AppServer, references: list[str], sent: list[Sent], failures: list[BaseException]) -> None:
    try:
        for n, reference in enumerate(references):
            sent.append(_notify(server, f"evt_guasto_{n}", reference))
            time.sleep(PAUSE)
    except BaseException as failure:  # noqa: BLE001 - reported by the test
        failures.append(failure)


def _outage(pg: Postgres, traffic: list[threading.Thread]) -> None:
    """PostgreSQL stopped (`pg_ctl stop -m fast`: connections cut) while the traffic runs, then started."""
    for thread in traffic:
        thread.start()
    time.sleep(1)
    pg.stop("fast")
    time.sleep(OUTAGE_SECONDS)
    pg.start()
    for thread in traffic:
        thread.join(120)


@pytest.mark.servers
def test_a_database_outage_loses_no_acknowledged_request_and_the_portal_recovers_by_itself(tmp_path):
    with Postgres() as pg:
        pg.create_database("portal")
        env = production_env(pg.url("portal"), tmp_path / "uploads")
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")
        with portal_app(pg.url("portal"), tmp_path / "uploads") as app:
            lessons = _lessons_ahead(app)
            campaign_id, references = _pending_pledges(app, NOTIFICATIONS)

        with AppServer(env, workers=2, name="outage") as server:
            registrations: list[Sent] = []
            notifications: list[Sent] = []
            failures: list[BaseException] = []
            traffic = [
                threading.Thread(target=_register_all, args=(server, lessons, registrations, failures)),
                threading.Thread(target=_notify_all, args=(server, references, notifications, failures)),
            ]
            _outage(pg, traffic)
            assert failures == [], f"the app server did not answer: {failures}\n{server.log_tail()}"
            assert len(registrations) == REGISTRATIONS and len(notifications) == NOTIFICATIONS

            # The outage was met by both kinds of request, and every refusal was a clean 503.
            for kind, answers in (("registrations", registrations), ("notifications", notifications)):
                statuses = Counter(a.status for a in answers)
                assert statuses[503] > 0, f"no {kind} met the outage: {statuses}"
                assert set(statuses) <= {200, 503}, f"{kind}: {statuses}\n{server.log_tail(400)}"
            for answer in registrations + notifications:
                if not answer.acknowledged:
                    assert answer.retry_after == "30"
            assert all(UNAVAILABLE_IT in a.body for a in registrations if a.status == 503)
            assert all('"error":"unavailable"' in a.body for a in notifications if a.status == 503)
            assert all("Richiesta ricevuta" in a.body for a in registrations if a.acknowledged)

            # Serving again by itself: no restart, the pool replaced its cut connections.
            server.wait_ready(timeout=30)
            assert Browser().get(server.url("/it/calendario")).status == 200

            # The provider retries what was not acknowledged; an event that was stored but whose answer
            # was lost is acknowledged as a duplicate.
            retried = [
                _notify(server, a.key, references[int(a.key.rsplit("_", 1)[1])])
                for a in notifications
                if not a.acknowledged
            ]
            assert all(r.status == 200 for r in retried), [(r.status, r.body) for r in retried]
            assert {json.loads(r.body)["outcome"] for r in retried} <= {"confirmed", "duplicate"}

        with portal_app(pg.url("portal"), tmp_path / "uploads") as app, app.app_context():
            _check_registrations(registrations, lessons)
            _check_payments(notifications, campaign_id)


def _check_registrations(sent: list[Sent], lessons: list[int]) -> None:
    """Every acknowledged registration stored once, each registrant whole (both lessons, one
    e-mail), nobody twice."""
    rows = db.session.execute(
        sa.select(Registrant.email, Registration.event_id).join(Registration.registrant).order_by(Registrant.email)
    ).all()
    lessons_of: dict[str, list[int]] = {}
    for email, event_id in rows:
        lessons_of.setdefault(email, []).append(event_id)
    acknowledged = {a.key for a in sent if a.acknowledged}
    assert acknowledged <= set(lessons_of), "acknowledged registrations missing"
    assert all(sorted(ids) == sorted(lessons) for ids in lessons_of.values()), "a registration half-written"
    mails = Counter(db.session.scalars(sa.select(OutboxMessage.to).where(OutboxMessage.to.like("persona%"))))
    assert mails == dict.fromkeys(lessons_of, 1), "a confirmation e-mail missing or sent twice"


def _check_payments(sent: list[Sent], campaign_id: int) -> None:
    """Every notification stored once (the retries included), every pledge confirmed once, the
    campaign's totals exact and its grant committed once."""
    events = db.session.execute(sa.select(ProviderEvent.event_id, ProviderEvent.outcome)).all()
    assert sorted(e for e, _ in events) == sorted(a.key for a in sent)
    assert {outcome for _, outcome in events} == {"confirmed"}
    pledges = db.session.scalars(sa.select(Pledge).filter_by(campaign_id=campaign_id)).all()
    assert {p.status for p in pledges} == {PledgeStatus.CONFIRMED}
    assert sorted(p.payment_id for p in pledges) == sorted(a.key for a in sent)
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign.confirmed_cents == NOTIFICATIONS * PLEDGE_CENTS
    assert (campaign.pending_cents, campaign.supporters) == (0, NOTIFICATIONS)
    assert campaign.grant_cents == campaign.reserved_cents and campaign.grant_committed_at is not None


# --- The 503 answer, through the test client ---------------------------------------------------


def _unreachable(*args, **kwargs):
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


@pytest.mark.parametrize(("lang", "title"), [("it", UNAVAILABLE_IT), ("en", "Service temporarily unavailable")])
def test_a_page_asked_for_while_the_database_is_unreachable_says_so_in_the_visitors_language(
    app, client, data, monkeypatch, lang, title
):
    monkeypatch.setattr("portal.blueprints.pages.views.home_page", _unreachable)
    response = client.get(f"/{lang}/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"<h1>{title}</h1>" in response.get_data(as_text=True)


def test_the_page_renders_for_a_signed_in_person_whose_account_cannot_be_read(app, client, data, monkeypatch):
    make_user(app, "anna@example.org", enrolled=False)
    sign_in(client, app, "anna@example.org")
    monkeypatch.setattr(db.session, "get", _unreachable)  # Flask-Login's loader reads the account
    response = client.get("/it/domanda/")
    assert response.status_code == 503
    assert UNAVAILABLE_IT in response.get_data(as_text=True)


def test_a_rate_limited_form_says_when_to_retry_for_the_database_not_for_the_limit(app, client, data, at, monkeypatch):
    at(JUNE_10)
    monkeypatch.setattr("portal.blueprints.courses.views.registrations.register", _unreachable)
    response = sign_up(client, lesson_ids(app)[:1], email="anna@example.org")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"


def test_the_payment_provider_is_answered_in_json_and_retries(app, client, data, monkeypatch):
    monkeypatch.setattr("portal.blueprints.payments.webhook.provider_events.record_event", _unreachable)
    response = deliver(client, app, event("evt_1", "CC2020-00000000-V", 5_000))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json() == {"error": "unavailable", "retry_after": 30}


@pytest.mark.postgres  # SQLite's Python driver commits a SAVEPOINT opened first in a transaction on its own
def test_a_commit_cut_off_stores_nothing_of_the_request(app, client, data, at, monkeypatch):
    at(JUNE_10)
    lessons = lesson_ids(app)[:2]

    def cut_off(session):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(Session, "commit", cut_off)
    response = sign_up(client, lessons, email="anna@example.org")
    monkeypatch.undo()
    assert response.status_code == 503
    with app.app_context():
        for model in (Registrant, Registration, OutboxMessage):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model


def test_the_database_lost_after_the_view_is_still_a_503(app, client, data, monkeypatch):
    """An error in an after_request hook reaches Flask's 500 handler, not the database one."""

    def cut_off(response):
        raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(app, "after_request_funcs", {**app.after_request_funcs, None: [cut_off]})
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/it/calendario")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert UNAVAILABLE_IT in response.get_data(as_text=True)


def test_a_connection_cut_after_the_answer_leaves_the_answer_alone(app, client, data, monkeypatch):
    """The database goes away between the answer and the session's last rollback (seen under an
    outage): the visitor still gets the page, not a 500."""
    remove = scoped_session.remove
    cut = []

    def cut_off(sessions):  # the session's end, once: its rollback meets a closed connection
        remove(sessions)
        if not cut:
            cut.append(True)
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))

    monkeypatch.setattr(scoped_session, "remove", cut_off)
    response = client.get("/it/calendario")
    monkeypatch.undo()
    assert cut and response.status_code == 200
    assert client.get("/it/calendario").status_code == 200


def test_other_database_errors_are_still_bugs_with_the_500_page(app, client, data, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr("portal.blueprints.pages.views.home_page", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/it/")
    assert response.status_code == 500
    assert "Si è verificato un errore" in response.get_data(as_text=True)
