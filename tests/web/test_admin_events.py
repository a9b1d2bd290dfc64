"""Staff manage events: seats, links, materials, registrants and waitlist, CSV; everything audited."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest

from portal.demo.seed import seed_editions
from portal.extensions import db
from portal.models import AuditEntry, Event, OutboxMessage, Role
from tests.accounts import csrf_from, make_user, sign_in
from tests.registrations import JUNE_10, lesson_ids, set_capacity, sign_up, statuses

STAFF = "giulia@comune.milano.example"


@pytest.fixture(autouse=True)
def _june_10(at):
    at(JUNE_10)


@pytest.fixture
def staff(app, client):
    make_user(app, STAFF)
    sign_in(client, app, STAFF)
    return client


def settings(client, event_id, **values):
    url = f"/it/gestione/eventi/{event_id}"
    event = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_from(event), "capacita": "", "link_collegamento": "", "link_registrazione": ""}
    data |= {"link_materiali": "", **values}
    return client.post(url, data=data)


def audit(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)))


def test_staff_see_confirmed_and_waitlisted_people_in_order(app, client, staff):
    first = lesson_ids(app)[0]
    set_capacity(app, first, 1)
    public = app.test_client()
    sign_up(public, [first], email="anna@example.org", name="Anna Rossi")
    sign_up(public, [first], email="bruno@example.org", name="Bruno Bianchi")
    sign_up(public, [first], email="carla@example.org", name="Carla Verdi")

    page = unescape(staff.get(f"/it/gestione/eventi/{first}").get_data(as_text=True))
    confirmed, waitlist = page.split("<caption>Lista d'attesa")
    assert "Anna Rossi" in confirmed and "Bruno" not in confirmed
    assert waitlist.index("Bruno Bianchi") < waitlist.index("Carla Verdi")
    events = staff.get("/it/gestione/eventi").get_data(as_text=True)
    assert "Le opportunità del crowdfunding" in events and "Sessione informativa" in events


def test_more_seats_move_the_waitlist_up_and_tell_them(app, client, staff):
    first = lesson_ids(app)[0]
    set_capacity(app, first, 1)
    public = app.test_client()
    for name in ("anna", "bruno", "carla"):
        sign_up(public, [first], email=f"{name}@example.org", name=name.title())

    response = settings(staff, first, capacita="2")
    assert response.status_code == 302
    page = unescape(staff.get(response.headers["Location"]).get_data(as_text=True))
    assert "1 persona è passata dalla lista d'attesa" in page
    assert statuses(app, "bruno@example.org")["corso-2020-lezione-1"].value == "confirmed"
    assert statuses(app, "carla@example.org")["corso-2020-lezione-1"].value == "waitlisted"
    with app.app_context():
        told = db.session.scalars(db.select(OutboxMessage.to).order_by(OutboxMessage.id.desc())).first()
    assert told == "bruno@example.org"
    [entry] = audit(app)
    assert (entry.actor_email, entry.action, entry.subject_id) == (STAFF, "event.update", first)
    assert entry.changes["capacity"] == [1, 2]


def test_seats_cannot_drop_below_the_confirmed_people(app, client, staff):
    first = lesson_ids(app)[0]
    public = app.test_client()
    sign_up(public, [first], email="anna@example.org")
    sign_up(public, [first], email="bruno@example.org")
    response = settings(staff, first, capacita="1", link_materiali="https://example.org/slide.pdf")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Errore:" in text and "Ci sono già 2 iscrizioni confermate" in text
    assert 'value="https://example.org/slide.pdf"' in text  # nothing typed is lost
    with app.app_context():
        event = db.session.get(Event, first)
        assert (event.capacity, event.materials_url) == (100, None)  # and nothing half-saved
    assert audit(app) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("capacita", "abc", "Scrivi il numero di posti in cifre"),
        ("capacita", "-5", "Scrivi il numero di posti in cifre"),
        ("link_registrazione", "javascript:alert(1)", "https://"),
        ("link_materiali", "www.example.org", "https://"),
        ("link_collegamento", "https://" + "x" * 500 + ".org", "Al massimo 500 caratteri"),
    ],
)
def test_bad_settings_get_a_clear_message_and_change_nothing(app, staff, field, value, message):
    first = lesson_ids(app)[0]
    response = settings(staff, first, **{field: value})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in text and 'aria-invalid="true"' in text
    with app.app_context():
        assert db.session.get(Event, first).capacity == 100
    assert audit(app) == []


def test_recording_and_materials_appear_on_public_pages_after_the_lesson(app, client, staff, at):
    first = lesson_ids(app)[0]
    settings(
        staff,
        first,
        capacita="100",
        link_collegamento="https://zoom.example/j/new-secret-room",
        link_registrazione="https://video.example/lezione-1",
        link_materiali="https://example.org/lezione-1.pdf",
    )
    at("2020-06-16T10:00:00+02:00")
    for path in ("/it/eventi/corso-2020-lezione-1", "/it/calendario", "/en/calendario"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="https://video.example/lezione-1"' in page
        assert 'href="https://example.org/lezione-1.pdf"' in page
        assert "new-secret-room" not in page  # the lesson's join link stays private


def test_the_csv_opens_in_excel_with_accents_and_no_formulas(app, staff):
    first = lesson_ids(app)[0]
    set_capacity(app, first, 1)
    public = app.test_client()
    sign_up(public, [first], email="nicco@example.org", name="Niccolò Ràmbaldi", organizzazione="Cascina Cuccagna")
    sign_up(public, [first], email="eve@example.org", name='=HYPERLINK("http://evil.example")')

    response = staff.get(f"/it/gestione/eventi/{first}/iscritti.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Stato", "Posizione in lista d'attesa", "Nome e cognome"]
    assert rows[1][:5] == ["Confermato", "", "Niccolò Ràmbaldi", "nicco@example.org", "Cascina Cuccagna"]
    assert rows[2][:3] == ["In lista d'attesa", "1", '\'=HYPERLINK("http://evil.example")']
    english = staff.get(f"/en/gestione/eventi/{first}/iscritti.csv").data.decode("utf-8-sig")
    assert english.startswith("Status;")


def test_the_audit_log_is_readable_and_exportable(app, staff):
    first = lesson_ids(app)[0]
    settings(staff, first, capacita="120", link_materiali="https://example.org/slide.pdf")
    page = staff.get("/it/gestione/registro").get_data(as_text=True)
    assert STAFF in page and "Modifica di un evento" in page and "100 → 120" in page
    rows = list(csv.reader(io.StringIO(staff.get("/it/gestione/registro.csv").data.decode("utf-8-sig")), delimiter=";"))
    changed = {row[4]: (row[5], row[6]) for row in rows[1:]}
    assert changed["Posti disponibili"] == ("100", "120")
    assert changed["Link ai materiali"] == ("", "https://example.org/slide.pdf")


def test_reloading_the_demo_data_keeps_what_staff_changed(app, staff):
    first = lesson_ids(app)[0]
    settings(staff, first, capacita="30", link_registrazione="https://video.example/1")
    with app.app_context():
        seed_editions()
        event = db.session.get(Event, first)
        assert (event.capacity, event.recording_url) == (30, "https://video.example/1")


BACKOFFICE = [
    ("GET", "/it/gestione/"),
    ("GET", "/it/gestione/eventi"),
    ("GET", "/it/gestione/eventi/{event}"),
    ("POST", "/it/gestione/eventi/{event}"),
    ("GET", "/it/gestione/eventi/{event}/iscritti.csv"),
    ("GET", "/it/gestione/registro"),
    ("GET", "/it/gestione/registro.csv"),
    ("GET", "/en/gestione/eventi"),
]


@pytest.mark.parametrize(
    "role", [None, Role.APPLICANT, Role.EVALUATOR, Role.STAFF], ids=lambda r: getattr(r, "value", "anonymous")
)
def test_only_staff_open_the_back_office(app, client, role):
    first = lesson_ids(app)[0]
    public = app.test_client()
    sign_up(public, [first], email="private.person@example.org", name="Persona Riservata")
    if role is not None:
        make_user(app, f"{role.value}@example.org", role)
        sign_in(client, app, f"{role.value}@example.org")
    token = csrf_from(client.get("/it/calendario/iscrizione").get_data(as_text=True))
    for method, url in BACKOFFICE:
        url = url.format(event=first)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "capacita": "150"})
        body = response.get_data(as_text=True)
        if role is Role.STAFF:
            assert response.status_code in (200, 302), url
        elif role is None:
            assert response.status_code == 302 and re.match(
                r"/(it|en)/accesso\?next=/", response.headers["Location"]
            ), url
        else:
            assert response.status_code == 403, url
        if role is not Role.STAFF:
            assert "private.person@example.org" not in body and "Persona Riservata" not in body
    with app.app_context():
        assert db.session.get(Event, first).capacity == (150 if role is Role.STAFF else 100)
