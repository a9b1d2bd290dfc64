"""The multi-step application: profile, sections saved whole, attachments, submission, receipt, withdrawal."""

from __future__ import annotations

import io
from html import unescape
from pathlib import Path

import pytest

from portal.extensions import db
from portal.models import Application, Attachment, Organisation, OutboxMessage
from tests.accounts import csrf_from, sign_in
from tests.applicants import application, codice_fiscale, draft, make_applicant, pdf_bytes

ANNA = "anna@cordata.example"
JULY_10 = "2020-07-10T10:00:00+02:00"


@pytest.fixture(autouse=True)
def _july_10(at):
    at(JULY_10)


@pytest.fixture
def anna(app, client):
    make_applicant(app, ANNA)
    sign_in(client, app, ANNA)
    return client


def post(client, url, data, **kwargs):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def plain(text: str) -> str:
    """Babel puts no-break spaces inside amounts ("8.000\u00a0€"); compare with ordinary ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def text_of(response) -> str:
    return plain(unescape(response.get_data(as_text=True)))


PROFILE = {
    "nome": "La Cordata",
    "forma": "impresa_sociale",
    "codice_fiscale": "80012000826",
    "indirizzo": "Via Ettore Ponti 15",
    "nil": "46",
    "referente": "Anna Rossi",
    "telefono": "02 1234567",
}


def test_the_organisation_profile_checks_the_codice_fiscale_and_the_legal_form(app, client):
    make_applicant(app, ANNA, with_organisation=False)
    sign_in(client, app, ANNA)
    assert client.get("/it/domanda/organizzazione").status_code == 200
    for change, message in (
        ({"codice_fiscale": "80012000827"}, "Il codice fiscale non è valido"),
        ({"forma": "altro"}, "Con questa forma giuridica non è possibile presentare domanda."),
        ({"nil": "999"}, "Scegli il quartiere"),
    ):
        response = post(client, "/it/domanda/organizzazione", {**PROFILE, **change})
        assert response.status_code == 200 and message in text_of(response)
        assert 'value="Via Ettore Ponti 15"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0

    assert (
        post(client, "/it/domanda/organizzazione", {**PROFILE, "codice_fiscale": "800 120 008 26"}).status_code == 302
    )
    with app.app_context():
        organisation = db.session.scalars(db.select(Organisation)).one()
        assert (organisation.codice_fiscale, organisation.municipio) == ("80012000826", 6)  # Barona is in Municipio 6


def test_an_organisation_already_registered_is_refused_in_the_readers_language(app, client):
    make_applicant(app, "bruno@example.org", number=7)  # registers codice_fiscale(7)
    make_applicant(app, ANNA, with_organisation=False)
    sign_in(client, app, ANNA)
    taken = {**PROFILE, "codice_fiscale": codice_fiscale(7)}
    english = post(client, "/en/domanda/organizzazione", taken)
    assert english.status_code == 200
    assert "An organisation with this tax code already exists" in text_of(english)
    italian = post(client, "/it/domanda/organizzazione", taken)
    assert "Esiste già un'organizzazione con questo codice fiscale" in text_of(italian)


def test_steps_save_drafts_and_continue_requires_every_field(app, anna):
    token = csrf_from(anna.get("/it/domanda/").get_data(as_text=True))
    start = anna.post("/it/domanda/inizia", data={"csrf_token": token})
    base = start.headers["Location"].rstrip("/")

    # "Salva e continua più tardi" keeps a half-filled step as a draft…
    response = post(anna, f"{base}/progetto", {"titolo": "Lab Barona", "azione": "bozza"})
    assert response.headers["Location"] == f"{base}/"
    assert "In corso" in text_of(anna.get(f"{base}/"))
    # …"Salva e continua" wants every field, and saves nothing until then.
    response = post(anna, f"{base}/progetto", {"titolo": "Lab Barona 2", "sintesi": "Breve", "azione": "continua"})
    text = text_of(response)
    assert "<title>Errore:" in text and text.count("Questo campo è obbligatorio") >= 3
    assert 'value="Lab Barona 2"' in text
    assert application(app, int(base.rsplit("/", 1)[1])).title == "Lab Barona"


def test_a_format_error_saves_nothing_of_the_step(app, anna):
    application_id = draft(app, ANNA, complete=True)
    base = f"/it/domanda/{application_id}"
    data = {
        "righe-0-descrizione": "Educatori",
        "righe-0-categoria": "personale",
        "righe-0-importo": "15.000",
        "righe-1-descrizione": "Arredi",
        "righe-1-categoria": "attrezzature",
        "righe-1-importo": "cinquemila",
        "azione": "bozza",
    }
    response = post(anna, f"{base}/budget", data)
    assert response.status_code == 200 and "Scrivi un importo in euro" in text_of(response)
    assert 'href="#righe-1-importo"' in response.get_data(as_text=True)  # the summary links to the field
    assert application(app, application_id).total_cost_cents == 2_000_000  # the saved budget is untouched


def test_the_budget_total_is_computed_on_the_server_and_capped(app, anna):
    application_id = draft(app, ANNA, complete=True)
    base = f"/it/domanda/{application_id}"
    rows = {"righe-0-descrizione": "Cantiere", "righe-0-categoria": "spazi", "righe-0-importo": "90.000"}
    rows |= {"righe-1-descrizione": "Arredi", "righe-1-categoria": "attrezzature", "righe-1-importo": "10.000,01"}
    response = post(anna, f"{base}/budget", {**rows, "azione": "continua"})
    assert "Il totale (100.000,01 €) supera il costo massimo ammesso dal bando (100.000 €)" in text_of(response)
    rows["righe-1-importo"] = "10.000"
    assert post(anna, f"{base}/budget", {**rows, "azione": "continua"}).headers["Location"] == f"{base}/campagna"
    page = text_of(anna.get(f"{base}/budget"))
    assert "100.000 €" in page and "40.000 €" in page and "60.000 €" in page  # the calculator's rule


def test_a_project_longer_than_the_call_allows_is_refused(app, anna):
    application_id = draft(app, ANNA, complete=False)
    base = f"/it/domanda/{application_id}"
    response = post(anna, f"{base}/tempi", {"inizio": "01/01/2021", "fine": "2022-01-01", "azione": "continua"})
    assert "al massimo 12 mesi: così ne dura 13" in text_of(response)
    response = post(anna, f"{base}/tempi", {"inizio": "31/02/2021", "fine": "2021-06-01", "azione": "continua"})
    assert "Scrivi una data vera" in text_of(response)
    ok = post(anna, f"{base}/tempi", {"inizio": "01/01/2021", "fine": "31/12/2021", "azione": "continua"})
    assert ok.headers["Location"] == f"{base}/budget"


def test_autosave_answers_with_the_time_for_screen_readers(app, anna):
    application_id = draft(app, ANNA, complete=False)
    url = f"/it/domanda/{application_id}/progetto"
    token = csrf_from(anna.get(url).get_data(as_text=True))
    headers = {"HX-Request": "true"}
    saved = anna.post(url, data={"csrf_token": token, "titolo": "Nuovo titolo", "azione": "autosave"}, headers=headers)
    assert saved.get_data(as_text=True).strip() == "Bozza salvata alle 10:00"
    assert application(app, application_id).title == "Nuovo titolo"
    bad = anna.post(url, data={"csrf_token": token, "titolo": "x" * 151, "azione": "autosave"}, headers=headers)
    assert "Bozza non salvata" in text_of(bad)
    assert application(app, application_id).title == "Nuovo titolo"


def test_coming_back_resumes_at_the_first_incomplete_section(app, anna):
    application_id = draft(app, ANNA, complete=False)
    assert anna.get("/it/domanda/riprendi").headers["Location"] == f"/it/domanda/{application_id}/tempi"


def test_attachments_are_pdfs_by_content_and_private(app, anna):
    application_id = draft(app, ANNA, complete=False)
    url = f"/it/domanda/{application_id}/allegati"
    fake = post(
        anna, url, {"file": (io.BytesIO(b"%PDF-1.4 not really"), "statuto.pdf")}, content_type="multipart/form-data"
    )
    assert "non è un PDF leggibile" in text_of(fake)
    real = post(anna, url, {"file": (io.BytesIO(pdf_bytes()), "statuto.txt")}, content_type="multipart/form-data")
    assert real.status_code == 302
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)
    too_big = post(anna, url, {"file": (io.BytesIO(big), "big.pdf")}, content_type="multipart/form-data")
    assert "troppo grande" in text_of(too_big)
    with app.app_context():
        (attachment,) = db.session.scalars(db.select(Attachment)).all()
        assert attachment.filename == "statuto.txt.pdf"
        assert "static" not in app.config["UPLOAD_DIR"]
    download = anna.get(f"{url}/{attachment.id}")
    assert download.mimetype == "application/pdf" and download.data == pdf_bytes()
    assert "attachment" in download.headers["Content-Disposition"]


def submit(client, application_id):
    url = f"/it/domanda/{application_id}/riepilogo"
    ticks = {"rappresentante": "y", "requisiti": "y", "veridicita": "y", "privacy": "y"}
    return post(client, url, ticks)


def test_submitting_gives_a_protocol_number_a_receipt_and_an_email(app, anna):
    application_id = draft(app, ANNA)
    review = text_of(anna.get(f"/it/domanda/{application_id}/riepilogo"))
    assert review.count(">Modifica<") == 5 and "Conferma e invia" in review
    response = submit(anna, application_id)
    assert response.headers["Location"] == f"/it/domanda/{application_id}/ricevuta"
    receipt = text_of(anna.get(response.headers["Location"]))
    assert "CC2020-0001" in receipt and "venerdì 10 luglio 2020, 10:00" in receipt and "Inviata" in receipt
    with app.app_context():
        mail = db.session.scalars(db.select(OutboxMessage).filter_by(to=ANNA)).one()
    assert mail.subject == "Domanda ricevuta: protocollo CC2020-0001"
    assert "Soglia da raccogliere con le donazioni: 8.000 €" in plain(mail.body)

    # Read-only from now on: steps lead to the receipt and a forged post changes nothing.
    assert anna.get(f"/it/domanda/{application_id}/progetto").headers["Location"].endswith("/ricevuta")
    token = csrf_from(receipt)
    anna.post(f"/it/domanda/{application_id}/progetto", data={"csrf_token": token, "titolo": "Altro"})
    assert application(app, application_id).title == "Lab Barona"


def test_protocol_numbers_follow_each_other_per_edition(app, client):
    for number, email in enumerate(("a@org.example", "b@org.example", "c@org.example")):
        make_applicant(app, email, number)
        application_id = draft(app, email)
        browser = app.test_client()
        sign_in(browser, app, email)
        submit(browser, application_id)
    with app.app_context():
        numbers = db.session.scalars(db.select(Application.protocol_number).order_by(Application.id)).all()
    assert numbers == ["CC2020-0001", "CC2020-0002", "CC2020-0003"]


def test_an_incomplete_application_cannot_be_submitted(app, anna):
    application_id = draft(app, ANNA, complete=False)
    assert "completa prima tutte le sezioni" in text_of(anna.get(f"/it/domanda/{application_id}/riepilogo")).lower()
    text = text_of(submit(anna, application_id))
    assert "Completa tutte le sezioni" in text
    assert application(app, application_id).status.value == "draft"


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [("2020-07-31T23:59:59+02:00", True), ("2020-08-01T00:00:00+02:00", False)],
)
def test_the_deadline_is_the_servers_clock_in_rome(app, anna, at, moment, accepted):
    application_id = draft(app, ANNA)
    url = f"/it/domanda/{application_id}/riepilogo"
    token = csrf_from(anna.get(url).get_data(as_text=True))  # the form is opened before the deadline…
    at(moment)  # …and sent at this moment
    ticks = {"rappresentante": "y", "requisiti": "y", "veridicita": "y", "privacy": "y"}
    response = anna.post(url, data={"csrf_token": token, **ticks})
    saved = application(app, application_id)
    if accepted:
        assert response.status_code == 302 and saved.protocol_number == "CC2020-0001"
    else:
        assert "Il termine per inviare le domande è scaduto" in text_of(response)
        assert saved.status.value == "draft" and saved.title == "Lab Barona"  # the draft is kept


def test_withdrawal_before_the_deadline_only(app, anna, at):
    application_id = draft(app, ANNA)
    submit(anna, application_id)
    url = f"/it/domanda/{application_id}/ricevuta"
    assert "Ritira la domanda" in text_of(anna.get(url))
    refused = post(anna, url, {})
    assert "Conferma che vuoi ritirare la domanda" in text_of(refused)
    assert post(anna, url, {"conferma": "y"}).status_code == 302
    page = text_of(anna.get(url))
    assert "Ritirata" in page and "Ritira la domanda" not in page
    # A new application can be started after a withdrawal.
    token = csrf_from(anna.get("/it/domanda/").get_data(as_text=True))
    assert (
        anna.post("/it/domanda/inizia", data={"csrf_token": token}).headers["Location"]
        != f"/it/domanda/{application_id}/"
    )


def test_after_the_deadline_a_submitted_application_cannot_be_withdrawn(app, anna, at):
    application_id = draft(app, ANNA)
    submit(anna, application_id)
    url = f"/it/domanda/{application_id}/ricevuta"
    token = csrf_from(anna.get(url).get_data(as_text=True))
    at("2020-08-01T00:00:00+02:00")
    assert "Ritira la domanda" not in text_of(anna.get(url))
    anna.post(url, data={"csrf_token": token, "conferma": "y"})
    assert application(app, application_id).status.value == "submitted"


def test_the_area_speaks_english(app, anna):
    application_id = draft(app, ANNA, complete=False)
    page = text_of(anna.get(f"/en/domanda/{application_id}/"))
    assert "The project" in page and "Il progetto" not in page
    empty_budget = post(anna, f"/en/domanda/{application_id}/budget", {"azione": "continua"})
    assert "Add at least one cost item" in text_of(empty_budget)


def test_removing_an_attachment_removes_its_file(app, anna):
    application_id = draft(app, ANNA, complete=True)
    with app.app_context():
        attachment = db.session.scalars(db.select(Attachment)).one()
        stored = Path(app.config["UPLOAD_DIR"]) / attachment.storage_key
    assert stored.exists()
    response = post(anna, f"/it/domanda/{application_id}/allegati/{attachment.id}/elimina", {})
    assert response.headers["Location"] == f"/it/domanda/{application_id}/allegati"
    assert "Allegato eliminato" in text_of(anna.get(response.headers["Location"]))
    assert not stored.exists()
    with app.app_context():
        assert db.session.scalars(db.select(Attachment)).all() == []
