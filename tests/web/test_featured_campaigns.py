"""Staff feature a campaign: while it is live it comes first, marked "In evidenza", on the home page
and in the gallery's default order; once it closes, or once staff take the mark away, it goes back
to the ordinary order. Featuring a campaign not published, or already over, is refused; every
change is in the audit log."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest

from portal.extensions import db
from portal.models import AuditEntry, Campaign, Role
from tests.accounts import csrf_from, make_user, sign_in
from tests.campaigns import AFTER_THE_END, NOVEMBER, NOVEMBER_AT, make_campaign
from tests.gallery_data import DECEMBER, GALLERY, every_state, titles
from tests.html_validation import vnu_errors
from tests.scaling import analyse, assert_index_served, explain

STAFF = "staff@comune.example"
MARK = 'class="campaign-featured"'


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def staff(app):
    make_user(app, STAFF, Role.STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


@pytest.fixture
def ids(app):
    """A campaign in every state, and a live one published first: last among the open ones."""
    ids = every_state(app)
    ids["quiet"] = make_campaign(app, "Cortile Quiete", municipio=3, nil_id=1)
    with app.app_context():
        quiet = db.session.get(Campaign, ids["quiet"])
        quiet.published_at = quiet.published_at.replace(year=2019)  # the oldest: the last open card
        db.session.commit()
    return ids


def _post(staff, campaign_id: int, action: str = "evidenza"):
    page = f"/it/gestione/campagne/{campaign_id}"
    token = csrf_from(staff.get(page).get_data(as_text=True))
    return staff.post(f"{page}/{action}", data={"csrf_token": token})


def _words(response) -> str:
    return unescape(response.get_data(as_text=True))


def _featured_at(app, campaign_id: int):
    with app.app_context():
        return db.session.get(Campaign, campaign_id).featured_at


def _audit(app, campaign_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(AuditEntry.action)
                .filter_by(subject_type="campaign", subject_id=campaign_id)
                .order_by(AuditEntry.id)
            )
        )


def test_a_featured_live_campaign_comes_first_marked_on_the_home_page_and_in_the_gallery(app, client, staff, ids):
    assert titles(client.get(GALLERY))[2] == "Cortile Quiete"  # the third of the open ones
    assert MARK not in client.get("/it/").get_data(as_text=True)

    response = _post(staff, ids["quiet"])
    assert response.status_code == 302
    assert "Campagna in evidenza" in _words(staff.get(response.headers["Location"]))
    assert _audit(app, ids["quiet"]) == ["campaign.feature"]

    home = client.get("/it/")
    assert titles(home)[0] == "Cortile Quiete"
    html = _words(home)
    assert "Il Comune mette in evidenza" in html
    assert html.count(MARK) == 1
    # The mark is on the featured card, in words a screen reader reads (the star is hidden from it).
    card = html[html.index(MARK) : html.index("</article>", html.index(MARK))]
    assert "Cortile Quiete" in card and '<span aria-hidden="true">★ </span>In evidenza</p>' in card

    gallery = client.get(GALLERY)
    assert titles(gallery)[0] == "Cortile Quiete"
    assert _words(gallery).count(MARK) == 1
    # Counted once: the gallery's total and pages are unchanged.
    assert len(titles(gallery)) == 6 and "6 progetti trovati" in _words(gallery)


def test_filters_narrow_the_featured_ones_and_other_orders_keep_theirs(app, client, staff, ids):
    _post(staff, ids["quiet"])
    # A filter the featured campaign matches: still first; one it does not match: not shown.
    assert titles(client.get(GALLERY + "?municipio=3")) == ["Cortile Quiete"]
    in_municipio_8 = client.get(GALLERY + "?municipio=8")
    assert "Cortile Quiete" not in titles(in_municipio_8) and MARK not in in_municipio_8.get_data(as_text=True)
    assert titles(client.get(GALLERY + "?stato=in_corso"))[0] == "Cortile Quiete"
    # An order the visitor chose is kept as asked: the featured card is marked where it falls.
    closing = client.get(GALLERY + "?ordina=piu_sostenuti")
    assert titles(closing)[0] != "Cortile Quiete" and _words(closing).count(MARK) == 1


def test_it_is_not_shown_first_once_it_closes(app, client, at, staff, ids):
    _post(staff, ids["quiet"])
    at(AFTER_THE_END.isoformat())
    gallery = client.get(GALLERY)
    assert titles(gallery)[0] != "Cortile Quiete"
    assert MARK not in gallery.get_data(as_text=True)
    assert MARK not in client.get("/it/").get_data(as_text=True)
    assert _featured_at(app, ids["quiet"]) is not None  # kept as history


def test_an_upcoming_campaign_may_be_featured_and_comes_first_once_it_opens(app, client, at, staff, ids):
    assert _post(staff, ids["upcoming"]).status_code == 302
    assert _featured_at(app, ids["upcoming"]) is not None
    assert titles(client.get(GALLERY))[0] != "Biblioteca Adriano"  # waits among the upcoming ones
    page = _words(staff.get(f"/it/gestione/campagne/{ids['upcoming']}"))
    assert "Ora non appare per prima" in page and "Togli dall'evidenza" in page
    at(DECEMBER.replace(day=2).isoformat())
    gallery = client.get(GALLERY)
    assert titles(gallery)[0] == "Biblioteca Adriano" and _words(gallery).count(MARK) == 1


def test_staff_take_the_mark_away(app, client, staff, ids):
    _post(staff, ids["quiet"])
    response = _post(staff, ids["quiet"], "evidenza/togli")
    assert "La campagna non è più in evidenza" in _words(staff.get(response.headers["Location"]))
    assert _featured_at(app, ids["quiet"]) is None
    assert _audit(app, ids["quiet"]) == ["campaign.feature", "campaign.unfeature"]
    assert titles(client.get(GALLERY))[0] != "Cortile Quiete"
    assert MARK not in client.get("/it/").get_data(as_text=True)
    assert "Metti in evidenza" in _words(staff.get(f"/it/gestione/campagne/{ids['quiet']}"))


def test_featuring_an_unpublished_or_ended_campaign_is_refused(app, staff, ids):
    draft = make_campaign(app, "Bozza Lorenteggio", published=False)
    for campaign_id, message in (
        (draft, "Si mette in evidenza solo una campagna pubblicata"),
        (ids["succeeded"], "La campagna è conclusa: non si mette più in evidenza"),
    ):
        page = _words(staff.get(f"/it/gestione/campagne/{campaign_id}"))
        assert message in page and "Metti in evidenza" not in page  # the page says why, no button
        response = _post(staff, campaign_id)  # a request made anyway
        assert message in _words(staff.get(response.headers["Location"]))
        assert _featured_at(app, campaign_id) is None and _audit(app, campaign_id) == []


def test_featuring_twice_changes_nothing(app, staff, ids):
    _post(staff, ids["live"])
    first = _featured_at(app, ids["live"])
    response = _post(staff, ids["live"])
    assert "La campagna era già in evidenza" in _words(staff.get(response.headers["Location"]))
    assert _featured_at(app, ids["live"]) == first and _audit(app, ids["live"]) == ["campaign.feature"]


@pytest.mark.postgres
def test_the_home_page_reads_the_featured_campaigns_from_an_index(app, client, count_queries, ids):
    """3,000 open campaigns, two featured: the query of the featured and the ending-soon cards
    reads campaigns from indexes (the featured ones by primary key), never by scanning the table."""
    with app.app_context():
        template = db.session.execute(db.select(Campaign.__table__).filter_by(id=ids["live"])).mappings().one()
        rows = [
            {k: v for k, v in template.items() if k != "id"}
            | {"slug": f"aperta-{n}", "title": f"Aperta {n}", "featured_at": NOVEMBER_AT if n in (7, 9) else None}
            | {"ends_at": template["ends_at"] + timedelta(hours=n), "reserved_cents": 0}
            for n in range(3_000)
        ]
        db.session.execute(db.insert(Campaign), rows)
        analyse()
    with count_queries() as queries:
        home = client.get("/it/")
    assert titles(home)[:2] == ["Aperta 9", "Aperta 7"]  # featured at the same instant: the latest row first
    with app.app_context():
        assert_index_served(explain(queries, containing="row_number()"), "campaign")


def test_the_pages_with_a_featured_campaign_are_valid_html(app, client, staff, ids, tmp_path):
    _post(staff, ids["quiet"])
    _post(staff, ids["upcoming"])
    pages = {
        "home-it": client.get("/it/"),
        "home-en": client.get("/en/"),
        "gallery": client.get(GALLERY),
        "staff-featured": staff.get(f"/it/gestione/campagne/{ids['quiet']}"),
        "staff-waiting": staff.get(f"/it/gestione/campagne/{ids['upcoming']}"),
        "staff-over": staff.get(f"/it/gestione/campagne/{ids['succeeded']}"),
        "staff-live": staff.get(f"/it/gestione/campagne/{ids['live']}"),
    }
    files = []
    for case, response in pages.items():
        assert response.status_code == 200, case
        target = tmp_path / f"{case}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []
