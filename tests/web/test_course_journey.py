"""The course as a person meets it (issue 14, item 7): seats left on the calendar cards, more lessons
from the personal page, a confirmation that repeats the address and the dates, a join link named for
what it is, a privacy notice acknowledged (not "consented to") and the privacy page's legal bases."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import icalendar
import pytest

from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models import Event, OutboxMessage
from tests.accounts import csrf_from
from tests.html_validation import vnu_errors
from tests.registrations import JUNE_10, lesson_ids, set_capacity, sign_up, statuses

FIRST_DATES = {
    "it": "lunedì 15 giugno 2020, 16:00–18:00 (ora di Roma)",
    "en": "Monday 15 June 2020, 16:00–18:00 (Rome time)",
}
SECOND_DATES = {
    "it": "lunedì 22 giugno 2020, 16:00–18:00 (ora di Roma)",
    "en": "Monday 22 June 2020, 16:00–18:00 (Rome time)",
}
ZOOM_LABEL = {
    "it": "Link per partecipare su Zoom, riservato alle persone iscritte",
    "en": "Link to join on Zoom, for registered participants only",
}


@pytest.fixture(autouse=True)
def _june_10(at):
    at(JUNE_10)


def squeeze(response) -> str:
    return " ".join(unescape(response.get_data(as_text=True)).split())


def mails(app, to: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage).filter_by(to=to).order_by(OutboxMessage.id)))


def personal_path(app, email: str) -> str:
    return re.search(r"http://127\.0\.0\.1:5000(/\w\w/iscrizioni/[\w-]+)", mails(app, email)[0].body).group(1)


def card(html: str, title: str) -> str:
    """The calendar card of one lesson: from its title to the end of its list item."""
    start = html.index(title)
    return html[start : html.index("</li>", start)]


def titles(app, lang: str) -> list[str]:
    with app.app_context():
        return [db.session.get(Event, i).title(lang) for i in lesson_ids(app)]


# --- Seats left on the calendar cards ------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "many", "one", "full"),
    [
        ("it", "12 posti disponibili", "1 posto disponibile", "Posti esauriti: puoi iscriverti alla lista d'attesa"),
        ("en", "12 seats left", "1 seat left", "Fully booked: you can join the waiting list"),
    ],
)
def test_calendar_cards_state_the_seats_left_from_the_registrations(app, client, lang, many, one, full):
    first, second, third = lesson_ids(app)
    for lesson, capacity in ((first, 13), (second, 2), (third, 1)):
        set_capacity(app, lesson, capacity)
    sign_up(client, [first, second, third], email="prima@example.org")

    html = squeeze(client.get(f"/{lang}/calendario"))
    t1, t2, t3 = titles(app, lang)
    assert many in card(html, t1)
    assert one in card(html, t2)
    assert full in card(html, t3)
    assert f"/{lang}/calendario/iscrizione?lezione={third}" in card(html, t3)  # the waiting list, one click away

    sign_up(client, [second], email="seconda@example.org")
    assert full in card(squeeze(client.get(f"/{lang}/calendario")), t2)


# --- More lessons from the personal page ---------------------------------------------------------
def add_from_personal_page(client, path: str, lesson: int):
    page = client.get(path).get_data(as_text=True)
    return client.post(f"{path}/aggiungi", data={"csrf_token": csrf_from(page), "lezione": lesson})


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_personal_page_registers_for_the_other_lessons_with_one_click(app, client, lang):
    first, second, third = lesson_ids(app)
    sign_up(client, [first], email="anna@example.org", lang=lang)
    path = personal_path(app, "anna@example.org")
    page = squeeze(client.get(path))
    heading = {"it": "Iscriviti anche alle altre lezioni", "en": "Register for the other lessons too"}[lang]
    assert heading in page
    assert page.count(f'name="lezione" value="{second}"') == 1 and f'name="lezione" value="{third}"' in page
    assert f'name="lezione" value="{first}"' not in page  # already held

    response = add_from_personal_page(client, path, second)
    assert response.status_code == 302 and response.headers["Location"] == path
    assert statuses(app, "anna@example.org")["corso-2020-lezione-2"] is RegistrationStatus.CONFIRMED

    page = squeeze(client.get(path))
    confirmed = {
        "it": "posto confermato. Ti abbiamo scritto a anna@example.org.",
        "en": "seat confirmed. We have written to anna@example.org.",
    }
    assert f"{SECOND_DATES[lang]}: {confirmed[lang]}" in page
    assert f'name="lezione" value="{second}"' not in page and f'name="lezione" value="{third}"' in page

    mail = mails(app, "anna@example.org")[-1]
    subject = {"it": "Iscrizione confermata", "en": "Registration confirmed"}[lang]
    assert mail.subject.startswith(subject)
    assert FIRST_DATES[lang] in mail.body and SECOND_DATES[lang] in mail.body
    (calendar_file,) = mail.attachments
    assert len(icalendar.Calendar.from_ical(calendar_file["content"]).walk("VEVENT")) == 2


def test_from_the_personal_page_a_full_lesson_puts_the_person_on_the_waiting_list(app, client):
    first, second, _third = lesson_ids(app)
    set_capacity(app, second, 1)
    sign_up(client, [second], email="prima@example.org")
    sign_up(client, [first], email="anna@example.org")
    path = personal_path(app, "anna@example.org")
    assert "Mettiti in lista d'attesa" in squeeze(client.get(path))

    add_from_personal_page(client, path, second)
    assert statuses(app, "anna@example.org")["corso-2020-lezione-2"] is RegistrationStatus.WAITLISTED
    assert "sei in lista d'attesa" in squeeze(client.get(path))
    assert mails(app, "anna@example.org")[-1].subject.startswith("Sei in lista d'attesa")


def test_the_personal_page_offers_only_lessons_still_open_and_refuses_others(app, client, at):
    first, second, _third = lesson_ids(app)
    sign_up(client, [second], email="anna@example.org")
    path = personal_path(app, "anna@example.org")
    with app.app_context():
        info_session = db.session.scalars(db.select(Event.id).filter_by(slug="sessione-informativa-2020")).one()
    assert add_from_personal_page(client, path, info_session).status_code == 404
    assert add_from_personal_page(client, path, 987654).status_code == 404
    assert client.post("/it/iscrizioni/non-esiste/aggiungi", data={"lezione": first}).status_code in (400, 404)

    at("2020-06-15T16:30:00+02:00")  # the first lesson has begun
    assert f'name="lezione" value="{first}"' not in client.get(path).get_data(as_text=True)
    before = len(mails(app, "anna@example.org"))
    assert add_from_personal_page(client, path, first).status_code == 302  # a page left open
    assert "corso-2020-lezione-1" not in statuses(app, "anna@example.org")
    assert "le iscrizioni sono chiuse" in squeeze(client.get(path))
    assert len(mails(app, "anna@example.org")) == before


# --- The confirmation repeats the address and the dates ------------------------------------------
@pytest.mark.parametrize(
    ("lang", "address_label", "written"),
    [
        ("it", "Indirizzo e-mail dell'iscrizione:", "Ti abbiamo scritto a anna@example.org"),
        ("en", "E-mail address of the registration:", "We have written to anna@example.org"),
    ],
)
def test_the_confirmation_and_the_email_repeat_the_address_and_the_dates(app, client, lang, address_label, written):
    first, second, _third = lesson_ids(app)
    html = squeeze(sign_up(client, [first, second], email="Anna@Example.org", lang=lang))
    assert f"{address_label} <strong>anna@example.org</strong>" in html
    assert written in html
    assert FIRST_DATES[lang] in html and SECOND_DATES[lang] in html

    (mail,) = mails(app, "anna@example.org")
    assert "anna@example.org" in mail.body
    assert FIRST_DATES[lang] in mail.body and SECOND_DATES[lang] in mail.body


# --- The join link is named for what it is -------------------------------------------------------
@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_zoom_link_is_named_as_a_zoom_link_for_registered_people(app, client, lang):
    first = lesson_ids(app)[0]
    sign_up(client, [first], email="anna@example.org", lang=lang)
    link = "https://zoom.example/j/crowdfunding-civico-2020-lezione-1"
    (mail,) = mails(app, "anna@example.org")
    assert f"{ZOOM_LABEL[lang]}: {link}" in mail.body
    page = squeeze(client.get(personal_path(app, "anna@example.org")))
    assert f'{ZOOM_LABEL[lang]}: <a href="{link}">' in page
    (event,) = icalendar.Calendar.from_ical(mail.attachments[0]["content"]).walk("VEVENT")
    assert str(event["description"]) == f"{ZOOM_LABEL[lang]}: {link}"


def test_reminders_and_promotions_name_the_zoom_link_the_same_way(app, client, at, runner):
    first = lesson_ids(app)[0]
    set_capacity(app, first, 1)
    sign_up(client, [first], email="prima@example.org")
    sign_up(client, [first], email="jane@example.org", lang="en")
    page = client.get(personal_path(app, "prima@example.org")).get_data(as_text=True)
    action = re.search(r'action="(/it/iscrizioni/[^"]+/annulla)"', page).group(1)
    client.post(action, data={"csrf_token": csrf_from(page)})
    promoted = mails(app, "jane@example.org")[-1]
    assert promoted.subject.startswith("A seat has become free")
    assert ZOOM_LABEL["en"] in promoted.body and "anna" not in promoted.body

    sign_up(client, [first], email="terza@example.org")  # waiting now: no reminder
    runner.invoke(args=["send-reminders", "--now", "2020-06-14T17:00:00+02:00"])
    reminder = mails(app, "jane@example.org")[-1]
    assert reminder.subject.startswith("Tomorrow") and ZOOM_LABEL["en"] in reminder.body


# --- Acknowledging the privacy notice ------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "label", "link", "error"),
    [
        (
            "it",
            "Ho letto l'informativa sul trattamento dei dati personali",
            "Leggi l'informativa sul trattamento dei dati personali",
            "Per iscriverti conferma di aver letto l'informativa sul trattamento dei dati personali",
        ),
        (
            "en",
            "I have read the privacy notice",
            "Read the privacy notice",
            "To register, confirm that you have read the privacy notice",
        ),
    ],
)
def test_the_form_asks_to_acknowledge_the_privacy_notice_not_to_consent(app, client, lang, label, link, error):
    html = squeeze(client.get(f"/{lang}/calendario/iscrizione"))
    assert f'<label class="form-check-label" for="privacy">{label}</label>' in html
    assert f'<a href="/{lang}/privacy#iscrizioni">{link}</a>' in html
    assert "acconsent" not in html.lower() and "consent" not in html.lower()

    html = squeeze(sign_up(client, lesson_ids(app)[:1], lang=lang, privacy=""))
    assert error in html
    assert mails(app, "anna@example.org") == []


# --- The privacy page ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "public_task", "controller", "retention"),
    [
        (
            "it",
            "articolo 6, paragrafo 1, lettera e del GDPR",
            "Il titolare del trattamento è il Comune di Milano",
            "120 giorni dopo la fine dell'ultima lezione",
        ),
        (
            "en",
            "Article 6(1)(e) GDPR",
            "The data controller is the Comune di Milano",
            "120 days after the end of the last lesson",
        ),
    ],
)
def test_the_privacy_page_gives_the_legal_basis_of_each_processing(
    app, client, monkeypatch, lang, public_task, controller, retention
):
    monkeypatch.setitem(app.config, "DPO_EMAIL", "rpd@comune.milano.example")
    monkeypatch.setitem(app.config, "REGISTRANT_RETENTION_DAYS", 120)
    html = squeeze(client.get(f"/{lang}/privacy"))
    assert controller in html
    assert 'href="mailto:rpd@comune.milano.example"' in html
    assert retention in html
    for section in ("iscrizioni", "candidature", "donazioni", "email"):
        start = html.index(f'id="{section}"')
        body = html[start : html.index("</dl>", start)]
        assert public_task in body, section
    registrations = html[html.index('id="iscrizioni"') :]
    registrations = registrations[: registrations.index("</dl>")]
    assert ("6, paragrafo 1, lettera a" if lang == "it" else "6(1)(a)") not in registrations  # no consent asked


def test_anonymising_a_registrant_also_clears_the_mails_sent_to_them(app, client, at, runner):
    sign_up(client, lesson_ids(app), email="anna@example.org")
    sign_up(client, lesson_ids(app), email="bruno@example.org")
    with app.app_context():
        for message in db.session.scalars(db.select(OutboxMessage)):
            message.sent_at = message.created_at + timedelta(minutes=1)
        db.session.commit()
    at("2020-09-20T10:00:00+02:00")  # 83 days after the last lesson: kept
    assert "Anonymised 0 registrants" in runner.invoke(args=["anonymise-registrants"]).output
    assert len(mails(app, "anna@example.org")) == 1
    at("2020-09-28T10:00:00+02:00")
    assert "Anonymised 2 registrants" in runner.invoke(args=["anonymise-registrants"]).output
    assert mails(app, "anna@example.org") == [] and mails(app, "bruno@example.org") == []


# --- Gender-inclusive Italian --------------------------------------------------------------------
MASCULINE_ONLY = re.compile(r"\biscritt[oi]\b")  # "iscritta o iscritto" is removed first


def test_the_course_speaks_to_everyone_in_italian(app, client, at, runner):
    first, second, _third = lesson_ids(app)
    set_capacity(app, second, 1)
    sign_up(client, [second], email="prima@example.org")
    pages = [squeeze(sign_up(client, [first, second], email="anna@example.org"))]
    pages.append(squeeze(sign_up(client, [first], email="anna@example.org")))  # already registered
    path = personal_path(app, "anna@example.org")
    pages.append(squeeze(client.get(path)))
    page = client.get(personal_path(app, "prima@example.org")).get_data(as_text=True)
    client.post(
        re.search(r'action="(/it/iscrizioni/[^"]+/annulla)"', page).group(1), data={"csrf_token": csrf_from(page)}
    )
    runner.invoke(args=["send-reminders", "--now", "2020-06-14T17:00:00+02:00"])
    for path in ("/it/calendario", "/it/calendario/iscrizione", "/it/eventi/corso-2020-lezione-1"):
        pages.append(squeeze(client.get(path)))
    texts = pages + [f"{m.subject}\n{m.body}" for m in mails(app, "anna@example.org")]
    assert len(mails(app, "anna@example.org")) == 4  # sign-up, already registered, promoted, reminder
    for text in texts:
        assert MASCULINE_ONLY.findall(text.replace("iscritta o iscritto", "")) == [], text[:200]


# --- Valid HTML ----------------------------------------------------------------------------------
def test_the_course_pages_in_every_new_state_are_valid_html(app, client, tmp_path):
    first, second, third = lesson_ids(app)
    set_capacity(app, third, 0)
    pages = {}
    for lang in ("it", "en"):
        email = f"{lang}@example.org"
        pages[f"confirmation-{lang}"] = sign_up(client, [first], email=email, lang=lang).data
        pages[f"errors-{lang}"] = sign_up(client, [], email="x", lang=lang, privacy="").data
        path = personal_path(app, email)
        pages[f"personal-offers-{lang}"] = client.get(path).data
        add_from_personal_page(client, path, second)
        pages[f"personal-added-{lang}"] = client.get(path).data
        pages[f"calendar-seats-{lang}"] = client.get(f"/{lang}/calendario").data
    files = []
    for name, body in pages.items():
        target = tmp_path / f"{name}.html"
        target.write_bytes(body)
        files.append(str(target))
    assert vnu_errors(files) == []
