"""Receipts, staff's side (issue 15): checking an organisation's declared fiscal status (audit-logged),
the organisation declaring it, the donors' CSV for the Agenzia delle Entrate; the pages' HTML."""

from __future__ import annotations

import re
from datetime import date

from portal.domain.tax_relief import FiscalStatus
from portal.extensions import db
from portal.models import Application, AuditEntry, Campaign, Organisation, Pledge, Role
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import codice_fiscale
from tests.campaigns import close, confirm, mails, make_campaign, pledge
from tests.html_validation import vnu_errors
from tests.panel import STAFF, submitted
from tests.receipts import (
    ANNA,
    BRUNO,
    CHECKED_AT,
    DONOR_CF,
    ask_link,
    funded,
    organisation,
    plain,
)


# --- Staff: the fiscal status check and the donors' CSV -----------------------------------------
def test_staff_check_the_declared_fiscal_status_and_it_is_audit_logged(app, client):
    (application_id,) = submitted(app, 1)
    with app.app_context():
        organisation_id = db.session.get(Application, application_id).organisation_id
        row = db.session.get(Organisation, organisation_id)
        row.fiscal_status, row.fiscal_status_since = FiscalStatus.ONLUS, date(2012, 5, 1)
        db.session.commit()
    sign_in(client, app, STAFF)
    page = client.get(f"/it/gestione/domande/{application_id}")
    html = plain(page.get_data(as_text=True))
    assert "Verifica lo stato fiscale" in html and "da verificare" in html
    response = client.post(f"/it/gestione/domande/{application_id}/stato-fiscale", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, organisation_id).fiscal_status_checked_at is not None
        entry = db.session.scalars(db.select(AuditEntry).filter_by(action="organisation.fiscal_check")).one()
        assert (entry.subject_type, entry.subject_id, entry.actor_email) == ("organisation", organisation_id, STAFF)
        assert entry.changes["fiscal_status"] == [None, "onlus"]
    html = plain(client.get(f"/it/gestione/domande/{application_id}").get_data(as_text=True))
    assert "Verificata il" in html and "Verifica lo stato fiscale" not in html
    log = plain(client.get("/it/gestione/registro").get_data(as_text=True))
    assert "Verifica della qualifica fiscale" in log


def test_the_organisation_declares_its_status_and_a_change_waits_for_a_new_check(app, client):
    (application_id,) = submitted(app, 1)
    applicant = "org0@org.example"
    sign_in(client, app, applicant)
    url = "/it/domanda/organizzazione"
    html = client.get(url).get_data(as_text=True)
    assert "Qualifica fiscale" in html
    form = {
        "nome": "Associazione Prova 0",
        "forma": "associazione",
        "codice_fiscale": "80012000826",
        "indirizzo": "Via Ettore Ponti 15",
        "nil": "46",
        "referente": "Anna Rossi",
        "telefono": "02 1234567",
        "stato_fiscale": "ets_runts",
        "stato_fiscale_dal": "",
    }
    missing = client.post(url, data={"csrf_token": csrf_from(html), **form})
    assert missing.status_code == 200
    assert "Scrivi la data di iscrizione al registro" in plain(missing.get_data(as_text=True))
    saved = client.post(url, data={"csrf_token": csrf_from(html), **form, "stato_fiscale_dal": "10/03/2022"})
    assert saved.status_code == 302
    with app.app_context():
        organisation_id = db.session.get(Application, application_id).organisation_id
        row = db.session.get(Organisation, organisation_id)
        assert (row.fiscal_status, row.fiscal_status_since) == (FiscalStatus.ETS_RUNTS, date(2022, 3, 10))
        row.fiscal_status_checked_at = CHECKED_AT
        db.session.commit()
    # Saving the same declaration keeps the check; changing it asks for a new one.
    client.post(url, data={"csrf_token": csrf_from(html), **form, "stato_fiscale_dal": "10/03/2022"})
    with app.app_context():
        assert db.session.get(Organisation, organisation_id).fiscal_status_checked_at is not None
    client.post(url, data={"csrf_token": csrf_from(html), **form, "stato_fiscale": "other"})
    with app.app_context():
        row = db.session.get(Organisation, organisation_id)
        assert (row.fiscal_status, row.fiscal_status_since, row.fiscal_status_checked_at) == (
            FiscalStatus.OTHER,
            None,
            None,
        )


def test_staff_export_the_donors_codici_fiscali_per_organisation_and_year(app, client):
    organisation_id = organisation(app, 12, FiscalStatus.ONLUS, date(2012, 1, 1))
    refs = funded(app, organisation_id)
    # A second donation of Anna's, with her codice fiscale typed in lower case, in another campaign.
    second = make_campaign(app, "Seconda", goal_cents=100_000)
    with app.app_context():
        db.session.get(Campaign, second).organisation_id = organisation_id
        db.session.commit()
    again = pledge(app, second, 40_025, email=ANNA)
    with app.app_context():
        db.session.scalars(db.select(Pledge).filter_by(reference=again)).one().codice_fiscale = DONOR_CF.lower()
        db.session.commit()
    confirm(app, again, 40_025)
    close(app)
    make_user(app, STAFF, Role.STAFF)
    sign_in(client, app, STAFF)

    page = client.get("/it/gestione/pagamenti/donatori")
    assert page.status_code == 200
    assert "Associazione Ricevute 12" in page.get_data(as_text=True)
    response = client.get(f"/it/gestione/pagamenti/donatori.csv?organizzazione={organisation_id}&anno=2020")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"donatori-{codice_fiscale(512)}-2020.csv" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert lines == [
        "Codice fiscale del donatore;Importo donato nell'anno (euro);Numero di donazioni;"
        "Di cui con la nota art. 83 (euro)",
        f"{DONOR_CF};7900,25;2;7900,25",  # Bruno gave no codice fiscale: not listed
    ]
    empty = client.get(f"/it/gestione/pagamenti/donatori.csv?organizzazione={organisation_id}&anno=2021")
    assert empty.get_data(as_text=True).strip().count("\n") == 0
    assert client.get("/it/gestione/pagamenti/donatori.csv?organizzazione=999999&anno=2020").status_code == 404
    assert refs


def test_the_pages_of_receipts_are_valid_html(app, client, tmp_path):
    refs = funded(app, organisation(app, 13, FiscalStatus.ONLUS, date(2012, 1, 1)))
    pages = {"sent": ask_link(client, ANNA), "sent-en": ask_link(client, BRUNO, "en")}
    link = re.search(r"(/it/i-miei-sostegni/\S+)", mails(app, ANNA)[-1][2]).group(1)
    pages["list"] = client.get(link)
    pages["list-en"] = client.get(link.replace("/it/", "/en/"))
    pages["expired"] = client.get("/it/i-miei-sostegni/scaduto")
    token = csrf_from(client.get("/it/i-miei-sostegni").get_data(as_text=True))
    pages["ask-errors"] = client.post("/it/i-miei-sostegni", data={"csrf_token": token, "email": "x"})
    (application_id,) = submitted(app, 1)
    with app.app_context():
        row = db.session.get(Organisation, db.session.get(Application, application_id).organisation_id)
        row.fiscal_status, row.fiscal_status_since = FiscalStatus.ODV, date(2016, 1, 1)
        db.session.commit()
    staff = app.test_client()
    sign_in(staff, app, STAFF)
    pages["admin-application"] = staff.get(f"/it/gestione/domande/{application_id}")
    pages["admin-donors"] = staff.get("/en/gestione/pagamenti/donatori")
    applicant = app.test_client()
    sign_in(applicant, app, "org0@org.example")
    html = applicant.get("/it/domanda/organizzazione").get_data(as_text=True)
    pages["organisation-fiscal"] = applicant.get("/en/domanda/organizzazione")
    pages["organisation-fiscal-error"] = applicant.post(
        "/it/domanda/organizzazione",
        data={"csrf_token": csrf_from(html), "stato_fiscale": "aps", "stato_fiscale_dal": "31/02/2020"},
    )
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 404), name
        target = tmp_path / f"{name}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert refs and vnu_errors(files) == []
