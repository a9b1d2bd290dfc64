"""Two app servers, one portal: whichever server answers, a person gets the same portal.

Two gunicorn servers (production configuration, two workers each) on different loopback ports
share one PostgreSQL, one Redis (the rate-limit counters), one upload folder and one SECRET_KEY,
as behind a load balancer. A session, a rate limit, an uploaded attachment and a payment
notification then behave the same whichever server answers (README, Production).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import Campaign, Edition, Pledge, ProviderEvent, Role
from portal.services.accounts import accounts
from portal.services.applications import applications
from tests.accounts import PASSWORD, make_user
from tests.applicants import make_applicant, pdf_bytes
from tests.campaigns import make_campaign, pledge
from tests.servers import (
    AppServer,
    Postgres,
    Redis,
    app_servers,
    flask,
    portal_app,
    production_env,
    signed_notification,
)
from tests.visitor import Browser

pytestmark = pytest.mark.servers

APPLICANT = "domande@example.org"
ORGANISATION = "Associazione Prova 1"  # tests.applicants.make_applicant's name for organisation 1
TARGET = "bersaglio@example.org"  # the account someone tries to guess the password of
SIGN_IN_PER_ACCOUNT = 10  # README: a sign-in step is limited per account, whatever the workers and servers
PLEDGE_CENTS = 5_000


@dataclass(frozen=True)
class Portal:
    a: AppServer
    b: AppServer
    redis: Redis
    database_url: str
    uploads: Path
    application_id: int
    references: list[str]
    campaign_id: int


@pytest.fixture(autouse=True)
def _seeded():
    """These tests bring their own database server: the suite's is left alone."""


@pytest.fixture(autouse=True)
def one_commit_per_request():
    """The requests go to app servers in other processes, out of the suite's commit counter's sight."""


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[Portal]:
    """PostgreSQL and Redis of their own, migrated and seeded as in production, then two app servers."""
    uploads = tmp_path_factory.mktemp("shared-uploads")
    with ExitStack() as stack:
        pg = stack.enter_context(Postgres())
        redis = stack.enter_context(Redis())
        pg.create_database("portal")
        env = production_env(pg.url("portal"), uploads, storage_uri=redis.url)
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")
        with portal_app(pg.url("portal"), uploads) as app:
            application_id = _draft_in_an_open_call(app)
            make_user(app, TARGET, Role.APPLICANT, enrolled=False)
            now = datetime.now(UTC)
            campaign_id = make_campaign(app, "Lab Barona", starts_at=now - timedelta(days=1))
            references = [pledge(app, campaign_id, PLEDGE_CENTS, email=f"s{n}@example.org", at=now) for n in range(2)]
        a, b = stack.enter_context(app_servers(AppServer(env, name="a"), AppServer(env, name="b")))
        yield Portal(a, b, redis, pg.url("portal"), uploads, application_id, references, campaign_id)


@pytest.fixture(autouse=True)
def fresh_counters(portal: Portal) -> None:
    """Each test starts with no rate-limit counter (sign-ins of the other tests count too)."""
    portal.redis.command("FLUSHALL")


def _draft_in_an_open_call(app) -> int:
    """A call taking applications now (the servers run on the real clock), with an applicant's draft."""
    now = datetime.now(UTC)
    with app.app_context():
        source = db.session.scalars(sa.select(Edition).filter_by(year=2020)).one()
        copied = {c.key: getattr(source, c.key) for c in Edition.__table__.columns if c.key != "id"}
        edition = Edition(**copied | {"year": now.year + 1, "number": source.number + 1})
        edition.applications_open_at, edition.applications_close_at = now - timedelta(days=1), now + timedelta(days=30)
        db.session.add(edition)
        db.session.commit()
    make_applicant(app, APPLICANT, number=1)
    with app.app_context():
        user = accounts.user_by_email(APPLICANT)
        edition = db.session.scalars(sa.select(Edition).filter_by(year=now.year + 1)).one()
        return applications.start(user, edition, now).id


def _sign_in(server: AppServer, email: str = APPLICANT, password: str = PASSWORD, browser: Browser | None = None):
    browser = browser or Browser()
    token = browser.csrf_token(server.url("/it/accesso"))
    return browser, browser.post(server.url("/it/accesso"), {"csrf_token": token, "email": email, "password": password})


def test_a_session_opened_on_one_server_is_open_on_the_other_and_ended_on_both(portal: Portal):
    browser, signed_in = _sign_in(portal.a)
    assert signed_in.status == 302
    home = browser.get(portal.b.url("/it/domanda/"))
    assert home.status == 200 and ORGANISATION in home.text
    stolen = browser.copy()  # a copy of the cookie taken before signing out

    token = browser.csrf_token(portal.b.url("/it/domanda/"))
    assert browser.post(portal.b.url("/it/esci"), {"csrf_token": token}).status == 302
    for server in (portal.a, portal.b):
        refused = stolen.get(server.url("/it/domanda/"))
        assert refused.status == 302 and "/it/accesso" in refused.location, server.name


def test_failed_sign_ins_are_counted_across_both_servers(portal: Portal):
    browser = Browser()
    for attempt in range(SIGN_IN_PER_ACCOUNT):
        server = (portal.a, portal.b)[attempt % 2]
        _, answer = _sign_in(server, TARGET, "not-the-password", browser)
        assert answer.status == 200, f"attempt {attempt + 1} on {server.name}: {answer.status}"
    for server in (portal.a, portal.b):
        _, answer = _sign_in(server, TARGET, "not-the-password-either", browser)
        assert answer.status == 429, server.name
    assert int(portal.redis.command("DBSIZE")[1:]) > 0  # the counters are in the shared Redis


def test_an_attachment_uploaded_on_one_server_is_downloaded_from_the_other(portal: Portal):
    browser, _ = _sign_in(portal.a)
    form = portal.a.url(f"/it/domanda/{portal.application_id}/allegati")
    content = pdf_bytes(pages=3)
    uploaded = browser.post(form, {"csrf_token": browser.csrf_token(form)}, files={"file": ("statuto.pdf", content)})
    assert uploaded.status == 302, uploaded.text[:500]

    page = browser.get(portal.b.url(f"/it/domanda/{portal.application_id}/allegati")).text
    link = re.search(rf'href="(/it/domanda/{portal.application_id}/allegati/\d+)"', page).group(1)
    download = browser.get(portal.b.url(link))
    assert download.status == 200 and download.body == content
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert len([path for path in portal.uploads.iterdir() if path.is_file()]) == 1  # one shared folder


def _notify(server: AppServer, event_id: str, reference: str) -> str:
    body, headers = signed_notification(event_id, reference, PLEDGE_CENTS)
    answer = Browser().request("POST", server.url("/api/pagamenti/notifiche"), body=body, headers=headers)
    assert answer.status == 200, answer.text
    return json.loads(answer.body)["outcome"]


def test_a_payment_notification_confirmed_by_one_server_is_a_duplicate_for_the_other(portal: Portal):
    first, second = portal.references
    assert _notify(portal.a, "evt_due_server_1", first) == "confirmed"
    assert _notify(portal.b, "evt_due_server_1", first) == "duplicate"

    # The provider's retry can also reach the two servers at the same moment.
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def deliver(server: AppServer) -> None:
        barrier.wait()
        outcomes.append(_notify(server, "evt_due_server_2", second))

    threads = [threading.Thread(target=deliver, args=(server,)) for server in (portal.a, portal.b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["confirmed", "duplicate"]

    with portal_app(portal.database_url, portal.uploads) as app, app.app_context():
        events = db.session.scalars(sa.select(ProviderEvent.event_id).order_by(ProviderEvent.event_id)).all()
        assert events == ["evt_due_server_1", "evt_due_server_2"]
        pledges = db.session.scalars(sa.select(Pledge).filter_by(campaign_id=portal.campaign_id)).all()
        assert {p.status for p in pledges} == {PledgeStatus.CONFIRMED}
        campaign = db.session.get(Campaign, portal.campaign_id)
        assert (campaign.confirmed_cents, campaign.pending_cents, campaign.supporters) == (2 * PLEDGE_CENTS, 0, 2)
