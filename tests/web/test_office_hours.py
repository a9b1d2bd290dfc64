"""Office hours: a coach publishes slots, a team books one like a lesson's seat (seats, calendar file,
reminders, cancellation), and no public page ever shows them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest

from portal.clock import ROME
from portal.domain.office_hours import OfficeHourError
from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models import Campaign, Edition, Event, EventKind, OutboxMessage, Registration, Role, User, Venue
from portal.services.courses import office_hours
from portal.services.courses.calendar import programme
from tests.accounts import csrf_from, make_user, sign_in
from tests.concurrency import run_together
from tests.projects import applied_campaign

SEPTEMBER = "2020-09-01T10:00:00+02:00"
SEPTEMBER_AT = datetime(2020, 9, 1, 10, 0, tzinfo=ROME)
COACH, OTHER_COACH = "carla@coach.example", "dario@coach.example"
OWNER, MEMBER, OTHER = "anna@cordata.example", "bea@cordata.example", "bruno@altra.example"
STAFF = "staff@comune.milano.example"
LINK = "https://meet.example/carla-ricevimento"


@pytest.fixture(autouse=True)
def _september(at):
    at(SEPTEMBER)


def _team(app, email, number, title, coach_email):
    application_id, campaign_id = applied_campaign(app, email, number, title=title, owned=True, published=False)
    if coach_email:
        with app.app_context():
            coach_id = db.session.scalars(db.select(User.id).filter_by(email=coach_email)).one()
            db.session.get(Campaign, campaign_id).coach_id = coach_id
            db.session.commit()
    return application_id


@pytest.fixture
def teams(app):
    """Carla coaches Lab Barona (Anna's organisation, Bea a second member) and Orto Comune (Bruno's)."""
    make_user(app, COACH, Role.COACH)
    make_user(app, OTHER_COACH, Role.COACH)
    make_user(app, STAFF, Role.STAFF)
    barona = _team(app, OWNER, 0, "Lab Barona", COACH)
    with app.app_context():
        owner = db.session.scalars(db.select(User).filter_by(email=OWNER)).one()
        organisation_id = owner.organisation_id
    make_user(app, MEMBER, Role.APPLICANT, enrolled=False)
    with app.app_context():
        db.session.scalars(db.select(User).filter_by(email=MEMBER)).one().organisation_id = organisation_id
        db.session.commit()
    orto = _team(app, OTHER, 1, "Orto Comune", COACH)
    return {"barona": barona, "orto": orto}


def signed_in(app, email):
    client = app.test_client()
    sign_in(client, app, email)
    return client


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def post(client, url, form_url=None, **data):
    token = csrf_from(client.get(form_url or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def publish(client, day="10/09/2020", start="16:00", end="16:30", seats="1", where="online", link=LINK, place=""):
    return post(
        client,
        "/it/accompagnamento/ricevimento",
        giorno=day,
        inizio=start,
        fine=end,
        posti=seats,
        modalita=where,
        link=link,
        luogo=place,
    )


def slot(
    app, coach=COACH, starts_at=datetime(2020, 9, 10, 16, 0, tzinfo=ROME), minutes=30, capacity=1, now=SEPTEMBER_AT
) -> int:
    """A slot published through the service (the form has its own tests)."""
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email=coach)).one()
        event = office_hours.add_office_hour(
            user, starts_at, starts_at + timedelta(minutes=minutes), capacity, Venue.ZOOM, LINK, user, now
        )
        return event.id


def team_url(application_id: int) -> str:
    return f"/it/domanda/{application_id}/campagna/ricevimento"


def book(client, application_id, event_id):
    return post(client, team_url(application_id), ricevimento=str(event_id))


def bookings(app) -> list[tuple[int, str, RegistrationStatus, int | None]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Registration).order_by(Registration.id)).all()
        return [(r.event_id, r.registrant.email, r.status, r.campaign_id) for r in rows]


def outbox(app, to=None) -> list[OutboxMessage]:
    """The e-mails of office hours (those of signing up and applying left out)."""
    with app.app_context():
        query = db.select(OutboxMessage).where(OutboxMessage.subject.contains("icevimento")).order_by(OutboxMessage.id)
        if to:
            query = query.filter_by(to=to)
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return found


# --- the coach publishes ---------------------------------------------------------------------------


def test_the_coach_publishes_a_slot_in_rome_time_kept_out_of_every_edition(app, teams):
    coach = signed_in(app, COACH)
    response = publish(coach, seats="2")
    assert response.status_code == 303 and response.headers["Location"] == "/it/accompagnamento/ricevimento"
    with app.app_context():
        event = db.session.scalars(db.select(Event).filter_by(kind=EventKind.OFFICE_HOUR)).one()
        assert event.starts_at.astimezone(ROME) == datetime(2020, 9, 10, 16, 0, tzinfo=ROME)
        assert event.ends_at.astimezone(ROME) == datetime(2020, 9, 10, 16, 30, tzinfo=ROME)
        assert (event.capacity, event.edition_id, event.join_url, event.is_join_url_public) == (2, None, LINK, False)
        assert event.title_it == "Ricevimento con Carla" and event.needs_registration
    page = words(coach.get("/it/accompagnamento/ricevimento"))
    assert "giovedì 10 settembre 2020, 16:00–16:30" in page and "2 posti liberi su 2" in page


def test_an_in_person_slot_keeps_its_place(app, teams):
    coach = signed_in(app, COACH)
    publish(coach, where="in_presenza", link="", place="Via Ettore Ponti 15, sala 2")
    with app.app_context():
        event = db.session.scalars(db.select(Event).filter_by(kind=EventKind.OFFICE_HOUR)).one()
        assert (event.venue, event.join_url, event.summary_it) == (Venue.IN_PERSON, None, "Via Ettore Ponti 15, sala 2")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": "17:00", "end": "16:30"}, "L'ora di fine deve venire dopo l'ora di inizio"),
        ({"day": "31/08/2020"}, "Scegli un giorno e un'ora che devono ancora venire"),
        ({"end": "21:00"}, "Un ricevimento dura al massimo 4 ore"),
        ({"start": "25:00"}, "Scrivi un'ora vera nel formato hh:mm, ad esempio 16:30"),
        ({"day": "31/02/2020"}, "Scrivi una data vera nel formato gg/mm/aaaa"),
        ({"day": ""}, "Scrivi il giorno, ad esempio 01/09/2020"),
        ({"seats": "0"}, "Scrivi il numero di posti, da 1 a 10"),
        ({"link": ""}, "Scrivi il link della videochiamata"),
        ({"link": "javascript:alert(1)"}, "Scrivi un indirizzo che inizia con https://"),
        ({"where": "in_presenza", "link": "", "place": ""}, "Scrivi dove vi incontrate"),
    ],
)
def test_bad_slots_are_refused_with_a_message(app, teams, fields, message):
    response = publish(signed_in(app, COACH), **fields)
    assert response.status_code == 200 and message in words(response)
    assert "Errore:" in words(response)
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count()).select_from(Event).filter_by(kind=EventKind.OFFICE_HOUR)) == 0
        )


def test_a_free_slot_is_removed_a_booked_one_stays(app, teams):
    free, taken = slot(app), slot(app, starts_at=datetime(2020, 9, 11, 16, 0, tzinfo=ROME))
    book(signed_in(app, OWNER), teams["barona"], taken)
    coach = signed_in(app, COACH)
    url = "/it/accompagnamento/ricevimento"
    assert post(coach, f"{url}/{free}/rimuovi", url).status_code == 303
    refused = post(coach, f"{url}/{taken}/rimuovi", url)
    assert "chiedi alla squadra di annullare la prenotazione" in words(coach.get(refused.headers["Location"]))
    with app.app_context():
        assert db.session.scalars(db.select(Event.id).filter_by(kind=EventKind.OFFICE_HOUR)).all() == [taken]


def test_a_coach_sees_and_removes_only_their_own_slots(app, teams):
    own, theirs = slot(app), slot(app, coach=OTHER_COACH)
    coach = signed_in(app, OTHER_COACH)
    page = coach.get("/it/accompagnamento/ricevimento").get_data(as_text=True)
    assert f"/ricevimento/{theirs}/rimuovi" in page and f"/ricevimento/{own}/rimuovi" not in page
    url = "/it/accompagnamento/ricevimento"
    assert post(coach, f"{url}/{own}/rimuovi", url).status_code == 404
    staff_page = signed_in(app, STAFF).get(url).get_data(as_text=True)
    assert f"/ricevimento/{own}/rimuovi" in staff_page and f"/ricevimento/{theirs}/rimuovi" in staff_page


@pytest.mark.parametrize(("email", "status"), [(OWNER, 403), (None, 302)])
def test_only_coaches_and_staff_open_the_coach_page(app, teams, email, status):
    client = signed_in(app, email) if email else app.test_client()
    assert client.get("/it/accompagnamento/ricevimento").status_code == status


# --- the team books ---------------------------------------------------------------------------------


def test_the_team_books_a_slot_and_gets_its_calendar_file(app, teams):
    event_id = slot(app)
    owner = signed_in(app, OWNER)
    page = words(owner.get(team_url(teams["barona"])))
    assert (
        "Ricevimento con Carla" in page
        and "giovedì 10 settembre 2020, 16:00–16:30" in page
        and "1 posto libero" in page
    )
    response = book(owner, teams["barona"], event_id)
    assert response.status_code == 303
    assert bookings(app) == [(event_id, OWNER, RegistrationStatus.CONFIRMED, _campaign_id(app, teams["barona"]))]
    with app.app_context():
        assert db.session.get(Event, event_id).confirmed_seats == 1

    (confirmation,) = outbox(app, OWNER)
    assert confirmation.subject == "Ricevimento prenotato: Ricevimento con Carla"
    assert "«Lab Barona»" in confirmation.body and LINK in confirmation.body
    ics = confirmation.attachments[0]["content"]
    _assert_calendar(ics, teams["barona"])
    (told,) = outbox(app, COACH)
    assert "«Lab Barona»" in told.body and "Anna" in told.body and OWNER in told.body

    page = owner.get(team_url(teams["barona"])).get_data(as_text=True)
    (registration_id,) = [r for r in re.findall(r"/campagna/ricevimento/(\d+)\.ics", page)]
    download = owner.get(f"{team_url(teams['barona'])}/{registration_id}.ics")
    assert download.mimetype == "text/calendar" and download.headers["Cache-Control"] == "private, no-store"
    _assert_calendar(download.get_data(as_text=True), teams["barona"])
    coach_page = words(signed_in(app, COACH).get("/it/accompagnamento/ricevimento"))
    assert "«Lab Barona»: Anna" in coach_page and "0 posti liberi su 1" in coach_page


def _campaign_id(app, application_id):
    with app.app_context():
        return db.session.scalars(db.select(Campaign.id).filter_by(application_id=application_id)).one()


def _assert_calendar(ics: str, application_id: int) -> None:
    unfolded = ics.replace("\r\n ", "")
    assert "SUMMARY:Ricevimento con Carla" in unfolded
    assert "DTSTART;TZID=Europe/Rome:20200910T160000" in unfolded
    assert "DTEND;TZID=Europe/Rome:20200910T163000" in unfolded
    assert f"LOCATION:{LINK}" in unfolded and LINK in unfolded.split("DESCRIPTION:")[1]
    assert (
        f"/it/domanda/{application_id}/campagna/ricevimento" in unfolded
    )  # its URL: the team's page, not a public one


def test_a_full_slot_is_refused_to_the_next_team(app, teams):
    event_id = slot(app)
    book(signed_in(app, OWNER), teams["barona"], event_id)
    other = signed_in(app, OTHER)
    assert "Già prenotato" in words(other.get(team_url(teams["orto"])))
    response = book(other, teams["orto"], event_id)
    assert "appena stato prenotato da un'altra squadra" in words(other.get(response.headers["Location"]))
    assert [b[1] for b in bookings(app)] == [OWNER]


def test_a_team_holds_one_upcoming_slot_at_a_time(app, teams):
    first, second = slot(app), slot(app, starts_at=datetime(2020, 9, 11, 16, 0, tzinfo=ROME))
    book(signed_in(app, OWNER), teams["barona"], first)
    member = signed_in(app, MEMBER)
    assert "La squadra ha già un ricevimento prenotato" in words(member.get(team_url(teams["barona"])))
    response = book(member, teams["barona"], second)
    assert "ha già un ricevimento prenotato" in words(member.get(response.headers["Location"]))
    assert [b[1] for b in bookings(app)] == [OWNER]


def test_the_team_cancels_and_the_slot_is_free_again(app, teams):
    event_id = slot(app)
    owner = signed_in(app, OWNER)
    book(owner, teams["barona"], event_id)
    (registration_id,) = re.findall(
        r"/ricevimento/(\d+)/annulla", owner.get(team_url(teams["barona"])).get_data(as_text=True)
    )
    response = post(owner, f"{team_url(teams['barona'])}/{registration_id}/annulla", team_url(teams["barona"]))
    assert response.status_code == 303
    assert bookings(app)[0][2] is RegistrationStatus.CANCELLED
    assert outbox(app, COACH)[-1].subject == "Ricevimento annullato: Lab Barona"
    assert owner.get(f"{team_url(teams['barona'])}/{registration_id}.ics").status_code == 404
    assert book(signed_in(app, OTHER), teams["orto"], event_id).status_code == 303
    assert bookings(app)[-1][1:3] == (OTHER, RegistrationStatus.CONFIRMED)


def test_another_organisation_reaches_nothing_of_a_team(app, teams):
    event_id = slot(app)
    owner = signed_in(app, OWNER)
    book(owner, teams["barona"], event_id)
    (registration_id,) = re.findall(
        r"/ricevimento/(\d+)\.ics", owner.get(team_url(teams["barona"])).get_data(as_text=True)
    )
    other = signed_in(app, OTHER)
    base = team_url(teams["barona"])
    assert other.get(base).status_code == 404
    assert other.get(f"{base}/{registration_id}.ics").status_code == 404
    assert post(other, f"{base}/{registration_id}/annulla", team_url(teams["orto"])).status_code == 404
    assert post(other, team_url(teams["orto"]), ricevimento=str(registration_id) + "0").status_code == 404
    assert bookings(app)[0][2] is RegistrationStatus.CONFIRMED


def test_a_slot_of_another_coach_cannot_be_booked(app, teams):
    theirs = slot(app, coach=OTHER_COACH)
    owner = signed_in(app, OWNER)
    assert "Ricevimento con Dario" not in words(owner.get(team_url(teams["barona"])))
    assert book(owner, teams["barona"], theirs).status_code == 404
    assert bookings(app) == []


def test_a_campaign_without_a_coach_has_no_office_hours(app, teams):
    with app.app_context():
        campaign = db.session.scalars(db.select(Campaign).filter_by(application_id=teams["barona"])).one()
        campaign.coach_id = None
        db.session.commit()
    assert signed_in(app, OWNER).get(team_url(teams["barona"])).status_code == 404


# --- reminders ----------------------------------------------------------------------------------------


def test_reminders_a_day_and_an_hour_before_sent_once(app, teams, runner):
    event_id = slot(app)
    book(signed_in(app, OWNER), teams["barona"], event_id)
    for moment in (
        "2020-09-09T17:00:00+02:00",
        "2020-09-09T17:05:00+02:00",
        "2020-09-10T15:10:00+02:00",
        "2020-09-10T15:20:00+02:00",
    ):
        runner.invoke(args=["send-reminders", "--now", moment])
    subjects = [m.subject for m in outbox(app, OWNER)][1:]
    assert subjects == ["Domani: Ricevimento con Carla", "Tra un'ora: Ricevimento con Carla"]
    last = outbox(app, OWNER)[-1].body
    assert "il ricevimento comincia tra un'ora" in last and LINK in last


# --- never in public -----------------------------------------------------------------------------------


def test_office_hours_are_in_no_public_place(app, teams, at):
    earlier = datetime(2020, 9, 1, 9, 0, tzinfo=ROME)
    event_id = slot(app, starts_at=datetime(2020, 9, 1, 10, 0, tzinfo=ROME), minutes=60, now=earlier)  # on at 10:30
    with app.app_context():
        slug = db.session.get(Event, event_id).slug
    later = slot(app, starts_at=datetime(2020, 9, 10, 16, 0, tzinfo=ROME))
    with app.app_context():  # even a slot tied to the edition stays out: the kind decides, not only the edition
        db.session.get(Event, later).edition_id = db.session.scalars(db.select(Edition.id).filter_by(year=2020)).one()
        db.session.commit()
    at("2020-09-01T10:30:00+02:00")
    client = app.test_client()
    for path in (
        "/it/",
        "/en/",
        "/it/bando/2020",
        "/it/calendario",
        "/it/calendario/iscrizione",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert "Ricevimento" not in page and "Office hour" not in page and "ricevimento-" not in page, path
        assert "Guarda la diretta" not in page and "Watch live" not in page, path
    assert "Ricevimento" not in client.get("/it/calendario.ics").get_data(as_text=True)
    assert client.get(f"/it/eventi/{slug}").status_code == 404
    assert client.get(f"/it/eventi/{slug}.ics").status_code == 404
    sitemap = client.get("/sitemap-pagine.xml")
    assert sitemap.status_code == 200 and "/eventi/" in sitemap.get_data(as_text=True)
    assert "ricevimento-" not in sitemap.get_data(as_text=True)
    staff_list = signed_in(app, STAFF).get("/it/gestione/eventi").get_data(as_text=True)
    assert "Ricevimento con Carla" not in staff_list
    with app.app_context():
        assert {event_id, later}.isdisjoint(e.id for e in programme().events)


# --- races (PostgreSQL) ---------------------------------------------------------------------------


def _booking(email: str, application_id: int, event_id: int):
    def call():
        user = db.session.scalars(db.select(User).filter_by(email=email)).one()
        campaign = db.session.scalars(db.select(Campaign).filter_by(application_id=application_id)).one()
        return office_hours.book(event_id, campaign, user, SEPTEMBER_AT).id

    return call


@pytest.mark.postgres
def test_two_teams_racing_for_the_last_seat_one_wins(app, teams):
    event_id = slot(app)
    _, errors = run_together(
        app, [_booking(OWNER, teams["barona"], event_id), _booking(OTHER, teams["orto"], event_id)]
    )
    assert [e.code for e in errors] == [OfficeHourError.FULL]
    assert [b[2] for b in bookings(app)] == [RegistrationStatus.CONFIRMED]
    with app.app_context():
        assert db.session.get(Event, event_id).confirmed_seats == 1


@pytest.mark.postgres
def test_two_members_of_a_team_racing_for_two_slots_get_one(app, teams):
    first, second = slot(app, capacity=2), slot(app, starts_at=datetime(2020, 9, 11, 16, 0, tzinfo=ROME), capacity=2)
    _, errors = run_together(app, [_booking(OWNER, teams["barona"], first), _booking(MEMBER, teams["barona"], second)])
    assert [e.code for e in errors] == [OfficeHourError.ALREADY_HELD]
    assert len(bookings(app)) == 1
