"""Receipts for donations (issue 15): the PDF in the supporter's language with the art. 83 note only
where the organisation's checked status qualifies at the donation's date; the e-mail when a
campaign succeeds; "I miei sostegni" by magic link; the 2020 demo's organisations."""

from __future__ import annotations

import re
import time
from datetime import date, datetime

import itsdangerous.timed

from portal.clock import ROME
from portal.demo.campaigns import seed_demo_campaigns
from portal.domain.pledge import PledgeStatus
from portal.domain.tax_relief import FiscalStatus
from portal.extensions import db
from portal.models import Campaign, Organisation, Pledge
from portal.services.payments import receipts
from tests.applicants import codice_fiscale
from tests.campaigns import AFTER_THE_END, close, confirm, mails, make_campaign, pledge
from tests.receipts import (
    ANNA,
    BRUNO,
    DONOR_CF,
    ask_link,
    funded,
    organisation,
    pdf_text,
    plain,
    receipt,
    token_of,
)


# --- The PDF ------------------------------------------------------------------------------------
def test_an_onlus_receipt_of_2020_carries_the_art_83_note_in_both_languages(app, client):
    refs = funded(app, organisation(app, 1, FiscalStatus.ONLUS, date(2012, 5, 1)))
    italian = pdf_text(receipt(client, app, refs["anna"]))
    for expected in (
        "Ricevuta di donazione",
        "Associazione Ricevute 1",
        codice_fiscale(501),
        "ONLUS iscritta all'Anagrafe delle ONLUS",
        "Comune di Milano – Crowdfunding Civico",  # the collecting intermediary
        "Anna Rossi",
        DONOR_CF,
        "7.500,00 €",
        "15 novembre 2020",  # paid on 15 November 2020 (Rome)
        "Bonifico bancario",
        "Lab Barona",
        refs["anna"],
        "art. 83 del Codice del Terzo Settore",
        "30%",
        "30.000 €",
        "10%",
    ):
        assert expected in italian, expected

    english = pdf_text(receipt(client, app, refs["bruno"], "en"))
    for expected in ("Donation receipt", "€500.50", "15 November 2020", "Article 83", "30%", "€30,000", "not given"):
        assert expected in english, expected
    assert DONOR_CF not in english


def test_an_odv_gets_35_percent_and_an_ets_in_2020_gets_no_note(app, client):
    odv = funded(app, organisation(app, 2, FiscalStatus.ODV, date(2015, 1, 1)), title="Orto")
    assert "35%" in pdf_text(receipt(client, app, odv["anna"]))
    # Enrolled in the RUNTS, but the donation of November 2020 came before the RUNTS opened.
    ets = funded(app, organisation(app, 3, FiscalStatus.ETS_RUNTS, date(2021, 11, 23)), title="Serra")
    text = pdf_text(receipt(client, app, ets["anna"]))
    assert "Ente del Terzo Settore iscritto al RUNTS" in text
    assert "art. 83" not in text and "30%" not in text


def test_other_unchecked_or_no_organisation_means_no_note(app, client):
    other = funded(app, organisation(app, 4, FiscalStatus.OTHER, None), title="Altro")
    text = pdf_text(receipt(client, app, other["anna"]))
    assert "Nessuna di queste qualifiche" in text and "art. 83" not in text
    unchecked = funded(app, organisation(app, 5, FiscalStatus.ONLUS, date(2012, 1, 1), checked=False), title="Nuova")
    text = pdf_text(receipt(client, app, unchecked["anna"]))
    assert "non ancora verificata" in text and "art. 83" not in text
    without = funded(app, None, title="Senza")
    text = pdf_text(receipt(client, app, without["anna"]))
    assert "La Cordata" in text and "art. 83" not in text


def test_only_confirmed_pledges_of_a_succeeded_campaign_get_a_receipt(app, client):
    refs = funded(app, organisation(app, 6, FiscalStatus.ONLUS, date(2012, 1, 1)), close_it=False)
    assert receipt(client, app, refs["anna"]).status_code == 404  # still open
    close(app)
    assert receipt(client, app, refs["anna"]).status_code == 200
    assert receipt(client, app, refs["carla"]).status_code == 404  # never paid: cancelled
    assert client.get("/it/sostegno/token-sbagliato/ricevuta.pdf").status_code == 404
    # A campaign that was not funded: its paid pledges are refunded, no receipt.
    campaign_id = make_campaign(app, "Merende")
    paid = pledge(app, campaign_id, 10_000, email="dora@example.org")
    confirm(app, paid, 10_000)
    close(app)
    assert receipt(client, app, paid).status_code == 404


def test_the_receipt_is_private(app, client):
    refs = funded(app, organisation(app, 7, FiscalStatus.ONLUS, date(2012, 1, 1)))
    response = receipt(client, app, refs["anna"])
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert f'filename="ricevuta-{refs["anna"]}.pdf"' in response.headers["Content-Disposition"]


# --- The e-mail when a campaign succeeds ---------------------------------------------------------
def test_each_confirmed_supporter_gets_the_receipt_link_in_their_language(app, client):
    refs = funded(app, organisation(app, 8, FiscalStatus.ONLUS, date(2012, 1, 1)))
    [(_, subject, body)] = [m for m in mails(app, ANNA) if "ricevuta" in m[1]]
    assert subject == "La ricevuta del tuo sostegno a «Lab Barona»"
    link = re.search(r"http://127\.0\.0\.1:5000(/it/sostegno/\S+/ricevuta\.pdf)", body).group(1)
    assert "art. 83" in pdf_text(client.get(link))
    [(_, subject, body)] = [m for m in mails(app, BRUNO) if "receipt" in m[1]]
    assert subject == "The receipt for your support of «Lab Barona»"
    assert re.search(r"/en/sostegno/\S+/ricevuta\.pdf", body)
    assert not [m for m in mails(app, "carla@example.org") if "ricevuta" in m[1]]
    close(app, AFTER_THE_END)  # closing again sends nothing twice
    assert len([m for m in mails(app, ANNA) if "ricevuta" in m[1]]) == 1
    assert refs


# --- "I miei sostegni" --------------------------------------------------------------------------
def test_the_magic_link_lists_the_pledges_and_their_receipts(app, client):
    refs = funded(app, organisation(app, 9, FiscalStatus.ONLUS, date(2012, 1, 1)))
    other = make_campaign(app, "Ciclofficina")
    open_pledge = pledge(app, other, 3_000, email=ANNA)
    before = len(mails(app, ANNA))

    known = ask_link(client, " Anna@Example.org ")
    unknown = ask_link(client, "nessuno@example.org")
    assert known.status_code == unknown.status_code == 200
    # The same answer whether or not the address has pledges.
    assert plain(known.get_data(as_text=True)).replace("anna@example.org", "X") == plain(
        unknown.get_data(as_text=True)
    ).replace("nessuno@example.org", "X")
    assert mails(app, "nessuno@example.org") == []
    [(_, subject, body)] = mails(app, ANNA)[before:]
    assert subject == "I tuoi sostegni al Crowdfunding Civico"
    link = re.search(r"http://127\.0\.0\.1:5000(/it/i-miei-sostegni/\S+)", body).group(1)

    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    html = plain(page.get_data(as_text=True))
    assert "Lab Barona" in html and "Ciclofficina" in html
    assert f"/it/sostegno/{token_of(app, refs['anna'])}/ricevuta.pdf" in html
    assert f"/it/sostegno/{token_of(app, open_pledge)}/ricevuta.pdf" not in html  # campaign still open
    assert "Non ancora disponibile" in html and "In attesa del pagamento" in html
    assert token_of(app, refs["bruno"]) not in html  # another address's pledge
    # Not a credential: the link opens these pledges and nothing else; nobody is signed in.
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/it/domanda/").headers["Location"].startswith("/it/accesso")

    forged = client.get(link[:-3] + "xyz")
    assert forged.status_code == 404
    assert "Il link non è valido o è scaduto" in plain(forged.get_data(as_text=True))


def test_the_magic_link_expires_after_seven_days(app, client, monkeypatch):
    funded(app, organisation(app, 10, FiscalStatus.ONLUS, date(2012, 1, 1)))
    ask_link(client, ANNA)
    link = re.search(r"(/it/i-miei-sostegni/\S+)", mails(app, ANNA)[-1][2]).group(1)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        assert receipts.email_of_link(token) == ANNA
        assert receipts.email_of_link("not-a-token") is None
        assert receipts.email_of_link(token[:-2]) is None
        # The signature's time is the real one (itsdangerous): eight days later the link is refused.
        later = time.time() + (receipts.SUPPORTER_LINK_DAYS + 1) * 86_400
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
        assert receipts.email_of_link(token) is None


def test_asking_for_the_link_in_english(app, client):
    funded(app, organisation(app, 11, FiscalStatus.ONLUS, date(2012, 1, 1)))
    response = ask_link(client, BRUNO, "en")
    assert "we have just sent you a link" in plain(response.get_data(as_text=True))
    [(_, subject, body)] = [m for m in mails(app, BRUNO) if "supports" in m[1]]
    assert subject == "Your supports to Crowdfunding Civico"
    assert "/en/i-miei-sostegni/" in body


# --- The demo -----------------------------------------------------------------------------------
def test_the_2020_demo_shows_the_note_for_its_onlus_and_none_for_the_others(app, client):
    with app.app_context():
        seed_demo_campaigns()
        seed_demo_campaigns()  # idempotent: no second organisation
        cortile = db.session.scalars(
            db.select(Campaign).filter_by(slug="cortile-in-comune-progetto-dimostrativo")
        ).one()
        onlus = db.session.get(Organisation, cortile.organisation_id)
        assert (onlus.fiscal_status, onlus.fiscal_status_checked_at is not None) == (FiscalStatus.ONLUS, True)
        barona = db.session.scalars(db.select(Campaign).filter_by(slug="lab-barona")).one()
        assert db.session.get(Organisation, barona.organisation_id).fiscal_status is FiscalStatus.OTHER
        names = db.session.scalars(db.select(Organisation.name)).all()
        assert len(names) == len(set(names))
        paid = db.session.scalars(
            db.select(Pledge).filter_by(campaign_id=cortile.id, status=PledgeStatus.CONFIRMED).order_by(Pledge.id)
        ).first()
        barona_id = barona.id
    assert "art. 83" in pdf_text(client.get(f"/it/sostegno/{paid.token}/ricevuta.pdf"))
    # Lab Barona, closed as succeeded by a later clock: a receipt without the note.
    with app.app_context():
        reference = pledge(app, barona_id, 1_000_000, email=ANNA, at=datetime(2020, 12, 1, tzinfo=ROME))
        confirm(app, reference, 1_000_000, at=datetime(2020, 12, 2, tzinfo=ROME))
        close(app, datetime(2020, 12, 29, tzinfo=ROME))
    text = pdf_text(receipt(client, app, reference))
    assert "Nessuna di queste qualifiche" in text and "art. 83" not in text
