"""Impact indicators (issue 19, item 4): the organisation chooses them with a target while its
application is selected, reports the values once the campaign has succeeded; the campaign page
shows target against reported, the open data lists them, and an edition sums them over its funded
projects in one query."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from html import unescape

import pytest
import sqlalchemy as sa

from portal.clock import ROME
from portal.domain import DomainError
from portal.domain.application import ApplicationStatus
from portal.extensions import db
from portal.labels import indicator_label
from portal.models import Application, AuditEntry, Campaign, Edition, ImpactIndicator
from portal.services.accounts import accounts
from portal.services.aftercare import indicators
from portal.services.aftercare.indicators import EditionTotal, IndicatorError
from tests.accounts import csrf_from, sign_in
from tests.campaigns import NOVEMBER
from tests.projects import applied_campaign

OWNER = "anna@cordata.example"
MARCH_2021 = "2021-03-01T10:00:00+01:00"
MARCH_AT = datetime(2021, 3, 1, 10, 0, tzinfo=ROME)
PAGE = "/it/progetti/lab-barona"


def _project(app, email: str, number: int, title: str, *, succeeded: bool = True) -> tuple[int, int]:
    """A selected application of `email`'s organisation that became the campaign `title`."""
    return applied_campaign(app, email, number, title=title, selected=True, succeeded=succeeded)


def signed_in(app, email):
    client = app.test_client()
    sign_in(client, app, email)
    return client


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def post(client, url, **data):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def stored(app, application_id) -> dict[str, tuple[int, int | None]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(ImpactIndicator).filter_by(application_id=application_id))
        return {row.code: (row.target, row.reported) for row in rows}


def test_chosen_before_the_end_reported_after_success_and_shown_publicly(app, at):
    at(NOVEMBER)  # the campaign is live: indicators may be chosen, not yet reported
    application_id, _ = _project(app, OWNER, 0, "Lab Barona", succeeded=False)
    owner = signed_in(app, OWNER)
    url = f"/it/domanda/{application_id}/dopo-la-raccolta"
    chosen = post(
        owner, url, azione="scegli-indicatore", **{"indicatore-codice": "volunteers", "indicatore-obiettivo": "12"}
    )
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith("#indicatore-volunteers")
    post(owner, url, azione="scegli-indicatore", **{"indicatore-codice": "events_held", "indicatore-obiettivo": "4"})
    post(owner, url, azione="obiettivo", codice="volunteers", **{"obiettivo-volunteers-obiettivo": "15"})
    assert stored(app, application_id) == {"volunteers": (15, None), "events_held": (4, None)}
    page = words(owner.get(url))
    assert "Volontari coinvolti" in page and "Comunica il valore" not in page
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            indicators.report_indicator(application_id, "volunteers", 3, accounts.user_by_email(OWNER), MARCH_AT)
        assert refused.value.code is IndicatorError.NOT_FUNDED  # the campaign never succeeded

    at(MARCH_2021)
    with app.app_context():
        campaign = db.session.scalars(sa.select(Campaign).filter_by(application_id=application_id)).one()
        campaign.confirmed_cents, campaign.grant_cents = campaign.target_cents, campaign.reserved_cents
        campaign.grant_committed_at = datetime(2020, 12, 1, 12, 0, tzinfo=ROME)
        db.session.commit()
    reported = post(owner, url, azione="valore", codice="volunteers", **{"valore-volunteers-valore": "18"})
    assert reported.status_code == 303
    assert stored(app, application_id) == {"volunteers": (15, 18), "events_held": (4, None)}
    # Reported: the target stays, and the indicator can no longer be removed.
    post(owner, url, azione="obiettivo", codice="volunteers", **{"obiettivo-volunteers-obiettivo": "30"})
    post(owner, url, azione="togli-indicatore", codice="volunteers")
    post(owner, url, azione="togli-indicatore", codice="events_held")
    assert stored(app, application_id) == {"volunteers": (15, 18)}

    public = words(app.test_client().get(PAGE))
    assert "Volontari coinvolti 15 18" in public
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("indicator.set") == 3 and actions.count("indicator.report") == 1
    assert actions.count("indicator.remove") == 1


def test_bad_input_says_what_is_wrong_and_keeps_what_was_typed(app, at):
    at(MARCH_2021)
    application_id, _ = _project(app, OWNER, 0, "Lab Barona")
    owner = signed_in(app, OWNER)
    url = f"/it/domanda/{application_id}/dopo-la-raccolta"
    response = post(
        owner, url, azione="scegli-indicatore", **{"indicatore-codice": "partners", "indicatore-obiettivo": "dodici"}
    )
    assert response.status_code == 200
    assert "Scrivi un numero intero da 1 a 1000000" in words(response)
    assert 'value="dodici"' in response.get_data(as_text=True)
    response = post(owner, url, azione="scegli-indicatore", **{"indicatore-codice": "", "indicatore-obiettivo": "5"})
    assert "Scegli un indicatore dell'elenco" in words(response)
    assert stored(app, application_id) == {}


def test_an_application_not_selected_has_no_such_page(app, at):
    at(MARCH_2021)
    application_id, _ = _project(app, OWNER, 0, "Lab Barona")
    with app.app_context():
        db.session.get(Application, application_id).status = ApplicationStatus.NOT_SELECTED
        db.session.commit()
    assert signed_in(app, OWNER).get(f"/it/domanda/{application_id}/dopo-la-raccolta").status_code == 404


def test_the_edition_sums_its_funded_projects_in_one_query(app, at, count_queries):
    at(MARCH_2021)
    first, _ = _project(app, OWNER, 0, "Lab Barona")
    second, _ = _project(app, "carla@orti.example", 1, "Orti di Quarto")
    unfunded, _ = _project(app, "dario@ciclo.example", 2, "Ciclofficina", succeeded=False)
    with app.app_context():
        db.session.add_all(
            [
                ImpactIndicator(application_id=first, code="volunteers", target=10, reported=12),
                ImpactIndicator(application_id=second, code="volunteers", target=20),
                ImpactIndicator(application_id=second, code="people_reached", target=300, reported=250),
                ImpactIndicator(application_id=unfunded, code="volunteers", target=99, reported=99),
            ]
        )
        db.session.commit()
        edition = db.session.scalars(sa.select(Edition).filter_by(year=2020)).one()
        with count_queries() as queries:
            totals = indicators.edition_totals(edition, MARCH_AT)
    assert queries.count == 1
    assert totals == [
        EditionTotal("people_reached", projects=1, target=300, reported=250, reporting=1),
        EditionTotal("volunteers", projects=2, target=30, reported=12, reporting=1),
    ]


def test_the_open_data_lists_the_indicators(app, at, client):
    at(MARCH_2021)
    application_id, _ = _project(app, OWNER, 0, "Lab Barona")
    with app.app_context():
        db.session.add(ImpactIndicator(application_id=application_id, code="events_held", target=6, reported=7))
        db.session.add(ImpactIndicator(application_id=application_id, code="volunteers", target=10))
        db.session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/dati/indicatori.csv").get_data(as_text=True), newline="")))
    assert [(r["campaign_slug"], r["indicator"], r["target"], r["reported"]) for r in rows] == [
        ("lab-barona", "events_held", "6", "7"),
        ("lab-barona", "volunteers", "10", ""),
    ]
    document = client.get("/dati/indicatori.json").get_json()
    assert document["count"] == 2
    assert document["indicators"][1] == {
        "edition_year": 2020,
        "campaign_slug": "lab-barona",
        "campaign_url": rows[1]["campaign_url"],
        "indicator": "volunteers",
        "target": 10,
        "reported": None,
    }


def test_the_call_page_sums_what_the_funded_projects_achieved(app, at, client):
    at(MARCH_2021)
    page = "/it/bando/2020"
    assert "Cosa hanno realizzato" not in words(client.get(page))
    first, _ = _project(app, OWNER, 0, "Lab Barona")
    second, _ = _project(app, "carla@orti.example", 1, "Orti di Quarto")
    with app.app_context():
        db.session.add_all(
            [
                ImpactIndicator(application_id=first, code="volunteers", target=1000, reported=1250),
                ImpactIndicator(application_id=second, code="volunteers", target=20),
            ]
        )
        db.session.commit()
    with app.app_context():
        label = indicator_label("volunteers")
    text = words(client.get(page))
    assert "Cosa hanno realizzato i progetti finanziati" in text
    assert f"{label} 2 1.020 1.250 (comunicato da 1 progetto)" in text
    english = words(client.get("/en/bando/2020"))
    assert "1,020 1,250 (reported by 1 project)" in english
