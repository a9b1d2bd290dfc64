"""The team prepares its campaign from its area and watches the readiness score rise; staff publish
only at or above the edition's minimum, told which items are missing."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from portal.extensions import db
from portal.models import AuditEntry, Campaign, CampaignReward, Edition, Role
from tests.accounts import make_user, sign_in
from tests.applicants import make_applicant
from tests.campaigns import NOVEMBER
from tests.projects import applied_campaign

OWNER = "anna@cordata.example"
OTHER = "bruno@altra.example"
STAFF = "staff@comune.example"
STORY = " ".join(["parola"] * 300)


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def campaign_ids(app):
    """Anna's organisation applied; its application became Lab Barona, launched but not published."""
    return applied_campaign(app, OWNER, published=False, story="Un laboratorio.", rewards=(("Grazie", 1_000, None),))


def signed_in(app, email):
    client = app.test_client()
    sign_in(client, app, email)
    return client


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def token(client, url) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="[\w-]*csrf_token"[^>]* value="([^"]+)"', html).group(1)


def post(client, url, page, prefix, **data):
    fields = {f"{prefix}-{name}": value for name, value in data.items()}
    return client.post(url, data={f"{prefix}-csrf_token": token(client, page), **fields})


def score(response) -> int:
    return int(re.search(r"Punteggio di preparazione: (\d+) su 100", words(response)).group(1))


def campaign_row(app, campaign_id) -> Campaign:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        db.session.expunge(campaign)
        return campaign


def test_the_team_fills_the_checklist_and_the_score_rises(app, campaign_ids):
    application_id, campaign_id = campaign_ids
    owner = signed_in(app, OWNER)
    page = f"/it/domanda/{application_id}/preparazione"
    first = owner.get(page)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert score(first) == 0
    assert "Storia: 2 parole su 300" in words(first) and "Ricompense: 1 ricompensa su 3" in words(first)

    response = post(owner, page, page, "storia", sintesi="In breve.", storia=STORY)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{page}#storia")
    assert score(owner.get(page)) == 20

    post(
        owner,
        f"{page}/team",
        page,
        "team",
        team="Anna — coordinamento\nBruno — foto\n\nanna — coordinamento\nCarla — conti",
    )
    post(owner, f"{page}/primi-sostenitori", page, "sostenitori", nomi="\n".join(f"Amico {n}" for n in range(20)))
    post(owner, f"{page}/piano-aggiornamenti", page, "piano", piano="Settimana 1\nSettimana 2\nSettimana 3")
    for title, amount in (("Cartolina", "25"), ("Maglietta", "1.500,50")):
        post(
            owner, f"{page}/ricompense", page, "nuova", titolo=title, importo=amount, descrizione="Per te.", quantita=""
        )
    after = owner.get(page)
    assert score(after) == 20 + 15 + 15 + 10 + 15
    assert "Team: 3 persone su 3" in words(after) and "Primi sostenitori: 20 nomi su 20" in words(after)

    campaign = campaign_row(app, campaign_id)
    assert campaign.summary == "In breve." and campaign.updates_plan == "Settimana 1\nSettimana 2\nSettimana 3"
    with app.app_context():
        rewards = db.session.scalars(
            db.select(CampaignReward).filter_by(campaign_id=campaign_id).order_by(CampaignReward.position)
        ).all()
        assert [(r.title, r.min_pledge_cents) for r in rewards] == [
            ("Grazie", 1_000),
            ("Cartolina", 2_500),
            ("Maglietta", 150_050),
        ]
        actions = db.session.scalars(
            db.select(AuditEntry.action).filter_by(subject_type="campaign", subject_id=campaign_id)
        ).all()
    assert sorted(actions) == sorted(
        [
            "campaign.prepare_story",
            "campaign.prepare_team_members",
            "campaign.prepare_first_supporters",
            "campaign.prepare_updates_plan",
            "campaign.reward_add",
            "campaign.reward_add",
        ]
    )


def test_rewards_are_edited_and_removed(app, campaign_ids):
    application_id, campaign_id = campaign_ids
    owner = signed_in(app, OWNER)
    page = f"/it/domanda/{application_id}/preparazione"
    with app.app_context():
        reward_id = db.session.scalar(db.select(CampaignReward.id).filter_by(campaign_id=campaign_id))
    response = post(
        owner,
        f"{page}/ricompense/{reward_id}",
        page,
        f"ricompensa-{reward_id}",
        titolo="Grazie di cuore",
        importo="12,50",
        descrizione="Un saluto sul sito.",
        quantita="40",
    )
    assert response.status_code == 303
    with app.app_context():
        reward = db.session.get(CampaignReward, reward_id)
        assert (reward.title, reward.min_pledge_cents, reward.quantity) == ("Grazie di cuore", 1_250, 40)
    owner.post(f"{page}/ricompense/{reward_id}/elimina", data={"csrf_token": token(owner, page)})
    with app.app_context():
        assert db.session.get(CampaignReward, reward_id) is None
        assert (
            db.session.scalar(db.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "campaign.reward_remove"
        )


def test_a_bad_reward_amount_keeps_what_was_typed(app, campaign_ids):
    application_id, campaign_id = campaign_ids
    owner = signed_in(app, OWNER)
    page = f"/it/domanda/{application_id}/preparazione"
    response = post(
        owner,
        f"{page}/ricompense",
        page,
        "nuova",
        titolo="Tazza del quartiere",
        importo="venti euro",
        descrizione="Una tazza fatta a mano.",
        quantita="30",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Scrivi un importo in euro" in words(response)
    assert 'value="Tazza del quartiere"' in html and 'value="venti euro"' in html and "Una tazza fatta a mano." in html
    assert 'value="30"' in html
    assert len(campaign_row_rewards(app, campaign_id)) == 1

    english = post(
        owner,
        f"/en/domanda/{application_id}/preparazione/ricompense",
        page,
        "nuova",
        titolo="Mug",
        importo="",
        descrizione="A mug.",
    )
    assert english.status_code == 200 and "Write the minimum donation" in words(english)


def campaign_row_rewards(app, campaign_id):
    with app.app_context():
        return db.session.scalars(db.select(CampaignReward.title).filter_by(campaign_id=campaign_id)).all()


def test_another_organisation_gets_404(app, campaign_ids):
    application_id, _ = campaign_ids
    make_applicant(app, OTHER, 1)
    other = signed_in(app, OTHER)
    page = f"/it/domanda/{application_id}/preparazione"
    assert other.get(page).status_code == 404
    assert other.post(f"{page}/team", data={"team-team": "Intruso"}).status_code in (400, 404)


def test_a_published_campaign_is_read_only(app, campaign_ids):
    application_id, campaign_id = campaign_ids
    owner = signed_in(app, OWNER)
    page = f"/it/domanda/{application_id}/preparazione"
    csrf = token(owner, page)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        campaign.team_members = "Anna — coordinamento"
        campaign.published_at = campaign.starts_at
        db.session.commit()
    response = owner.get(page)
    assert "La campagna è pubblicata" in words(response) and "<textarea" not in response.get_data(as_text=True)
    assert "Anna — coordinamento" in words(response)
    refused = owner.post(f"{page}/team", data={"team-csrf_token": csrf, "team-team": "Altri"})
    assert refused.status_code == 303
    assert "non si modifica più" in words(owner.get(page))
    assert campaign_row(app, campaign_id).team_members == "Anna — coordinamento"


class _FormReader(HTMLParser):
    """The values a browser would send with the page's form posting to `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.values, self.textarea = action, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif self.inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.append((attrs["name"], attrs.get("value") or ""))
        elif self.inside and tag == "textarea":
            self.textarea = attrs["name"]
            self.values.append((self.textarea, ""))

    def handle_data(self, data):
        if self.textarea:
            name, value = self.values.pop()
            self.values.append((name, value + data))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def form_values(html: str, action: str) -> dict[str, list[str]]:
    reader = _FormReader(action)
    reader.feed(html)
    values: dict[str, list[str]] = {}
    for name, value in reader.values:
        values.setdefault(name, []).append(value.lstrip("\n"))
    return values


@pytest.fixture
def staff(app):
    make_user(app, STAFF, Role.STAFF)
    return signed_in(app, STAFF)


def set_minimum(staff, minimum: str):
    url = "/it/gestione/edizioni/2020"
    values = form_values(staff.get(url).get_data(as_text=True), url)
    assert values["preparazione_minima"] == [""]
    return staff.post(url, data={**values, "preparazione_minima": minimum})


def test_staff_set_the_edition_minimum_audited(app, staff):
    assert set_minimum(staff, "60").status_code == 302
    with app.app_context():
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        assert edition.readiness_minimum == 60
        entry = db.session.scalars(db.select(AuditEntry).filter_by(action="edition.update")).one()
        assert entry.changes["readiness_minimum"] == ["None", "60"]
    page = staff.get("/it/gestione/edizioni/2020").get_data(as_text=True)
    assert 'value="60"' in page
    refused = staff.post(
        "/it/gestione/edizioni/2020",
        data={**form_values(page, "/it/gestione/edizioni/2020"), "preparazione_minima": "101"},
    )
    assert refused.status_code == 200 and "da 0 a 100" in words(refused)


def test_publication_is_refused_below_the_minimum_and_allowed_at_it(app, campaign_ids, staff):
    _, campaign_id = campaign_ids
    set_minimum(staff, "60")
    publish = f"/it/gestione/campagne/{campaign_id}/pubblica"
    page = f"/it/gestione/campagne/{campaign_id}"
    csrf = token(staff, page)
    refused = staff.post(publish, data={"csrf_token": csrf})
    assert refused.status_code == 302 and refused.headers["Location"] == page
    told = words(staff.get(page))
    assert "la preparazione è a 0 su 100, il minimo dell'edizione è 60" in told
    assert (
        "Mancano: Storia, Foto di copertina, Video, Ricompense, Team, Primi sostenitori e Piano degli aggiornamenti."
        in told
    )
    assert campaign_row(app, campaign_id).published_at is None

    with app.app_context():  # story 20 + rewards 15 + team 15 + updates plan 10 = 60: exactly the minimum
        campaign = db.session.get(Campaign, campaign_id)
        campaign.story = STORY
        campaign.team_members = "Anna\nBruno\nCarla"
        campaign.updates_plan = "Uno\nDue\nTre"
        campaign.rewards += [
            CampaignReward(position=n, title=f"R{n}", min_pledge_cents=500 * n, description="x") for n in (2, 3)
        ]
        db.session.commit()
    checklist = words(staff.get(page))
    assert "Punteggio di preparazione: 60 su 100 · minimo per pubblicare: 60" in checklist
    assert staff.post(publish, data={"csrf_token": csrf}).headers["Location"] == "/it/gestione/campagne"
    assert campaign_row(app, campaign_id).published_at is not None
