"""Staff import a bank statement: preview, confirm, and nothing counted twice; the pledges of a campaign."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.domain.bank_statement import parse_statement
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.extensions import db
from portal.models import AuditEntry, BankTransaction, Campaign, Pledge, Role
from portal.services.campaigns import closing
from tests.accounts import csrf_from, make_user, sign_in
from tests.campaigns import NOVEMBER, NOVEMBER_AT, STARTS_AT, confirm, make_campaign, pledge
from tests.html_validation import vnu_errors
from tests.payments import IMPORT_URL, confirm_import, deliver, event, statement, upload

STAFF = "giulia@comune.milano.example"
URL = IMPORT_URL
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def staff(app, at):
    """A staff member signed in, in November 2020."""
    at(NOVEMBER)
    make_user(app, STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))).replace("\xa0", " ")


def totals(app, campaign_id: int) -> tuple[int, int, int, int | None]:
    with app.app_context():
        c = db.session.get(Campaign, campaign_id)
        return c.confirmed_cents, c.pending_cents, c.supporters, c.grant_cents


def stored_statements(app) -> list[Path]:
    """The statements waiting for a confirmation."""
    folder = Path(app.config["UPLOAD_DIR"]) / "estratti"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.fixture(autouse=True)
def _no_statements_waiting(app):
    for path in stored_statements(app):
        path.unlink()


def lab_barona(app):
    """Lab Barona with three pending pledges: 5.000 €, 3.000 € (anonymous) and 25 €."""
    campaign_id = make_campaign(app)
    big = pledge(app, campaign_id, 500_000, name="Anna Rossi")
    second = pledge(app, campaign_id, 300_000, name=None)
    small = pledge(app, campaign_id, 2_500, name="Bruno Bianchi")
    return campaign_id, big, second, small


def november_statement(big: str, second: str, small: str) -> bytes:
    return statement(
        f"16/11/2020;5.000,00;Bonifico Anna Rossi {big};TX-1",
        f"16/11/2020;3000.00;DONAZIONE {second.lower().replace('-', ' ')};TX-2",
        f"17/11/2020;20,00;{small} Bruno;TX-3",  # 25 € promised
        "17/11/2020;10,00;CC2020-00000000-V;TX-4",  # a valid reference nobody was given
        "17/11/2020;15,00;Per il quartiere;TX-5",
        "17/11/2020;-3,50;Commissioni;TX-6",
        "31/11/2020;10,00;x;TX-7",
        "18/11/2020;10,00",
    )


def test_the_page_documents_the_columns_and_offers_an_example(app, staff):
    client = staff
    page = text(client.get(URL))
    for column in ("data", "importo", "causale", "id_movimento"):
        assert column in page
    assert "al massimo 2 MB e 10.000 movimenti" in page
    example = client.get(f"{URL}/esempio.csv")
    assert example.status_code == 200 and example.mimetype == "text/csv"
    assert "attachment" in example.headers["Content-Disposition"]
    parsed = parse_statement(example.data)
    assert len(parsed.rows) == 2 and len(parsed.skipped) == 1 and parsed.errors == ()
    assert "Pagamenti" in text(client.get("/it/gestione/"))


def test_the_preview_says_what_each_row_would_do_and_changes_nothing(app, staff):
    client = staff
    campaign_id, big, second, small = lab_barona(app)

    response = upload(client, november_statement(big, second, small))
    assert response.status_code == 200
    page = text(response)
    assert "5 movimenti in entrata letti" in page
    assert "2 pagamenti da confermare" in page
    assert f"{big} Anna Rossi Lab Barona" in page
    assert f"{second} anonimo Lab Barona" in page
    assert f"20,00 € 25,00 € {small} Lab Barona" in page  # paid, promised
    assert "CC2020-00000000-V Nessun sostegno con questo riferimento" in page
    assert "Per il quartiere TX-5" in page
    assert "Riga 8: la data «31/11/2020» non è nel formato gg/mm/aaaa" in page
    assert "Riga 9: ha 2 celle invece di 4" in page
    assert "1 movimento in uscita, ignorato" in page and "Righe: 7." in page
    assert "Conferma 2 pagamenti" in page
    assert totals(app, campaign_id) == (0, 802_500, 0, None)
    assert len(stored_statements(app)) == 2  # the file, and the rows it matched


def test_confirming_applies_the_matched_rows_commits_the_grant_and_is_audited(app, staff):
    client = staff
    campaign_id, big, second, small = lab_barona(app)
    preview = upload(client, november_statement(big, second, small)).get_data(as_text=True)

    response = confirm_import(client, preview)
    assert response.status_code == 200
    page = text(response)
    assert "«estratto-novembre.csv»: 2 pagamenti confermati." in page
    assert "«Lab Barona» ha raggiunto la soglia: il Comune ha impegnato il suo contributo di 12.000 €." in page
    assert "8.000 € confermati su una soglia di 8.000 €, 2 persone l'hanno sostenuta" in page
    assert totals(app, campaign_id) == (800_000, 2_500, 2, 1_200_000)
    with app.app_context():
        paid = {p.reference: p for p in db.session.scalars(db.select(Pledge))}
        assert paid[big].status is PledgeStatus.CONFIRMED and paid[big].paid_via is PaidVia.BANK
        assert paid[big].payment_id == "TX-1" and paid[small].status is PledgeStatus.PENDING
        imported = db.session.scalars(db.select(BankTransaction).order_by(BankTransaction.transaction_id)).all()
        assert [(t.transaction_id, t.amount_cents, t.booked_on.day) for t in imported] == [
            ("TX-1", 500_000, 16),
            ("TX-2", 300_000, 16),
        ]
        entry = db.session.scalars(db.select(AuditEntry).filter_by(action="payments.import")).one()
        assert entry.actor_email == STAFF and entry.at == NOVEMBER_AT
        assert entry.changes["payments_confirmed"] == [None, 2] and entry.changes["rows_to_check"] == [None, 3]
        assert entry.changes["lines_unreadable"] == [None, 2]
    assert stored_statements(app) == []  # the payers' names do not stay on disk
    audit = text(client.get("/it/gestione/registro"))
    assert "Importazione di un estratto conto" in audit and "Pagamenti confermati: – → 2" in audit
    assert "5 movimenti letti, 2 pagamenti confermati" in text(client.get(URL))


def test_importing_the_same_file_again_changes_nothing_and_says_so(app, staff):
    client = staff
    campaign_id, big, second, small = lab_barona(app)
    content = statement(f"16/11/2020;5.000,00;{big};TX-1", f"16/11/2020;3.000,00;{second};TX-2")
    confirm_import(client, upload(client, content).get_data(as_text=True))

    again = upload(client, content, "lo-stesso.csv")
    page = text(again)
    assert "Questo estratto conto è già stato importato: nessun movimento cambia qualcosa." in page
    assert "2 già importati" in page and "Nessun pagamento da confermare in questo file." in page
    assert 'action="/it/gestione/pagamenti/conferma"' not in again.get_data(as_text=True)
    assert totals(app, campaign_id) == (800_000, 2_500, 2, 1_200_000)


def test_only_rows_that_still_match_are_applied_on_confirmation(app, staff):
    client = staff
    campaign_id, big, second, small = lab_barona(app)
    content = statement(f"16/11/2020;5.000,00;{big};TX-1", f"16/11/2020;25,00;{small};TX-3")
    preview = upload(client, content).get_data(as_text=True)
    # Meanwhile the provider confirms the small pledge.
    confirm(app, small, 2_500, via=PaidVia.PROVIDER)

    page = text(confirm_import(client, preview))
    assert "1 pagamento confermato." in page
    assert f"3 {small} 25,00 € Sostegno non più in attesa (già pagato o annullato)" in page
    assert totals(app, campaign_id) == (502_500, 300_000, 2, None)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(BankTransaction)) == 1


def test_a_confirmation_sent_twice_or_forged_changes_nothing(app, staff):
    client = staff
    campaign_id, big, second, _ = lab_barona(app)
    preview = upload(client, statement(f"16/11/2020;5.000,00;{big};TX-1")).get_data(as_text=True)
    assert "1 pagamento confermato." in text(confirm_import(client, preview))

    replay = text(confirm_import(client, preview))
    assert "Il file non è più disponibile" in replay
    forged = client.post(f"{URL}/conferma", data={"csrf_token": csrf_from(preview), "estratto": "abc.def"})
    assert forged.status_code == 200 and "Il file non è più disponibile" in text(forged)
    assert totals(app, campaign_id)[0] == 500_000

    # A stored file altered on disk after the preview is refused.
    preview = upload(client, statement(f"16/11/2020;3.000,00;{second};TX-9")).get_data(as_text=True)
    [stored] = [path for path in stored_statements(app) if path.suffix != ".json"]
    stored.write_bytes(b"data;importo;causale;id_movimento\r\n")
    assert "Il file non è più disponibile" in text(confirm_import(client, preview))


def test_files_that_cannot_be_read_get_a_clear_message(app, staff):
    client = staff
    cases = [
        (b"", "Il file è vuoto."),
        (
            "data;importo;causale;id_movimento\r\n16/11/2020;5,00;caffè;T1\r\n".encode("latin-1"),
            "non è un CSV in UTF-8",
        ),
        (b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n", "non è un CSV in UTF-8"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "non è un CSV in UTF-8"),  # .xlsx
        ("data;importo\r\n".encode("utf-16"), "non è un CSV in UTF-8"),
        (b"16/11/2020;5,00;CC2020;T1\r\n", "Nella prima riga mancano le colonne data, importo, causale, id_movimento"),
        (statement(header="data;importo;causale"), "mancano le colonne id_movimento"),
        (statement(header="data;importo;causale;id_movimento;Data"), "La colonna «data» compare due volte"),
        (statement("1/1/2020;5,00;" + "x" * 140_000 + ";T1"), "davvero un CSV (riga 2)"),
        (statement(*["1/1/2020;1,00;x;t"] * 2) + b"x" * (2 * 1024 * 1024), "Il file supera 2 MB"),
    ]
    for content, message in cases:
        response = upload(client, content)
        assert response.status_code == 200
        page = text(response)
        assert "C'è un problema" in page and message in page, message
        assert "<title>Errore: Pagamenti" in response.get_data(as_text=True)
    assert stored_statements(app) == []


def test_no_file_or_a_file_over_the_request_limit_is_explained(app, staff):
    client = staff
    token = csrf_from(client.get(URL).get_data(as_text=True))
    none = client.post(URL, data={"csrf_token": token}, content_type="multipart/form-data")
    assert "Scegli il file dell'estratto conto." in text(none)
    huge = {"csrf_token": token, "estratto": (io.BytesIO(b"x" * (7 * 1024 * 1024)), "grande.csv")}
    response = client.post(URL, data=huge, content_type="multipart/form-data")
    assert response.status_code == 200 and "Il file supera 2 MB" in text(response)


def test_uploads_need_the_form_token(staff):
    data = {"estratto": (io.BytesIO(statement()), "x.csv")}
    assert staff.post(URL, data=data, content_type="multipart/form-data").status_code == 400
    assert staff.post(f"{URL}/conferma", data={"estratto": "x"}).status_code == 400


def test_the_payment_pages_are_for_staff_only(app, staff):
    campaign_id = make_campaign(app)
    make_user(app, "ente@example.org", Role.APPLICANT)
    make_user(app, "valutatore@example.org", Role.EVALUATOR)
    routes = [
        ("GET", URL),
        ("POST", URL),
        ("POST", f"{URL}/conferma"),
        ("GET", f"{URL}/esempio.csv"),
        ("GET", f"/it/gestione/campagne/{campaign_id}/sostegni"),
        ("GET", f"/it/gestione/campagne/{campaign_id}/sostegni.csv"),
    ]
    for email in ("ente@example.org", "valutatore@example.org"):
        other = app.test_client()
        sign_in(other, app, email)
        token = {"csrf_token": csrf_from(other.get("/it/").get_data(as_text=True))}
        for method, path in routes:
            assert other.open(path, method=method, data=token).status_code == 403, (email, method, path)
    anonymous = app.test_client()
    token = {"csrf_token": csrf_from(anonymous.get("/it/accesso").get_data(as_text=True))}
    for method, path in routes:
        response = anonymous.open(path, method=method, data=token)
        assert response.status_code == 302 and "/it/accesso" in response.location, (method, path)


def test_provider_payments_that_confirmed_nothing_are_listed_for_staff(app, staff):
    client = staff
    assert "Nessuna: ogni pagamento notificato dal fornitore" in text(client.get(URL))
    deliver(app.test_client(), app, event("evt_orphan", "CC2020-00000000-V", 1_234))
    page = text(client.get(URL))
    assert "CC2020-00000000-V 12,34 € Riferimento sconosciuto evt_orphan" in page


def test_the_pledges_of_a_campaign_by_status_with_totals_and_a_spreadsheet(app, staff):
    client = staff
    campaign_id, big, second, small = lab_barona(app)
    sly = pledge(app, campaign_id, 1_000, name='=HYPERLINK("http://x")', email="sly@example.org")
    confirm(app, big, 500_000)
    assert "Sostegni" in text(client.get(f"/it/gestione/campagne/{campaign_id}"))
    assert f"/it/gestione/campagne/{campaign_id}/sostegni" in client.get("/it/gestione/campagne").get_data(True)

    page = text(client.get(f"/it/gestione/campagne/{campaign_id}/sostegni"))
    assert "Raccolti (pagamenti confermati) 5.000,00 €" in page
    assert "Sostegni in attesa di pagamento 3.035,00 €" in page
    assert "In attesa di pagamento 3 sostegni, in tutto 3.035,00 €." in page
    assert "Confermato 1 sostegno, in tutto 5.000,00 €." in page
    assert f"{second} 3.000,00 € anonimo" in page
    assert "Bonifico (estratto conto)" in page and "Non impegnato (riservati 12.000 €)" in page

    export = client.get(f"/it/gestione/campagne/{campaign_id}/sostegni.csv")
    assert export.mimetype == "text/csv" and "sostegni-lab-barona.csv" in export.headers["Content-Disposition"]
    body = export.data.decode("utf-8")
    assert body.startswith("\ufeffRiferimento;Stato;Importo (euro);Nome;E-mail")
    lines = body.splitlines()
    assert len(lines) == 5
    assert f"{big};Confermato;5000,00;Anna Rossi;sostenitore@example.org;;2020-11-15 12:00;2020-11-15 12:00;" in body
    assert f"{second};In attesa di pagamento;3000,00;anonimo;" in body
    assert f'{sly};In attesa di pagamento;10,00;"\'=HYPERLINK(""http://x"")";sly@example.org' in body


def test_a_campaign_not_funded_lists_who_to_refund(app, staff):
    client = staff
    campaign_id, big, second, small = lab_barona(app)
    confirm(app, small, 2_500)
    with app.app_context():
        closing.close_due_campaigns(STARTS_AT.replace(year=2021))
    page = text(client.get(f"/it/gestione/campagne/{campaign_id}/sostegni"))
    assert "Conclusa senza raggiungere la soglia" in page
    assert "Da rimborsare 1 sostegno, in tutto 25,00 €." in page
    assert "restituisci questi importi ai sostenitori" in page
    assert "Annullato 2 sostegni, in tutto 8.000,00 €." in page
    assert client.get("/it/gestione/campagne/999/sostegni").status_code == 404


CSV_CELLS = st.sampled_from(
    ["16/11/2020", "1/6/2020", "31/02/2020", "5,00", "-5,00", "1.234,56", "abc", "", '"', "CC2020-00000000-V", "TX-1"]
) | st.text(max_size=12)


@SETTINGS
@given(content=st.binary(max_size=400))
def test_any_bytes_get_a_page_never_a_500(staff, content):
    _fuzz_upload(staff, content)


@SETTINGS
@given(rows=st.lists(st.lists(CSV_CELLS, min_size=0, max_size=6), max_size=8), sep=st.sampled_from([";", ","]))
def test_any_csv_gets_a_page_never_a_500(staff, rows, sep):
    lines = [sep.join(("data", "importo", "causale", "id_movimento")), *(sep.join(row) for row in rows)]
    _fuzz_upload(staff, "\n".join(lines).encode())


def _fuzz_upload(client, content: bytes) -> None:
    response = upload(client, content)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if 'action="/it/gestione/pagamenti/conferma"' in html:
        assert confirm_import(client, html).status_code == 200


def test_the_payment_pages_are_valid_html(app, staff, tmp_path):
    campaign_id, big, second, small = lab_barona(app)
    pages = {"empty": staff.get(URL), "errors": upload(staff, b"")}
    content = november_statement(big, second, small).replace(b"20,00", b"25,00")
    preview = upload(staff, content)
    pages["preview"] = preview
    confirm(app, small, 2_500, via=PaidVia.PROVIDER)  # changes after the preview
    pages["result"] = confirm_import(staff, preview.get_data(as_text=True))
    pages["again"] = upload(staff, content)
    deliver(app.test_client(), app, event("evt_orphan", "CC2020-00000000-V", 1_234))
    pages["attention"] = staff.get("/en/gestione/pagamenti")
    other = make_campaign(app, "Orti in cortile")
    pledge(app, other, 1_000, name=None)
    confirm(app, pledge(app, other, 2_000), 2_000)
    with app.app_context():
        closing.close_due_campaigns(STARTS_AT.replace(year=2021))
    pages["pledges"] = staff.get(f"/it/gestione/campagne/{campaign_id}/sostegni")
    pages["refunds"] = staff.get(f"/en/gestione/campagne/{other}/sostegni")
    pages["campaigns"] = staff.get("/it/gestione/campagne")
    pages["campaign"] = staff.get(f"/it/gestione/campagne/{campaign_id}")
    files = []
    for case, response in pages.items():
        assert response.status_code == 200, case
        target = tmp_path / f"{case}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert "Sostegno non più in attesa" in text(pages["result"])
    assert vnu_errors(files) == []
