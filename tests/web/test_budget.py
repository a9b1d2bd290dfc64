"""The co-funding budget is never overspent: not by staff lowering it, not by the grant engine, not by
a campaign's window moved, not by a hand-made UPDATE, not by all of them at once on PostgreSQL.

The figures (2020 rule: the Comune adds 60 % of the cost, the citizens' target is 40 %), in November:
Lab Barona (20.000 €) reached its target, its 12.000 € grant is committed; Orti in cortile
(10.000 €) is live, 6.000 € reserved; Cortile d'estate (10.000 €) ran in the summer and ended
without the grant, its 6.000 € released. Held: 18.000 €.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.clock import ROME
from portal.domain import DomainError
from portal.extensions import db
from portal.models import Campaign, Edition, Role
from portal.services.accounts import accounts
from portal.services.cofunding import ledger
from portal.services.editions import edition_admin
from portal.services.evaluation import selection
from tests.accounts import csrf_from, make_user, sign_in
from tests.campaigns import NOVEMBER, NOVEMBER_AT, STARTS_AT, campaign_row, confirm, make_campaign, pledge
from tests.concurrency import run_together
from tests.panel import STAFF, evaluated, submitted

EDITION_URL = "/{lang}/gestione/edizioni/2020"
FORM_2020 = {  # the 2020 edition as seeded; only the budget changes in these tests
    "ultimo_giorno": "31/07/2020",
    "costo_massimo": "100.000",
    "durata_massima": "12",
    "giorni_campagna": "60",
    "soglia": "40",
    "quota_comune": "60",
    "tetto": "60.000",
    "forme": ["associazione", "fondazione", "impresa_sociale"],
    "pubblicata": "y",
}
SUMMER = datetime(2020, 8, 1, 0, 0, tzinfo=ROME)


def budget_2020(app) -> int | None:
    with app.app_context():
        return db.session.scalars(db.select(Edition.budget_cents).filter_by(year=2020)).one()


def held_2020(app, now: datetime) -> int:
    with app.app_context():
        return ledger.used_cents(db.session.scalars(db.select(Edition).filter_by(year=2020)).one(), now)


def set_budget(app, cents: int | None) -> None:
    """As a hand-made change would: straight into the row (the triggers still look)."""
    with app.app_context():
        db.session.scalars(db.select(Edition).filter_by(year=2020)).one().budget_cents = cents
        db.session.commit()


@pytest.fixture
def staff(app):
    make_user(app, STAFF, Role.STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


@pytest.fixture
def held(app, at) -> int:
    """18.000 € held in November: a grant committed, a reserve held, a reserve released."""
    at(NOVEMBER)
    barona = make_campaign(app, "Lab Barona")
    reference = pledge(app, barona, 800_000)
    assert confirm(app, reference, 800_000)[1] == 1_200_000
    make_campaign(app, "Orti in cortile", goal_cents=1_000_000)
    make_campaign(app, "Cortile d'estate", goal_cents=1_000_000, starts_at=SUMMER, days=30)
    assert held_2020(app, NOVEMBER_AT) == 1_800_000
    return 1_800_000


def post_budget(client, budget: str, lang: str = "it"):
    url = EDITION_URL.format(lang=lang)
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **FORM_2020, "budget": budget})


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("it", "Il budget non può essere inferiore a 18.000 €: tanto è già riservato o impegnato."),
        ("en", "The budget cannot be lower than €18,000: that much is already reserved or committed."),
    ],
)
def test_the_edition_form_refuses_a_budget_below_what_is_held(app, staff, held, lang, message):
    page = unescape(post_budget(staff, "1.000", lang).get_data(as_text=True)).replace("\xa0", " ")
    assert message in page
    error = page[page.index('id="budget-error"') :]
    assert error.index(message) < error.index('id="budget"')  # the message is the budget field's own
    assert budget_2020(app) == 500_000_00  # nothing saved
    empty = unescape(post_budget(staff, "", lang).get_data(as_text=True)).replace("\xa0", " ")
    assert message in empty  # no budget at all while 18.000 € are held
    assert budget_2020(app) == 500_000_00


def test_the_budget_can_be_lowered_to_exactly_what_is_held_and_the_form_says_how_much(app, staff, held):
    page = unescape(staff.get(EDITION_URL.format(lang="it")).get_data(as_text=True)).replace("\xa0", " ")
    assert "Già riservati o impegnati: 18.000 €. Il budget non può scendere sotto questa cifra." in page
    assert post_budget(staff, "18.000").status_code == 302
    assert budget_2020(app) == 1_800_000


def test_the_grant_engine_commits_no_more_than_the_budget_covers(app, at, staff):
    """The clock race: Orti's window ends at midnight; a payment confirmed a moment before (its
    notification's time) is processed after staff, a moment after midnight, saw Orti's reserve
    released and lowered the budget to what is then held. The grant would overspend: it is not committed."""
    at(NOVEMBER)
    orti = make_campaign(app, "Orti in cortile", goal_cents=1_000_000)  # 6.000 € reserved
    make_campaign(app, "Lab Barona", starts_at=STARTS_AT + timedelta(days=10))  # 12.000 € reserved, later window
    ends_at = campaign_row(app, orti).ends_at
    reference = pledge(app, orti, 400_000)  # the target
    after, before = ends_at + timedelta(minutes=1), ends_at - timedelta(minutes=1)
    with app.app_context():
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        settings = dataclasses.replace(edition_admin.settings_of(edition), budget_cents=1_200_000)
        edition_admin.update_edition(edition, settings, [], accounts.user_by_email(STAFF), after)

    outcome, grant = confirm(app, reference, 400_000, at=before)
    assert outcome == "confirmed" and grant == 0
    assert campaign_row(app, orti).grant_committed_at is None
    assert held_2020(app, after) <= budget_2020(app) == 1_200_000


def test_a_campaign_window_moved_back_into_the_future_needs_the_budget(app, staff, held):
    """Cortile d'estate ended in the summer (its reserve released); staff lowered the budget to what
    is held since. Moving its window to December would hold its 6.000 € again: refused."""
    set_budget(app, held)
    with app.app_context():
        cortile = db.session.scalars(db.select(Campaign).filter_by(title="Cortile d'estate")).one()
        cortile.published_at = None  # prepared, not published: staff may still move it
        db.session.commit()
        url, starts_at = f"/it/gestione/campagne/{cortile.id}", cortile.starts_at
    form = {"titolo": "Cortile d'estate", "sintesi": "Un cortile aperto.", "storia": "", "inizio": "01/12/2020"}
    token = csrf_from(staff.get(url).get_data(as_text=True))
    page = staff.post(url, data={"csrf_token": token, **form}, follow_redirects=True).get_data(as_text=True)
    assert "riprenderebbe la sua riserva di 6.000" in unescape(page)
    with app.app_context():
        assert db.session.scalars(db.select(Campaign.starts_at).filter_by(title="Cortile d'estate")).one() == starts_at
    assert held_2020(app, NOVEMBER_AT) == held <= budget_2020(app)

    # Another day in the past holds nothing again: allowed.
    token = csrf_from(staff.get(url).get_data(as_text=True))
    staff.post(url, data={"csrf_token": token, **form, "inizio": "01/07/2020"})
    assert campaign_row(app, cortile.id).starts_at == datetime(2020, 7, 1, tzinfo=ROME)


def test_the_database_refuses_a_budget_below_committed_grants(app, held):
    """What the database can hold without a clock: committed grants (12.000 €) and reserves of
    selected projects not launched; reserves of live campaigns are the services' to check."""
    with app.app_context():
        edition = db.session.scalars(db.select(Edition.id).filter_by(year=2020)).one()
    for budget in (-1, 1_199_999):
        with app.app_context(), pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE edition SET budget_cents = :b WHERE id = :e"), {"b": budget, "e": edition})
            db.session.commit()
    assert budget_2020(app) == 500_000_00
    set_budget(app, 1_200_000)  # the grant alone: the database cannot see Orti's live reserve
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE campaign SET grant_cents = reserved_cents, grant_committed_at = :at WHERE title = :t"),
            {"at": NOVEMBER_AT, "t": "Orti in cortile"},
        )
        db.session.commit()


@pytest.mark.postgres
def test_budget_cuts_selections_and_grants_at_once_never_overspend(app, at):
    """Four selections (12.000 € each), two grants falling due (12.000 € each, confirmed a minute
    before their window ends) and two budget cuts, all at once, a minute after the windows ended.
    Whatever order the row locks give them, the budget covers what is held at the end."""
    at(NOVEMBER)
    ids = submitted(app, 4)
    evaluated(app, ids)
    grants = [make_campaign(app, f"Progetto con sostegni {n}") for n in range(2)]
    make_campaign(app, "Orti in cortile", goal_cents=1_000_000, starts_at=STARTS_AT + timedelta(days=10))
    ends_at = campaign_row(app, grants[0]).ends_at
    before, after = ends_at - timedelta(minutes=1), ends_at + timedelta(minutes=1)
    references = [pledge(app, campaign_id, 800_000) for campaign_id in grants]
    set_budget(app, 5_400_000)  # Orti's 6.000 € and the four selections
    assert held_2020(app, after) == 600_000

    def select(application_id: int):
        return selection.select(application_id, accounts.user_by_email(STAFF), after)

    def cut(budget_cents: int):
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        settings = dataclasses.replace(edition_admin.settings_of(edition), budget_cents=budget_cents)
        return edition_admin.update_edition(edition, settings, [], accounts.user_by_email(STAFF), after)

    calls = [lambda i=i: select(i) for i in ids]
    calls += [lambda r=r: confirm(app, r, 800_000, at=before) for r in references]
    calls += [lambda: cut(3_000_000), lambda: cut(4_200_000)]
    results, errors = run_together(app, calls)

    assert all(isinstance(e, DomainError) and e.code in ("over_budget", "below_held") for e in errors), errors
    assert held_2020(app, after) <= budget_2020(app)
    with app.app_context():
        committed = db.session.scalar(db.select(db.func.coalesce(db.func.sum(Campaign.grant_cents), 0)))
    assert committed in (0, 1_200_000, 2_400_000)
