"""The call's official documents: staff attach them to an edition (checked like every upload,
audit-logged, ordered, removed), the call page lists them with format and size in its language,
and the public downloads them, as attachments under a safe name, once the edition is published."""

from __future__ import annotations

import io
import re
from datetime import datetime
from html import unescape
from pathlib import Path

import pytest

from portal.clock import ROME
from portal.extensions import db
from portal.models import AuditEntry, Edition, EditionDocument
from portal.services.editions import documents
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import pdf_bytes
from tests.hostile_files import ACTIVE, build, encrypted, javascript_action, set_in_catalog
from tests.html_validation import vnu_errors

STAFF = "giulia@comune.milano.example"
PAGE = "/it/gestione/edizioni/2020/documenti"


@pytest.fixture(autouse=True)
def _september(at):
    at("2020-09-15T10:00:00+02:00")


@pytest.fixture
def staff(app):
    make_user(app, STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


def text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html)).replace("\xa0", " ")


def upload(client, kind="call", title_it="Bando 2020", title_en="2020 call", *, content=None, name="bando.pdf", **more):
    token = csrf_from(client.get(PAGE).get_data(as_text=True))
    data = {
        "csrf_token": token,
        "tipo": kind,
        "titolo_it": title_it,
        "titolo_en": title_en,
        "file": (io.BytesIO(pdf_bytes() if content is None else content), name),
        **more,
    }
    return client.post(PAGE, data=data, content_type="multipart/form-data")


def document_rows(app) -> list[EditionDocument]:
    with app.app_context():
        rows = db.session.scalars(db.select(EditionDocument).order_by(EditionDocument.id)).all()
        db.session.expunge_all()
        return rows


def document_links(response) -> list[str]:
    section = response.get_data(as_text=True).split('id="documenti"')[1].split("</section>")[0]
    return [unescape(re.sub(r"<[^>]+>", "", link)) for link in re.findall(r"<a [^>]*>(.*?)</a>", section)]


def set_edition(app, **values) -> None:
    with app.app_context():
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        for name, value in values.items():
            setattr(edition, name, value)
        db.session.commit()


def test_staff_attach_the_call_and_the_page_lists_it_with_format_and_size_in_both_languages(app, staff):
    content = build(pages=40)  # some tens of kilobytes
    response = upload(staff, content=content, name="../../Bando CC 2020.pdf")
    assert response.status_code == 302
    assert "Documento caricato." in text(staff.get(PAGE))
    upload(staff, "faq", "Domande frequenti", "Frequently asked questions")
    (call, faq) = document_rows(app)
    assert (call.kind.value, call.filename, call.size_bytes) == ("call", "Bando CC 2020.pdf", len(content))
    kb = -(-len(content) // 1024)

    visitor = app.test_client()
    italian = text(visitor.get("/it/bando/2020"))
    assert "Documenti del bando" in italian
    assert f"Bando 2020 (PDF, {kb} KB)" in italian and "Domande frequenti (PDF, 1 KB)" in italian
    english = visitor.get("/en/bando/2020")
    assert f"2020 call (PDF, {kb} KB)" in text(english) and "Documenti del bando" not in text(english)
    assert document_links(english) == ["2020 call", "Frequently asked questions"]

    download = visitor.get(f"/it/bando/2020/documenti/{call.id}")
    assert download.status_code == 200 and download.data == content
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="Bando CC 2020.pdf"' in disposition
    assert download.cache_control.public and download.cache_control.max_age > 0
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    again = visitor.get(f"/it/bando/2020/documenti/{call.id}", headers={"If-None-Match": download.headers["ETag"]})
    assert again.status_code == 304

    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert actions.count("edition.document_add") == 2


def test_sizes_follow_the_page_language(app):
    for lang, mb in (("it", "1,5 MB"), ("en", "1.5 MB")):
        with app.test_request_context(f"/{lang}/bando/2020"):
            app.preprocess_request()
            assert documents.size_label(1536 * 1024) == mb
            assert documents.size_label(245 * 1024) == "245 KB"
            assert documents.size_label(10) == "1 KB"


def test_documents_go_in_order_by_kind_then_position_and_staff_move_and_remove_them(app, staff):
    upload(staff, "annex", "Allegato B", "Annex B", ordine="2")
    upload(staff, "annex", "Allegato A", "Annex A", ordine="1")
    upload(staff, "call", "Bando 2020", "2020 call")
    upload(staff, "annex", "Allegato C", "Annex C")  # no position: after the others of its kind
    visitor = app.test_client()
    assert document_links(visitor.get("/it/bando/2020")) == ["Bando 2020", "Allegato A", "Allegato B", "Allegato C"]

    annex_b = next(d for d in document_rows(app) if d.title_it == "Allegato B")
    token = csrf_from(staff.get(PAGE).get_data(as_text=True))
    staff.post(f"{PAGE}/{annex_b.id}/ordine", data={"csrf_token": token, "ordine": "0"})  # out of range: ignored
    assert document_links(visitor.get("/it/bando/2020")) == ["Bando 2020", "Allegato A", "Allegato B", "Allegato C"]
    staff.post(f"{PAGE}/{annex_b.id}/ordine", data={"csrf_token": token, "ordine": "9"})
    assert document_links(visitor.get("/it/bando/2020")) == ["Bando 2020", "Allegato A", "Allegato C", "Allegato B"]

    stored = Path(app.config["UPLOAD_DIR"]) / annex_b.storage_key
    assert stored.is_file()
    response = staff.post(f"{PAGE}/{annex_b.id}/elimina", data={"csrf_token": token})
    assert response.status_code == 302 and "Documento eliminato." in text(staff.get(PAGE))
    assert not stored.exists()
    assert document_links(visitor.get("/it/bando/2020")) == ["Bando 2020", "Allegato A", "Allegato C"]
    assert visitor.get(f"/it/bando/2020/documenti/{annex_b.id}").status_code == 404
    with app.app_context():
        actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"edition.document_move", "edition.document_remove"} <= actions


def test_only_plain_pdfs_with_both_titles_are_accepted(app, staff):
    refused = upload(staff, content=build(set_in_catalog("/OpenAction", javascript_action())))
    assert refused.status_code == 200 and "Il PDF contiene contenuti attivi" in text(refused)
    for case, hostile in ACTIVE.items():
        assert "Il PDF contiene contenuti attivi" in text(upload(staff, content=hostile())), case
    assert "protetto da una password" in text(upload(staff, content=encrypted("")))
    not_pdf = upload(staff, content=b"MZ\x90\x00 an executable", name="bando.pdf")
    assert "Il file non è un PDF" in text(not_pdf)
    untitled = upload(staff, title_en="")
    assert "Scrivi il titolo in inglese" in text(untitled)
    no_kind = upload(staff, kind="contract")
    assert no_kind.status_code == 200 and "Errore:" in text(no_kind)
    assert document_rows(app) == []
    assert list(Path(app.config["UPLOAD_DIR"]).glob("*.part")) == []


def test_the_public_sees_documents_only_of_a_published_edition(app, staff):
    upload(staff)
    (call,) = document_rows(app)
    set_edition(app, is_published=False)
    visitor = app.test_client()
    assert visitor.get(f"/it/bando/2020/documenti/{call.id}").status_code == 404
    staff_copy = staff.get(f"/it/bando/2020/documenti/{call.id}")
    assert staff_copy.status_code == 200 and "no-store" in staff_copy.headers["Cache-Control"]
    assert visitor.get(f"/it/bando/2016/documenti/{call.id}").status_code == 404  # another edition's address


def test_the_ranking_document_waits_for_the_published_ranking(app, staff):
    upload(staff, "ranking", "Graduatoria", "Ranking")
    (ranking,) = document_rows(app)
    visitor = app.test_client()
    assert 'id="documenti"' not in visitor.get("/it/bando/2020").get_data(as_text=True)
    assert visitor.get(f"/it/bando/2020/documenti/{ranking.id}").status_code == 404
    assert "Non ancora" in text(staff.get(PAGE))
    # published after the portal's clock (a demo set to an earlier day): not yet
    set_edition(app, ranking_published_at=datetime(2020, 9, 15, 10, 1, tzinfo=ROME))
    assert 'id="documenti"' not in visitor.get("/it/bando/2020").get_data(as_text=True)
    set_edition(app, ranking_published_at=datetime(2020, 9, 15, 10, 0, tzinfo=ROME))
    assert document_links(visitor.get("/en/bando/2020")) == ["Ranking"]
    assert visitor.get(f"/it/bando/2020/documenti/{ranking.id}").status_code == 200


def test_the_documents_pages_are_valid_html(app, staff, tmp_path):
    upload(staff)
    upload(staff, "annex", "Modulo di domanda", "Application form")
    pages = {
        "admin-it": staff.get(PAGE),
        "admin-en": staff.get("/en/gestione/edizioni/2020/documenti"),
        "admin-error": upload(staff, content=b"not a pdf"),
        "call-it": app.test_client().get("/it/bando/2020"),
        "call-en": app.test_client().get("/en/bando/2020"),
    }
    files = []
    for case, response in pages.items():
        assert response.status_code == 200, case
        target = tmp_path / f"{case}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []
