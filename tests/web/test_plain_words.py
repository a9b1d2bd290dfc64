"""The plain words of a public service, held where they were fixed: a pledge is support, never a
promise; a count of one is singular; the reader is addressed without a generic masculine; the
privacy notice is acknowledged, not consented to; the organisation's legal forms are the edition's;
dates read naturally."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import Edition, Pledge, Role
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import draft, make_applicant
from tests.campaigns import NOVEMBER, TEAM, close, confirm, mails, make_campaign, pledge
from tests.payments import confirm_import, statement, upload

ANNA = "anna@example.org"
STAFF = "staff@comune.milano.example"
CAMPAIGN = "/{lang}/progetti/lab-barona"
PLEDGE = "/{lang}/progetti/lab-barona/sostieni"


def words(response) -> str:
    """What a page says, tags removed and spaces made ordinary."""
    assert response.status_code == 200
    html = unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"\s+", " ", html.replace("\u00a0", " ").replace("\u202f", " "))


def post(client, url: str, data: dict):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def change_edition(app, **values) -> None:
    with app.app_context():
        edition = db.session.execute(db.select(Edition).filter_by(year=2020)).scalar_one()
        for name, value in values.items():
            setattr(edition, name, value)
        db.session.commit()


def status_page(client, app, reference: str):
    with app.app_context():
        token = db.session.scalars(db.select(Pledge.token).filter_by(reference=reference)).one()
    return client.get(f"/it/sostegno/{token}")


@pytest.fixture
def staff(app, at):
    at(NOVEMBER)
    make_user(app, STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


@pytest.fixture
def anna(app, client):
    make_applicant(app, ANNA)
    sign_in(client, app, ANNA)
    return client


# --- A pledge is support, never a promise -------------------------------------------------------


def test_the_public_pages_of_a_pledge_never_speak_of_a_promise(app, client, at):
    at(NOVEMBER)
    campaign_id = make_campaign(app)
    reference = pledge(app, campaign_id, 25_00)
    pages = {
        "campaign": words(client.get(CAMPAIGN.format(lang="it"))),
        "form": words(client.get(PLEDGE.format(lang="it"))),
        "status": words(status_page(client, app, reference)),
    }
    for name, text in pages.items():
        assert "promess" not in text.lower(), name
    assert "Data del sostegno" in pages["status"]
    english = words(client.get(PLEDGE.format(lang="en")))
    assert "promise" not in english.lower() and "Your support counts" in english


def test_an_unknown_organisation_is_left_out_of_the_pledge_form(app, client, at):
    at(NOVEMBER)
    make_campaign(app, organisation="")
    text = words(client.get(PLEDGE.format(lang="it")))
    assert "Un progetto di" not in text
    assert "Il tuo sostegno conta per la campagna quando il pagamento arriva" in text


# --- A count of one is singular -----------------------------------------------------------------


def test_one_transaction_and_one_supporter_are_singular_in_the_bank_import(app, staff):
    campaign_id = make_campaign(app, goal_cents=20_00)  # a threshold of 8 €: one pledge reaches it
    reference = pledge(app, campaign_id, 8_00)
    preview = upload(staff, statement(f"15/11/2020;8,00;Sostegno {reference};TX-1"))
    assert "1 movimento in entrata letto." in words(preview)
    result = words(confirm_import(staff, preview.get_data(as_text=True)))
    assert "1 persona l'ha sostenuta" in result and "sostenitori" not in result
    history = words(staff.get("/it/gestione/pagamenti"))
    assert "1 movimento letto, 1 pagamento confermato." in history


def test_one_pledge_cancelled_at_the_close_is_singular_in_the_mail(app, at):
    at(NOVEMBER)
    campaign_id = make_campaign(app)
    pledge(app, campaign_id, 25_00)  # never paid: cancelled when the window ends
    close(app)
    (team_mail,) = [body for _, _, body in mails(app, to=TEAM)]
    assert "1 sostegno non pagato in tempo è ora annullato." in team_mail


def test_one_month_is_singular_on_the_call_page_and_in_the_timeline_step(app, client, anna):
    change_edition(app, max_duration_months=1)
    assert "il progetto deve concludersi entro 1 mese" in words(client.get("/it/bando/2020"))
    application_id = draft(app, ANNA, complete=False)
    url = f"/it/domanda/{application_id}/tempi"
    assert "Il progetto può durare al massimo 1 mese." in words(anna.get(url))
    response = post(anna, url, {"inizio": "01/01/2021", "fine": "15/02/2021", "azione": "continua"})
    assert "Il progetto può durare al massimo 1 mese: così ne dura 2" in words(response)


def test_one_supporter_paid_is_one_person(app, client, at):
    at(NOVEMBER)
    campaign_id = make_campaign(app)
    confirm(app, pledge(app, campaign_id, 40_00), 40_00)
    text = words(client.get(CAMPAIGN.format(lang="it")))
    assert "1 persona ha sostenuto il progetto" in text
    assert "Sii il primo" not in text


# --- The reader, without a generic masculine; the notice acknowledged, not consented to ----------


def test_signing_up_asks_to_acknowledge_the_privacy_notice(app, client):
    page = client.get("/it/registrazione").get_data(as_text=True)
    text = words(client.get("/it/registrazione"))
    assert "Ho letto l'informativa sul trattamento dei dati personali dell'account e della domanda" in text
    assert "acconsento" not in text.lower() and "accettare il trattamento" not in text.lower()
    assert 'href="/it/privacy#candidature"' in page
    refused = post(
        client,
        "/it/registrazione",
        {"nome": "Anna Rossi", "email": "nuova@example.org", "password": "x" * 12, "conferma": "x" * 12},
    )
    assert "Per creare l'account conferma di aver letto l'informativa sul trattamento dei dati personali" in words(
        refused
    )
    english = words(client.get("/en/registrazione"))
    assert "I have read the privacy notice" in english and "consent" not in english.lower()


def test_leaving_the_reserved_area_is_said_without_a_gender(app, client):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    sign_in(client, app, ANNA)
    token = csrf_from(client.get("/it/contatti").get_data(as_text=True))
    text = words(client.post("/it/esci", data={"csrf_token": token}, follow_redirects=True))
    assert "Hai lasciato l'area riservata." in text and "uscito" not in text


# --- The organisation's legal forms are the edition's ------------------------------------------


def test_the_organisation_page_lists_the_editions_legal_forms(app, client):
    change_edition(app, eligible_legal_forms=["fondazione", "impresa_sociale"])
    make_applicant(app, ANNA, with_organisation=False)
    sign_in(client, app, ANNA)
    hint = "Il bando ammette queste forme giuridiche: fondazione e impresa sociale (anche cooperativa sociale)."
    assert hint in words(client.get("/it/domanda/organizzazione"))
    profile = {
        "nome": "La Cordata",
        "forma": "associazione",
        "codice_fiscale": "80012000826",
        "indirizzo": "Via Ettore Ponti 15",
        "nil": "46",
        "referente": "Anna Rossi",
        "telefono": "02 1234567",
    }
    refused = words(post(client, "/it/domanda/organizzazione", profile))
    assert f"Con questa forma giuridica non è possibile presentare domanda. {hint}" in refused
    assert "associazioni, fondazioni e imprese sociali" not in refused

    change_edition(app, eligible_legal_forms=["associazione"])
    page = words(client.get("/it/domanda/organizzazione"))
    assert "Il bando ammette questa forma giuridica: associazione." in page and hint not in page


def test_the_application_summary_speaks_of_the_threshold_of_donations(app, anna):
    application_id = draft(app, ANNA, complete=True)
    review = words(anna.get(f"/it/domanda/{application_id}/riepilogo"))
    assert "Soglia da raccogliere con le donazioni: 8.000 €." in review
    assert "Obiettivo da raccogliere con i cittadini" not in review


# --- Dates read naturally -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("it", "Dati aggiornati a domenica 15 novembre 2020, alle 12:00 (ora di Roma)."),
        ("en", "Data updated on Sunday 15 November 2020 at 12:00 (Rome time)."),
    ],
)
def test_the_tracker_says_when_its_data_were_updated(app, client, at, lang, expected):
    at(NOVEMBER)
    make_campaign(app)
    assert expected in words(client.get(f"/{lang}/bando/2020/cofinanziamento"))
