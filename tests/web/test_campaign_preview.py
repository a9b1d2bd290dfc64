"""The private preview link (issue 18, item 4): the team makes, copies, renews and revokes a secret
link to its campaign's page before it is public; whoever holds the current link sees the page as
it will look, never cached, never indexed, and the campaign stays absent from every public list."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from config import TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import AuditEntry, Campaign, Role
from portal.services.accounts import accounts
from portal.services.applications import applications
from portal.services.campaigns import preview as previews
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import draft, make_applicant
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign
from tests.html_validation import vnu_errors
from tests.panel import SUBMITTED_AT
from tests.projects import applied_campaign
from tests.scaling import analyse, assert_index_served, assert_same_cost, explain, on_postgres

OWNER = "anna@cordata.example"
OTHER = "bruno@altra.example"
PREVIEW_LINK = re.compile(r'id="preview-address" type="text" value="([^"]+)"')
BANNER = "Anteprima privata: la campagna non è ancora pubblica"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def application_id(app):
    """Anna's organisation applied; its application became Lab Barona, launched but not published."""
    return applied_campaign(app, OWNER, published=False)[0]


def signed_in(app, email):
    client = app.test_client()
    sign_in(client, app, email)
    return client


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def team_page(application_id: int) -> str:
    return f"/it/domanda/{application_id}/campagna/anteprima"


def act(client, application_id: int, action: str):
    url = team_page(application_id)
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "azione": action})


def link_in(response) -> str | None:
    """The link the team page shows (the read-only field to copy), as a path on the site."""
    found = PREVIEW_LINK.search(response.get_data(as_text=True))
    return re.sub(r"^https?://[^/]+", "", unescape(found.group(1))) if found else None


def shown_link(client, application_id: int) -> str | None:
    return link_in(client.get(team_page(application_id)))


def stored_token(app) -> str | None:
    with app.app_context():
        return db.session.scalars(sa.select(Campaign.preview_token).filter_by(slug="lab-barona")).one()


def audit_of(app) -> list[tuple[str, str, dict, str]]:
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action.like("campaign.preview%")).order_by(AuditEntry.id)
        )
        return [(e.action, e.actor_email, e.changes, e.subject_label) for e in entries]


# --- The team's page ----------------------------------------------------------------------------


def test_the_team_creates_a_link_that_shows_the_page_as_it_will_look(app, application_id):
    owner = signed_in(app, OWNER)
    assert shown_link(owner, application_id) is None
    assert "Crea il link di anteprima" in words(owner.get(team_page(application_id)))

    created = act(owner, application_id, "crea")
    assert created.status_code == 303 and created.headers["Location"] == team_page(application_id)
    team = owner.get(team_page(application_id))
    assert "Link di anteprima creato" in words(team) and "no-store" in team.headers["Cache-Control"]
    link = link_in(team)
    token = stored_token(app)
    assert link == f"/it/anteprima/{token}" and len(token) == 43  # secrets.token_urlsafe(32)

    visitor = app.test_client()  # anyone with the link, signed in or not
    page = visitor.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert BANNER in words(page) and "Lab Barona" in words(page)
    assert "Un laboratorio di riparazione aperto al quartiere." in words(page)  # the story
    assert '<meta name="robots" content="noindex, nofollow">' in html
    # Nothing that only a public page offers: pledging, following, sharing, the link's preview.
    assert "/progetti/lab-barona/sostieni" not in html and "Sostieni il progetto" not in html
    assert "/progetti/lab-barona/segui" not in html and 'id="segui"' not in html
    assert 'id="condividi"' not in html and "wa.me" not in html and "js/share.js" not in html
    assert "og:" not in html and "twitter:" not in html and 'rel="canonical"' not in html
    assert "application/ld+json" not in html and "/anteprime/" not in html


def test_the_preview_is_never_cached_indexed_or_sent_on_as_a_referrer(app, application_id):
    owner = signed_in(app, OWNER)
    act(owner, application_id, "crea")
    page = app.test_client().get(shown_link(owner, application_id))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "ETag" not in page.headers


def test_the_shared_page_cache_never_keeps_a_preview(app, application_id):
    """With the page cache on, a revoked link is "not found" on the very next request."""
    owner = signed_in(app, OWNER)
    act(owner, application_id, "crea")
    link = shown_link(owner, application_id)
    server = create_app(
        TestConfig,
        overrides={
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "KEPT_FILES_DIR": app.config["KEPT_FILES_DIR"],
            "PAGE_CACHE_URL": "memory://",
            "PORTAL_NOW": NOVEMBER,
        },
    )
    try:
        visitor = server.test_client()
        assert visitor.get(link).status_code == 200
        assert visitor.get(link).status_code == 200
        cache = server.extensions["http_cache"].cache
        with server.app_context():
            assert not any(link in str(key) for key in cache.cache._cache)  # nothing stored under its address
        act(owner, application_id, "revoca")
        assert visitor.get(link).status_code == 404
    finally:
        with server.app_context():
            db.session.remove()
            db.engine.dispose()


def test_revoking_stops_the_link_at_once_and_a_new_link_replaces_the_old(app, application_id):
    owner = signed_in(app, OWNER)
    visitor = app.test_client()
    act(owner, application_id, "crea")
    first = shown_link(owner, application_id)
    assert visitor.get(first).status_code == 200

    renewed = act(owner, application_id, "crea")
    assert renewed.status_code == 303
    team = owner.get(team_page(application_id))
    assert "quello di prima non funziona più" in words(team)
    second = link_in(team)
    assert second != first
    assert visitor.get(first).status_code == 404
    assert visitor.get(second).status_code == 200

    act(owner, application_id, "revoca")
    assert stored_token(app) is None and shown_link(owner, application_id) is None
    assert visitor.get(second).status_code == 404
    assert "Crea il link di anteprima" in words(owner.get(team_page(application_id)))

    act(owner, application_id, "crea")
    third = shown_link(owner, application_id)
    assert third not in (first, second) and visitor.get(third).status_code == 200


def test_every_change_is_audited_without_the_secret(app, application_id):
    owner = signed_in(app, OWNER)
    act(owner, application_id, "crea")
    act(owner, application_id, "crea")
    tokens_seen = [stored_token(app)]
    act(owner, application_id, "revoca")
    act(owner, application_id, "revoca")  # nothing to revoke: nothing recorded
    entries = audit_of(app)
    assert [(action, actor, label) for action, actor, _changes, label in entries] == [
        ("campaign.preview_link_created", OWNER, "Lab Barona"),
        ("campaign.preview_link_renewed", OWNER, "Lab Barona"),
        ("campaign.preview_link_revoked", OWNER, "Lab Barona"),
    ]
    assert not any(token in repr(entries) for token in tokens_seen)


def test_only_the_whole_current_token_opens_the_preview(app, application_id):
    owner = signed_in(app, OWNER)
    act(owner, application_id, "crea")
    token = stored_token(app)
    visitor = app.test_client()
    assert visitor.get(f"/it/anteprima/{token}").status_code == 200
    assert visitor.get(f"/en/anteprima/{token}").status_code == 200  # in English too
    for wrong in (
        token[:-1],  # a prefix
        token[:8],
        token + "x",  # longer
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character off
        token.swapcase(),
        token + "%C3%A9",  # not ASCII
        "%00",
        "x" * 500,
    ):
        assert visitor.get(f"/it/anteprima/{wrong}").status_code == 404, wrong
    with app.app_context():
        campaign = db.session.scalars(sa.select(Campaign).filter_by(slug="lab-barona")).one()
        assert campaign.is_previewable_by(token, NOVEMBER_AT)
        assert not campaign.is_previewable_by(token[:-1], NOVEMBER_AT)
        assert not campaign.is_previewable_by(token + "é", NOVEMBER_AT)
        assert not campaign.is_previewable_by("", NOVEMBER_AT) and not campaign.is_previewable_by(None, NOVEMBER_AT)


def test_once_public_the_link_leads_to_the_public_page_and_the_team_page_says_so(app, application_id, at):
    owner = signed_in(app, OWNER)
    with app.app_context():
        campaign = db.session.scalars(sa.select(Campaign).filter_by(slug="lab-barona")).one()
        campaign.published_at = NOVEMBER_AT + timedelta(hours=1)  # staff published it, for one hour on
        db.session.commit()
    act(owner, application_id, "crea")
    link = shown_link(owner, application_id)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 200
    assert "La pagina pubblica della campagna si apre il" in words(owner.get(team_page(application_id)))

    at("2020-11-15T13:00:00+01:00")  # the publication instant
    moved = visitor.get(link)
    assert moved.status_code == 302 and moved.headers["Location"] == "/it/progetti/lab-barona"
    assert moved.headers["Cache-Control"] == "private, no-store"
    assert moved.headers["Referrer-Policy"] == "no-referrer"
    assert visitor.get(moved.headers["Location"]).status_code == 200

    team = owner.get(team_page(application_id))
    assert "è pubblica" in words(team) and 'href="/it/progetti/lab-barona"' in team.get_data(as_text=True)
    assert shown_link(owner, application_id) is None
    refused = act(owner, application_id, "crea")
    assert refused.status_code == 303
    assert "La campagna è già pubblica" in words(owner.get(team_page(application_id)))
    assert stored_token(app) is not None and visitor.get(link).status_code == 302  # unchanged


def test_nobody_else_reaches_the_team_page(app, application_id):
    url = team_page(application_id)
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/it/accesso" in anonymous.headers["Location"]

    make_applicant(app, OTHER, 1)
    other = signed_in(app, OTHER)
    assert other.get(url).status_code == 404
    token = csrf_from(other.get("/it/domanda/").get_data(as_text=True))
    assert other.post(url, data={"csrf_token": token, "azione": "crea"}).status_code == 404
    assert stored_token(app) is None

    make_user(app, "staff@comune.milano.example", Role.STAFF)
    assert signed_in(app, "staff@comune.milano.example").get(url).status_code in (403, 404)
    owner = signed_in(app, OWNER)
    assert owner.post(url, data={"azione": "crea"}).status_code == 400  # no CSRF token
    assert act(owner, application_id, "altro").status_code == 400
    assert stored_token(app) is None and audit_of(app) == []


def test_an_application_without_a_campaign_has_no_preview_page(app):
    make_applicant(app, OWNER, 0)
    application_id = draft(app, OWNER)
    with app.app_context():
        applications.submit(application_id, SUBMITTED_AT, declarations_accepted=True)
    assert signed_in(app, OWNER).get(team_page(application_id)).status_code == 404


def test_the_team_page_and_the_preview_are_valid_html(app, application_id, tmp_path):
    owner = signed_in(app, OWNER)
    pages = {"team-no-link": owner.get(team_page(application_id))}
    act(owner, application_id, "crea")
    pages["team-link"] = owner.get(team_page(application_id))
    link = shown_link(owner, application_id)
    pages["preview-it"] = app.test_client().get(link)
    pages["preview-en"] = app.test_client().get(link.replace("/it/", "/en/", 1))
    assert "Private preview: the campaign is not public yet" in words(pages["preview-en"])
    with app.app_context():
        db.session.scalars(sa.select(Campaign).filter_by(slug="lab-barona")).one().published_at = NOVEMBER_AT
        db.session.commit()
    pages["team-public"] = owner.get(f"/en/domanda/{application_id}/campagna/anteprima")
    files = []
    for name, response in pages.items():
        assert response.status_code == 200, name
        target = tmp_path / f"{name}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []


# --- Nowhere else ---------------------------------------------------------------------------------


def _in_sitemaps(client) -> str:
    index = client.get("/sitemap.xml").get_data(as_text=True)
    paths = re.findall(r"<loc>https?://[^/<]+(/[^<]+)</loc>", index)
    return index + "".join(client.get(path).get_data(as_text=True) for path in paths)


def public_side(client) -> dict[str, str]:
    """Every public list a campaign could appear in, as a visitor gets it."""
    fragment = {"HX-Request": "true"}
    return {
        "home": client.get("/it/").get_data(as_text=True),
        "gallery": client.get("/it/progetti").get_data(as_text=True),
        "gallery fragment": client.get("/it/progetti", headers=fragment).get_data(as_text=True),
        "gallery of Municipio 6 (map)": client.get("/it/progetti?municipio=6").get_data(as_text=True),
        "gallery in English": client.get("/en/progetti").get_data(as_text=True),
        "feed": client.get("/it/progetti/feed.atom").get_data(as_text=True),
        "sitemaps": _in_sitemaps(client),
        "open data CSV": client.get("/dati/progetti.csv").get_data(as_text=True),
        "open data JSON": client.get("/dati/progetti.json").get_data(as_text=True),
        "open data page": client.get("/it/dati-aperti").get_data(as_text=True),
    }


def test_a_campaign_with_a_live_preview_link_is_nowhere_on_the_public_side(app, application_id):
    """The lists already ask `Campaign.is_public`; the preview link changes none of them."""
    make_campaign(app, "Orto Giambellino", slug="orto-giambellino")  # a public one, so lists are not empty
    visitor = app.test_client()
    before = public_side(visitor)
    assert "Orto Giambellino" in before["gallery"]

    owner = signed_in(app, OWNER)
    act(owner, application_id, "crea")
    token = stored_token(app)
    assert visitor.get(f"/it/anteprima/{token}").status_code == 200
    after = public_side(visitor)
    for name, text in after.items():
        assert "Lab Barona" not in text and "lab-barona" not in text and token not in text, name
    assert after == before  # not a byte changed, maps and counts included

    for path in (
        "/it/progetti/lab-barona",
        "/it/progetti/lab-barona/sostieni",
        "/it/progetti/lab-barona/segui",
        "/it/anteprime/progetti/lab-barona.png",
    ):
        assert visitor.get(path).status_code == 404, path
    assert visitor.post("/it/progetti/lab-barona/segui", data={"email": "x@example.org"}).status_code in (400, 404)
    robots = visitor.get("/robots.txt").get_data(as_text=True)
    assert token not in robots


# --- Cost ---------------------------------------------------------------------------------------


def _bulk_campaigns(app, count: int, start: int) -> None:
    """`count` more launched campaigns, each with its own preview link, in one statement."""
    with app.app_context():
        template = db.session.scalars(sa.select(Campaign).filter_by(slug="lab-barona")).one()
        columns = ("edition_id", "organisation_name", "goal_cents", "target_cents", "reserved_cents")
        columns += ("starts_at", "ends_at", "created_at")
        rows = [
            {
                **{name: getattr(template, name) for name in columns},
                "slug": f"bozza-{number}",
                "title": f"Bozza {number}",
                "summary": "Una bozza.",
                "preview_token": previews.secrets.token_urlsafe(32),
            }
            for number in range(start, start + count)
        ]
        db.session.execute(sa.insert(Campaign), rows)
        db.session.commit()
        analyse()


def test_the_preview_costs_the_same_whatever_the_number_of_links(app, application_id, count_queries):
    """One lookup by the unique index on the token, the same queries with 20 or 3,000 links."""
    owner = signed_in(app, OWNER)
    act(owner, application_id, "crea")
    link = shown_link(owner, application_id)
    visitor = app.test_client()
    _bulk_campaigns(app, 20, 0)
    visitor.get(link)  # the memos of the data version are warm
    with count_queries() as small:
        assert visitor.get(link).status_code == 200
    _bulk_campaigns(app, 3_000, 20)
    visitor.get(link)
    with count_queries() as big:
        assert visitor.get(link).status_code == 200
    lookups = [s for s in big.statements if "preview_token =" in s]
    assert len(lookups) == 1
    with app.app_context():
        assert_same_cost(small, big)
        if on_postgres():
            assert_index_served(explain(big, containing="preview_token ="), "campaign")


def test_the_service_refuses_a_public_campaign(app):
    make_campaign(app, "Orto Giambellino", slug="orto-giambellino")
    make_user(app, "staff@comune.milano.example", Role.STAFF)
    with app.app_context():
        staff = accounts.user_by_email("staff@comune.milano.example")
        campaign_id = db.session.scalars(sa.select(Campaign.id).filter_by(slug="orto-giambellino")).one()
        with pytest.raises(previews.DomainError) as refused:
            previews.create_preview_link(campaign_id, staff, NOVEMBER_AT)
        assert refused.value.code == previews.PreviewError.PUBLIC
        assert db.session.get(Campaign, campaign_id).preview_token is None
