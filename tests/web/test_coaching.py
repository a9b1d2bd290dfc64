"""Accompaniment: staff create coaches and assign them; a coach reaches only the campaigns assigned
to them; the coach (or staff) and the team comment on the draft, each comment e-mailed to the other
side in the reader's language, never to its author."""

from __future__ import annotations

import re
from datetime import date

import pyotp
import pytest

from portal.domain.readiness import Section
from portal.extensions import db
from portal.models import Application, AuditEntry, Campaign, CampaignComment, OutboxMessage, Role, User
from portal.services.accounts import accounts
from portal.services.evaluation import selection
from tests.accounts import code_step, csrf_from, make_user, password_step, sign_in
from tests.html_validation import vnu_errors
from tests.panel import DECIDED_AT, EVALUATORS, STAFF, evaluated, submitted

COACH = "carla.coach@partner.example"
OTHER_COACH = "otto.coach@partner.example"
TEAM_EN = "member.en@org.example"  # a second account of the first organisation, reading English


@pytest.fixture(autouse=True)
def _september(at):
    at("2020-09-15T10:00:00+02:00")


@pytest.fixture
def world(app):
    """Two selected projects launched as campaigns (not yet published), of organisations 0 and 1; two
    coaches (one reading English); the first organisation has a second account, in English."""
    ids = submitted(app, 3)
    evaluated(app, ids[:2])
    make_user(app, COACH, Role.COACH)
    make_user(app, OTHER_COACH, Role.COACH)
    make_user(app, TEAM_EN, Role.APPLICANT)
    with app.app_context():
        staff = accounts.user_by_email(STAFF)
        campaigns = []
        for application_id in ids[:2]:
            selection.select(application_id, staff, DECIDED_AT)
            campaigns.append(selection.launch(application_id, date(2020, 10, 30), staff, DECIDED_AT).id)
        member = accounts.user_by_email(TEAM_EN)
        member.organisation_id = db.session.get(Application, ids[0]).organisation_id
        member.lang = "en"
        accounts.user_by_email(OTHER_COACH).lang = "en"
        db.session.execute(db.delete(OutboxMessage))  # the applications' and selection's e-mails
        db.session.commit()
    return {"applications": ids, "campaigns": campaigns}


def _client(app, email):
    client = app.test_client()
    sign_in(client, app, email)
    return client


def _token(client):
    return csrf_from(client.get("/it/contatti").get_data(as_text=True))


def _assign(app, campaign_id, email):
    client = _client(app, STAFF)
    with app.app_context():
        coach_id = accounts.user_by_email(email).id if email else ""
    return client.post(
        f"/it/gestione/campagne/{campaign_id}/coach", data={"csrf_token": _token(client), "coach": str(coach_id)}
    )


def _outbox(app):
    with app.app_context():
        return [
            (m.to, m.subject, m.body) for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def _coach_of(app, campaign_id):
    with app.app_context():
        coach = db.session.get(Campaign, campaign_id).coach
        return coach.email if coach else None


def _audit(app, action):
    with app.app_context():
        return [
            e.changes
            for e in db.session.scalars(db.select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id))
        ]


def _comments(app):
    with app.app_context():
        return [(c.section, c.body, c.author.email) for c in db.session.scalars(db.select(CampaignComment))]


# --- Coaches and their assignment ---------------------------------------------------------------


def test_staff_invite_a_coach_who_sets_up_the_second_factor_and_lands_on_their_projects(app, world):
    client = _client(app, STAFF)
    page = client.get("/it/gestione/coach").get_data(as_text=True)
    assert COACH in page and EVALUATORS[0] not in page  # coaches only
    response = client.post(
        "/it/gestione/coach", data={"csrf_token": _token(client), "nome": "Nora Nuova", "email": "nora@partner.example"}
    )
    assert response.status_code == 303
    with app.app_context():
        nora = accounts.user_by_email("nora@partner.example")
        assert nora.role is Role.COACH and nora.totp_enabled_at is None
    assert [to for to, _s, _b in _outbox(app)] == ["nora@partner.example"]
    assert _audit(app, "user.invite") == [{"role": [None, "coach"]}]

    # An address that has an account: refused, said on the field.
    again = client.post(
        "/it/gestione/coach", data={"csrf_token": _token(client), "nome": "Carla", "email": COACH}
    ).get_data(as_text=True)
    assert "Esiste già un account con questo indirizzo" in again

    # A coach signs in with a password and a code, and lands on their projects.
    secret = make_user(app, "nuovo.coach@partner.example", Role.COACH, enrolled=False)
    assert secret is None
    visitor = app.test_client()
    assert password_step(visitor, "nuovo.coach@partner.example").headers["Location"] == "/it/accesso/attiva-codice"
    visitor.get("/it/accesso/attiva-codice")  # the secret is made as the page shows it
    with app.app_context():
        secret = accounts.user_by_email("nuovo.coach@partner.example").totp_secret
    response = code_step(visitor, pyotp.TOTP(secret).now(), path="accesso/attiva-codice")
    assert response.headers["Location"] == "/it/accompagnamento/"
    assert "I progetti che accompagni" in visitor.get("/it/accompagnamento/").get_data(as_text=True)


def test_staff_assign_change_and_remove_a_coach_audited_and_the_coach_mailed_in_their_language(app, world):
    campaign = world["campaigns"][0]
    assert "Nessun coach" in _client(app, STAFF).get(f"/it/gestione/campagne/{campaign}").get_data(as_text=True)

    response = _assign(app, campaign, COACH)
    assert response.status_code == 303 and response.headers["Location"] == f"/it/gestione/campagne/{campaign}"
    assert _coach_of(app, campaign) == COACH
    [(to, subject, body)] = _outbox(app)
    assert to == COACH and subject == "Accompagnerai la campagna «Progetto 0»"
    assert f"/it/accompagnamento/campagne/{campaign}" in body

    _assign(app, campaign, OTHER_COACH)  # reads English
    assert _coach_of(app, campaign) == OTHER_COACH
    to, subject, body = _outbox(app)[-1]
    assert to == OTHER_COACH and subject == "You will accompany the campaign «Progetto 0»"
    assert f"/en/accompagnamento/campagne/{campaign}" in body

    _assign(app, campaign, None)
    assert _coach_of(app, campaign) is None
    assert len(_outbox(app)) == 2  # nobody to tell
    assert _audit(app, "campaign.coach") == [
        {"coach": [None, COACH]},
        {"coach": [COACH, OTHER_COACH]},
        {"coach": [OTHER_COACH, None]},
    ]
    page = _client(app, STAFF).get(f"/it/gestione/campagne/{campaign}").get_data(as_text=True)
    assert "Nessun coach" in page and "Assegna un coach" in page


def test_only_a_coach_account_can_be_assigned_and_only_until_the_campaign_closes(app, world, at):
    campaign = world["campaigns"][0]
    page = _assign(app, campaign, EVALUATORS[0]).get_data(as_text=True)
    assert "Scegli uno dei coach dell&#39;elenco" in page
    assert _coach_of(app, campaign) is None and _audit(app, "campaign.coach") == [] and _outbox(app) == []

    at("2021-01-15T10:00:00+01:00")  # the 60-day window from 30 October is over
    page = _assign(app, campaign, COACH).get_data(as_text=True)
    assert "La campagna è conclusa: non si assegna più un coach." in page
    assert _coach_of(app, campaign) is None and _outbox(app) == []


# --- The coaching area --------------------------------------------------------------------------


def test_a_coach_sees_only_the_campaigns_assigned_to_them(app, world):
    first, second = world["campaigns"]
    _assign(app, first, COACH)
    _assign(app, second, OTHER_COACH)

    coach = _client(app, COACH)
    index = coach.get("/it/accompagnamento/").get_data(as_text=True)
    assert "Progetto 0" in index and "Progetto 1" not in index
    assert "In preparazione" in index and re.search(r"<td>\d+ su 100</td>", index)
    page = coach.get(f"/it/accompagnamento/campagne/{first}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert "Punteggio di preparazione" in page.get_data(as_text=True)  # the checklist
    other = coach.get(f"/it/accompagnamento/campagne/{second}")
    assert other.status_code == 404 and b"Progetto 1" not in other.data
    assert coach.get("/it/accompagnamento/campagne/999999").status_code == 404
    # Staff's pages stay closed to a coach.
    assert coach.get(f"/it/gestione/campagne/{first}").status_code == 403

    # Once removed, the campaign is out of reach at once.
    _assign(app, first, None)
    assert coach.get(f"/it/accompagnamento/campagne/{first}").status_code == 404
    assert "Progetto 0" not in coach.get("/it/accompagnamento/").get_data(as_text=True)

    # Staff open every campaign's coaching page; applicants and evaluators none.
    assert _client(app, STAFF).get(f"/it/accompagnamento/campagne/{first}").status_code == 200
    assert _client(app, "org0@org.example").get("/it/accompagnamento/").status_code == 403
    assert _client(app, EVALUATORS[0]).get(f"/it/accompagnamento/campagne/{second}").status_code == 403


# --- Comments -----------------------------------------------------------------------------------


def _comment(client, url, section, text):
    return client.post(url, data={"csrf_token": _token(client), "sezione": section, "testo": text})


def test_comments_go_both_ways_each_mailed_to_the_other_side_in_the_readers_language(app, world):
    campaign = world["campaigns"][0]
    application = world["applications"][0]
    _assign(app, campaign, OTHER_COACH)  # the coach reads English
    assigned = len(_outbox(app))
    coach_url = f"/it/accompagnamento/campagne/{campaign}"
    team_url = f"/it/domanda/{application}/campagna/commenti"

    response = _comment(_client(app, OTHER_COACH), coach_url, "story", "La storia è corta:\nracconta chi siete.")
    assert response.status_code == 303 and response.headers["Location"].endswith("#sezione-story")
    assert _comments(app) == [(Section.STORY, "La storia è corta:\nracconta chi siete.", OTHER_COACH)]
    to_team = _outbox(app)[assigned:]
    assert sorted(to for to, _s, _b in to_team) == sorted(["org0@org.example", TEAM_EN])  # never the author
    by_reader = {to: (subject, body) for to, subject, body in to_team}
    assert by_reader["org0@org.example"][0] == "Nuovo commento sulla campagna «Progetto 0»"
    assert "nella sezione «Storia»" in by_reader["org0@org.example"][1]
    assert f"/it/domanda/{application}/campagna/commenti#sezione-story" in by_reader["org0@org.example"][1]
    assert by_reader[TEAM_EN][0] == "New comment on the campaign «Progetto 0»"
    assert "in the section «Story»" in by_reader[TEAM_EN][1]
    assert f"/en/domanda/{application}/campagna/commenti#sezione-story" in by_reader[TEAM_EN][1]

    # The team reads the thread and answers: the coach is mailed (in English), nobody else.
    team = _client(app, "org0@org.example")
    page = team.get(team_url).get_data(as_text=True)
    assert "La storia è corta:\nracconta chi siete." in page and 'id="sezione-story"' in page
    before = len(_outbox(app))
    assert _comment(team, team_url, "story", "Fatto, grazie!").status_code == 303
    [(to, subject, body)] = _outbox(app)[before:]
    assert to == OTHER_COACH and subject == "New comment on the campaign «Progetto 0»"
    assert f"/en/accompagnamento/campagne/{campaign}#sezione-story" in body and "Fatto, grazie!" in body

    # Staff step in: the team and the coach hear of it.
    before = len(_outbox(app))
    assert _comment(_client(app, STAFF), coach_url, "rewards", "Aggiungete una ricompensa da 10 €.").status_code == 303
    assert sorted(to for to, _s, _b in _outbox(app)[before:]) == sorted(["org0@org.example", TEAM_EN, OTHER_COACH])

    coach_page = _client(app, OTHER_COACH).get(coach_url).get_data(as_text=True)
    assert "Fatto, grazie!" in coach_page and 'id="sezione-rewards"' in coach_page
    assert coach_page.index('id="sezione-story"') < coach_page.index('id="sezione-rewards"')  # the sections' order


@pytest.mark.parametrize(
    ("section", "text", "message"),
    [
        ("story", "   \n ", "Scrivi il commento"),
        ("story", "x" * 4001, "Il commento è lungo 4001 caratteri: al massimo 4000."),
        ("segreti", "Ciao", "Scegli la sezione del commento"),
    ],
)
def test_a_bad_comment_is_refused_with_its_reason_and_nothing_is_stored(app, world, section, text, message):
    campaign = world["campaigns"][0]
    _assign(app, campaign, COACH)
    before = len(_outbox(app))
    for who, url in (
        (COACH, f"/it/accompagnamento/campagne/{campaign}"),
        ("org0@org.example", f"/it/domanda/{world['applications'][0]}/campagna/commenti"),
    ):
        response = _comment(_client(app, who), url, section, text)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and message in page and "<title>Errore:" in page
    assert _comments(app) == [] and len(_outbox(app)) == before


def test_the_team_reaches_only_its_own_campaigns_comments(app, world):
    first, second = world["campaigns"]
    _assign(app, second, COACH)
    outsider = _client(app, "org0@org.example")
    other = f"/it/domanda/{world['applications'][1]}/campagna/commenti"
    assert outsider.get(other).status_code == 404
    response = _comment(outsider, other, "story", "Intrusione")
    assert response.status_code == 404 and b"Progetto 1" not in response.data
    # An application that has no campaign has no comments page.
    third = _client(app, "org2@org.example")
    assert third.get(f"/it/domanda/{world['applications'][2]}/campagna/commenti").status_code == 404
    # An applicant of no organisation is sent to fill its profile first.
    make_user(app, "nobody@org.example", Role.APPLICANT)
    assert _client(app, "nobody@org.example").get(other).status_code == 302
    assert _comments(app) == [] and [to for to, _s, _b in _outbox(app)] == [COACH]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CampaignComment)) == 0
        assert db.session.get(User, db.session.get(Campaign, first).coach_id or 0) is None


def test_a_threads_reply_link_chooses_its_section_in_the_form(app, world):
    campaign = world["campaigns"][0]
    _assign(app, campaign, COACH)
    coach = _client(app, COACH)
    url = f"/it/accompagnamento/campagne/{campaign}"
    _comment(coach, url, "team", "Chi fa cosa?")
    page = coach.get(url).get_data(as_text=True)
    assert f'href="{url}?sezione=team#nuovo-commento"' in page
    assert '<option value="general" selected>' in page  # a plain visit: a general comment
    chosen = coach.get(f"{url}?sezione=team").get_data(as_text=True)
    assert '<option value="team" selected>' in chosen and '<option value="general" selected>' not in chosen


def test_the_new_pages_are_valid_html(app, world, tmp_path):
    campaign = world["campaigns"][0]
    application = world["applications"][0]
    _assign(app, campaign, COACH)
    coach, team, staff = _client(app, COACH), _client(app, "org0@org.example"), _client(app, STAFF)
    coach_url = f"/it/accompagnamento/campagne/{campaign}"
    team_url = f"/en/domanda/{application}/campagna/commenti"
    _comment(coach, coach_url, "story", "Una riga\ne un'altra <b>non HTML</b>.")
    pages = {
        "coach-index": coach.get("/it/accompagnamento/"),
        "coach-campaign": coach.get(coach_url),
        "coach-campaign-error": _comment(coach, coach_url, "story", ""),
        "team-comments": team.get(team_url),
        "team-comments-error": _comment(team, team_url, "nessuna", "x"),
        "staff-coaches": staff.get("/it/gestione/coach"),
        "staff-coaches-error": staff.post("/it/gestione/coach", data={"csrf_token": _token(staff), "email": "x"}),
        "staff-campaign": staff.get(f"/it/gestione/campagne/{campaign}"),
        "staff-campaign-coach": staff.get(f"/en/gestione/campagne/{campaign}/coach"),
        "staff-campaign-coach-error": staff.post(
            f"/it/gestione/campagne/{campaign}/coach", data={"csrf_token": _token(staff), "coach": "abc"}
        ),
    }
    files = []
    for name, response in pages.items():
        assert response.status_code == 200, name
        target = tmp_path / f"{name}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert "&lt;b&gt;non HTML&lt;/b&gt;" in pages["coach-campaign"].get_data(as_text=True)  # plain text, escaped
    assert vnu_errors(files) == []


def test_the_coach_opens_the_teams_private_preview_while_it_lasts(app, world):
    campaign_id = world["campaigns"][0]
    _assign(app, campaign_id, COACH)
    coach = _client(app, COACH)
    page = f"/it/accompagnamento/campagne/{campaign_id}"
    assert "il team non ha un link di anteprima attivo" in coach.get(page).get_data(as_text=True)
    with app.app_context():
        from portal.services.campaigns import preview

        team = db.session.scalars(db.select(User).filter_by(email="org0@org.example")).one()
        preview.create_preview_link(campaign_id, team, DECIDED_AT)
        token = db.session.get(Campaign, campaign_id).preview_token
    html = coach.get(page).get_data(as_text=True)
    assert f'href="/it/anteprima/{token}"' in html
    assert app.test_client().get(f"/it/anteprima/{token}").status_code == 200  # whoever has the link
