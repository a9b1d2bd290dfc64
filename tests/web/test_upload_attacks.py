"""Uploads under attack: the applicants' PDF attachments and the staff's bank statement.

Oversize, empty, disguised, active, encrypted, damaged files and hostile names are refused (or
their names cleaned) with a message in the reader's language; nothing is written outside the
upload folder, nothing half-written; downloads are always attachments; a request over the size
limit gets a page, with and without htmx, and never a connection reset, even under gunicorn.
The hostile PDFs are built with pypdf (tests/hostile_files.py).
"""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

from portal.extensions import db
from portal.models import Attachment, AuditEntry
from portal.services import uploads
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import draft, make_applicant, pdf_bytes
from tests.campaigns import NOVEMBER, make_campaign, pledge
from tests.hostile_files import ACTIVE, HARMLESS, build, encrypted, javascript_action, set_in_catalog, upload_over_http
from tests.payments import IMPORT_URL, confirm_import, statement
from tests.servers import AppServer, portal_env

ANNA = "anna@cordata.example"
STAFF = "giulia@comune.milano.example"
MB = 1024 * 1024


@pytest.fixture
def anna(app, client, at):
    at("2020-07-10T10:00:00+02:00")
    make_applicant(app, ANNA)
    sign_in(client, app, ANNA)
    return client


@pytest.fixture
def staff(app, client, at):
    at(NOVEMBER)
    make_user(app, STAFF)
    sign_in(client, app, STAFF)
    return client


def text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html)).replace("\xa0", " ")


def upload_folder(app) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def files_in(app) -> set[Path]:
    return set(upload_folder(app).rglob("*"))


def attachment_names(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Attachment.filename).order_by(Attachment.id)))


def send(client, url: str, files: list[tuple[bytes, str]], *, field: str = "file", headers=None):
    """Post files through the form, with its token."""
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, field: [(io.BytesIO(content), name) for content, name in files]}
    return client.post(url, data=data, content_type="multipart/form-data", headers=headers or {})


# --- the attachments: what is refused, with which message ------------------------------


def assert_refused(app, anna, content: bytes, filename: str, message: str, lang: str = "it") -> None:
    application_id = draft(app, ANNA, complete=False)
    before = files_in(app)
    response = send(anna, f"/{lang}/domanda/{application_id}/allegati", [(content, filename)])
    assert response.status_code == 200, filename
    assert message in text(response), filename
    assert attachment_names(app) == [] and files_in(app) == before


@pytest.mark.parametrize("kind", ACTIVE)
def test_a_pdf_with_active_content_is_refused(app, anna, kind):
    assert_refused(app, anna, ACTIVE[kind](), "statuto.pdf", "Il PDF contiene contenuti attivi")


def test_active_content_is_refused_in_english_with_the_way_out(app, anna):
    content = build(set_in_catalog("OpenAction", javascript_action()))
    assert_refused(app, anna, content, "statuto.pdf", "print it to PDF", lang="en")


@pytest.mark.parametrize("kind", HARMLESS)
def test_what_word_processors_write_is_accepted(app, anna, kind):
    application_id = draft(app, ANNA, complete=False)
    response = send(anna, f"/it/domanda/{application_id}/allegati", [(HARMLESS[kind](), "statuto.pdf")])
    assert response.status_code == 302, kind
    assert attachment_names(app) == ["statuto.pdf"]


@pytest.mark.parametrize(
    "content, message",
    [
        (encrypted("segreta"), "Il PDF è protetto da una password o cifrato"),
        (encrypted(""), "Il PDF è protetto da una password o cifrato"),  # opens without asking, still encrypted
        (pdf_bytes(3)[: len(pdf_bytes(3)) // 2], "è danneggiato o incompleto"),  # truncated
        (pdf_bytes()[:-40], "è danneggiato o incompleto"),  # the end cut off
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n", "è danneggiato o incompleto"),
        (build(pages=0), "è danneggiato o incompleto"),  # no pages
        (b"", "Il file è vuoto"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Il file non è un PDF, anche se il nome lo fa pensare"),
        (b"<html><script>alert(document.cookie)</script></html>", "Il file non è un PDF, anche se il nome"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Il file non è un PDF, anche se il nome"),  # a .docx
        (b"MZ\x90\x00\x03\x00\x00\x00", "Il file non è un PDF, anche se il nome"),  # a Windows program
    ],
)
def test_empty_disguised_encrypted_and_damaged_files_are_refused(app, anna, content, message):
    assert_refused(app, anna, content, "statuto.pdf", message)


def test_the_reasons_are_given_in_english(app, anna):
    assert_refused(app, anna, encrypted("segreta"), "statuto.pdf", "protected by a password", lang="en")
    assert_refused(app, anna, pdf_bytes()[:-40], "statuto.pdf", "damaged or incomplete", lang="en")
    assert_refused(app, anna, b"GIF89a", "statuto.pdf", "is not a PDF", lang="en")


def test_a_file_over_the_per_file_limit_is_refused(app, anna):
    big = pdf_bytes() + b"%" + b"0" * (5 * MB)  # under the request limit, over the file limit
    assert_refused(app, anna, big, "statuto.pdf", "Il file è troppo grande: al massimo 5 MB")


# --- names -----------------------------------------------------------------------------

NAMES = [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\Windows\\win.ini.pdf", "win.ini.pdf"),
    ("statuto\x00.exe.pdf", "statuto.exe.pdf"),
    ("cod.exe\u202efdp.pdf", "cod.exefdp.pdf"),  # shown as "cod.exepdf.pdf" with the override
    ("fattura\u202egpj.exe", "fatturagpj.exe.pdf"),
    ("sta\u200btuto\u2066.pdf", "statuto.pdf"),  # zero-width space, an isolate
    ("x" * 500 + ".pdf", "x" * 116 + ".pdf"),
    ("....", "documento.pdf"),
    ("..", "documento.pdf"),
    (".pdf", "documento.pdf"),
    (".htaccess.pdf", "htaccess.pdf"),
    ("CON.pdf", "CON_.pdf"),
    ("nul.tar.pdf", "nul_.tar.pdf"),
    ("COM1", "COM1_.pdf"),
    ("ｓｔａｔｕｔｏ．ｐｄｆ", "statuto.pdf"),  # full-width
    ('a<b>c:"d"|e?*.pdf', "a_b_c__d__e__.pdf"),
    ("Statuto   Città  2020.PDF", "Statuto Città 2020.pdf"),
    ("", "documento.pdf"),
]


@pytest.mark.parametrize("sent, shown", NAMES)
def test_hostile_names_are_cleaned(sent, shown):
    assert uploads.display_name(sent) == shown


def test_a_hostile_name_writes_nothing_outside_the_folder_and_is_shown_cleaned(app, anna, tmp_path_factory):
    application_id = draft(app, ANNA, complete=False)
    url = f"/it/domanda/{application_id}/allegati"
    before = files_in(app)
    for sent in ("../../etc/passwd.pdf", "..\\..\\boot.ini.pdf", "cod.exe\u202efdp.pdf", "CON.pdf"):
        assert send(anna, url, [(pdf_bytes(), sent)]).status_code == 302, sent
    assert attachment_names(app) == ["passwd.pdf", "boot.ini.pdf", "cod.exefdp.pdf", "CON_.pdf"]
    added = files_in(app) - before
    assert len(added) == 4 and all(re.fullmatch(r"[0-9a-f]{32}", path.name) for path in added)
    assert all(path.parent == upload_folder(app) for path in added)
    base = tmp_path_factory.getbasetemp()
    assert not [p for p in base.rglob("*") if p.name in {"passwd.pdf", "boot.ini.pdf", "passwd", "boot.ini"}]
    page = anna.get(url).get_data(as_text=True)
    assert "\u202e" not in page and "<bdi>cod.exefdp.pdf</bdi>" in page


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_name_comes_out_plain(sent):
    shown = uploads.display_name(sent)
    assert shown.endswith(".pdf") and len(shown) <= uploads.MAX_NAME_CHARS
    assert not shown.startswith((".", " ")) and "/" not in shown and "\\" not in shown
    assert not re.search(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", shown)
    assert uploads.display_name(shown) == shown


# --- downloads -------------------------------------------------------------------------


def test_downloads_are_always_attachments_with_an_rfc_6266_name(app, anna):
    application_id = draft(app, ANNA, complete=False)
    url = f"/it/domanda/{application_id}/allegati"
    for sent in ("statuto.pdf", "Città statuto.pdf"):
        assert send(anna, url, [(pdf_bytes(), sent)]).status_code == 302
    with app.app_context():
        plain_id, accented_id = db.session.scalars(db.select(Attachment.id).order_by(Attachment.id))
    plain = anna.get(f"{url}/{plain_id}")
    assert plain.headers["Content-Disposition"] == "attachment; filename=\"statuto.pdf\"; filename*=UTF-8''statuto.pdf"
    accented = anna.get(f"{url}/{accented_id}")
    assert accented.headers["Content-Disposition"] == (
        "attachment; filename=\"Citta statuto.pdf\"; filename*=UTF-8''Citt%C3%A0%20statuto.pdf"
    )
    for response in (plain, accented):
        assert response.status_code == 200 and response.data == pdf_bytes()
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]


def test_a_name_stored_before_the_names_were_cleaned_is_cleaned_on_download(app, anna):
    application_id = draft(app, ANNA, complete=True)
    with app.app_context():
        attachment = db.session.scalars(db.select(Attachment)).one()
        attachment.filename = "cod.exe\u202efdp.pdf"
        db.session.commit()
        attachment_id = attachment.id
    response = anna.get(f"/it/domanda/{application_id}/allegati/{attachment_id}")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"cod.exefdp.pdf\"; filename*=UTF-8''cod.exefdp.pdf"
    )


def test_a_missing_file_is_not_found_rather_than_an_error(app, anna):
    application_id = draft(app, ANNA, complete=True)
    with app.app_context():
        attachment = db.session.scalars(db.select(Attachment)).one()
        (upload_folder(app) / attachment.storage_key).unlink()
    assert anna.get(f"/it/domanda/{application_id}/allegati/{attachment.id}").status_code == 404


# --- many files ------------------------------------------------------------------------


def test_several_files_in_one_request_are_refused_together(app, anna):
    application_id = draft(app, ANNA, complete=False)
    url = f"/it/domanda/{application_id}/allegati"
    before = files_in(app)
    response = send(anna, url, [(pdf_bytes(), "uno.pdf"), (pdf_bytes(), "due.pdf")])
    assert "Carica un file alla volta" in text(response)
    english = send(anna, f"/en/domanda/{application_id}/allegati", [(pdf_bytes(), "a.pdf"), (pdf_bytes(), "b.pdf")])
    assert "Upload one file at a time" in text(english)
    assert attachment_names(app) == [] and files_in(app) == before


def test_no_more_than_five_attachments_in_all(app, anna):
    application_id = draft(app, ANNA, complete=True)  # one attachment already
    url = f"/it/domanda/{application_id}/allegati"
    for number in range(4):
        assert send(anna, url, [(pdf_bytes(), f"documento-{number}.pdf")]).status_code == 302
    before = files_in(app)
    response = send(anna, url, [(pdf_bytes(), "sesto.pdf")])
    assert "Puoi caricare al massimo 5 allegati" in text(response)
    assert len(attachment_names(app)) == 5 and files_in(app) == before


def test_a_thousand_parts_in_one_request_get_the_too_large_page(app, anna):
    application_id = draft(app, ANNA, complete=False)
    url = f"/it/domanda/{application_id}/allegati"
    token = csrf_from(anna.get(url).get_data(as_text=True))
    parts = [(io.BytesIO(b"%PDF-1.4"), f"{n}.pdf") for n in range(1100)]
    response = anna.post(url, data={"csrf_token": token, "file": parts}, content_type="multipart/form-data")
    assert response.status_code == 413 and "troppo grande (o i file sono troppi)" in text(response)
    assert attachment_names(app) == []


# --- over the request limit: 413 -------------------------------------------------------


def oversize(client, url: str, field: str, headers=None):
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, field: (io.BytesIO(b"%PDF-1.4\n" + b"0" * (7 * MB)), "scansione.pdf")}
    return client.post(url, data=data, content_type="multipart/form-data", headers=headers or {})


@pytest.mark.parametrize(
    "lang, title, message, back",
    [
        ("it", "File troppo grande", "Il file inviato è troppo grande", "Torna alla pagina del modulo"),
        ("en", "File too large", "The file you sent is too large", "Back to the form"),
    ],
)
def test_an_attachment_over_the_request_limit_gets_a_page_in_the_readers_language(
    app, anna, lang, title, message, back
):
    application_id = draft(app, ANNA, complete=False)
    url = f"/{lang}/domanda/{application_id}/allegati"
    before = files_in(app)
    response = oversize(anna, url, "file")
    assert response.status_code == 413
    page = text(response)
    assert title in page and message in page and back in page
    assert f'href="{url}"' in response.get_data(as_text=True)
    assert attachment_names(app) == [] and files_in(app) == before


def test_with_htmx_an_attachment_over_the_limit_leads_back_to_the_form_with_the_message(app, anna):
    application_id = draft(app, ANNA, complete=False)
    url = f"/en/domanda/{application_id}/allegati"
    response = oversize(anna, url, "file", headers={"HX-Request": "true"})
    assert response.status_code == 413 and response.headers["HX-Redirect"] == url
    assert "The file you sent is too large" in text(anna.get(url))
    assert attachment_names(app) == []


def test_with_htmx_a_bank_statement_over_the_limit_leads_back_to_the_form_with_the_message(app, staff):
    response = oversize(staff, IMPORT_URL, "estratto", headers={"HX-Request": "true"})
    assert response.status_code == 413 and response.headers["HX-Redirect"] == IMPORT_URL
    assert "Il file inviato è troppo grande" in text(staff.get(IMPORT_URL))


def test_the_body_of_a_refused_request_is_read_so_the_browser_gets_the_answer(app):
    """A server that answers and closes while the browser is still sending makes it show
    "connection reset": the portal reads the rest of the body (bounded) before answering."""
    builder = EnvironBuilder(
        path="/it/domanda/1/allegati",
        method="POST",
        data={"file": (io.BytesIO(b"0" * (7 * MB)), "big.pdf")},
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    body = environ["wsgi.input"]
    _, status, _ = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413") and body.tell() == int(environ["CONTENT_LENGTH"])


def test_under_gunicorn_a_request_over_the_limit_gets_its_page_not_a_connection_reset(app, staff, tmp_path):
    environment = portal_env(
        PORTAL_ENV="testing", TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], UPLOAD_DIR=str(tmp_path)
    )
    with AppServer(environment, workers=1, name="uploads") as server:
        attachment = upload_over_http(server.port, "/en/domanda/1/allegati", "file", 20 * MB)
        assert attachment.startswith(b"HTTP/1.1 413") and b"The file you sent is too large" in attachment
        cookie = f"session={staff.get_cookie('session').value}"
        statement_page = upload_over_http(server.port, IMPORT_URL, "estratto", 20 * MB, cookie)
        assert statement_page.startswith(b"HTTP/1.1 200") and b"Il file supera 2 MB" in statement_page


# --- the bank statement ----------------------------------------------------------------


def test_a_statements_hostile_name_is_cleaned_on_the_pages_and_in_the_audit_log(app, staff):
    campaign_id = make_campaign(app)
    reference = pledge(app, campaign_id, 5_000, name="Anna Rossi")
    content = statement(f"16/11/2020;50,00;{reference};TX-1")
    folder = upload_folder(app) / "estratti"
    before = set(folder.iterdir()) if folder.exists() else set()
    preview = send(staff, IMPORT_URL, [(content, "../../estratto\x00\u202evsc.xlsx")], field="estratto")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "\u202e" not in html and "\x00" not in html
    assert "estrattovsc.xlsx.csv" in text(preview)
    added = set(folder.iterdir()) - before
    assert all(re.fullmatch(r"[0-9a-f]{32}(\.json)?", path.name) for path in added) and len(added) == 2
    confirmed = confirm_import(staff, html)
    assert "«estrattovsc.xlsx.csv»: 1 pagamento confermato." in text(confirmed)
    with app.app_context():
        label = db.session.scalars(db.select(AuditEntry.subject_label).filter_by(action="payments.import")).one()
    assert label.startswith("estrattovsc.xlsx.csv (SHA-256 ")


def test_several_statements_in_one_request_are_refused(app, staff):
    folder = upload_folder(app) / "estratti"
    before = set(folder.iterdir()) if folder.exists() else set()
    response = send(staff, IMPORT_URL, [(statement(), "uno.csv"), (statement(), "due.csv")], field="estratto")
    assert "Carica un solo estratto conto alla volta" in text(response)
    assert (set(folder.iterdir()) if folder.exists() else set()) == before
