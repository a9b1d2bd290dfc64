"""A campaign is public from the moment it is published, not before (the demo publishes ahead)."""

import re
from datetime import timedelta

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Campaign
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign


def test_a_campaign_published_later_is_nowhere_yet(app, client, at):
    at(NOVEMBER)
    campaign_id = make_campaign(app, "Orto di domani", slug="orto-di-domani")
    with app.app_context():
        db.session.get(Campaign, campaign_id).published_at = NOVEMBER_AT + timedelta(hours=1)
        db.session.commit()

    assert "Orto di domani" not in client.get("/it/progetti").get_data(as_text=True)
    assert client.get("/it/progetti/orto-di-domani").status_code == 404
    assert client.get("/it/progetti/orto-di-domani/sostieni").status_code == 404

    at("2020-11-15T13:30:00+01:00")
    assert "Orto di domani" in client.get("/it/progetti").get_data(as_text=True)
    assert client.get("/it/progetti/orto-di-domani").status_code == 200


def _in_sitemaps(client, text: str) -> bool:
    """Whether a sitemap of the index (/sitemap.xml) lists `text`."""
    index = client.get("/sitemap.xml").get_data(as_text=True)
    paths = re.findall(r"<loc>https?://[^/<]+(/[^<]+)</loc>", index)
    return any(text in client.get(path).get_data(as_text=True) for path in paths)


def _everywhere_public(client) -> dict[str, bool]:
    """Where "Orto di domani" shows up on the public side of the portal."""
    return {
        "gallery": "Orto di domani" in client.get("/it/progetti").get_data(as_text=True),
        "page": client.get("/it/progetti/orto-di-domani").status_code == 200,
        "pledge form": client.get("/it/progetti/orto-di-domani/sostieni").status_code == 200,
        "feed": "Orto di domani" in client.get("/it/progetti/feed.atom").get_data(as_text=True),
        "sitemap": _in_sitemaps(client, "orto-di-domani"),
        "open data": "orto-di-domani" in client.get("/dati/progetti.json").get_data(as_text=True),
        "tracker": "Orto di domani" in client.get("/it/bando/2020/cofinanziamento").get_data(as_text=True),
    }


def test_a_campaign_is_public_only_while_its_edition_is_published(app, client, at):
    """One rule (`Campaign.is_public`) for every page, export and the pledge form alike."""
    at(NOVEMBER)
    campaign_id = make_campaign(app, "Orto di domani", slug="orto-di-domani")
    assert all(_everywhere_public(client).values()), _everywhere_public(client)

    with app.app_context():
        db.session.get(Campaign, campaign_id).edition.is_published = False
        db.session.commit()
    assert not any(_everywhere_public(client).values()), _everywhere_public(client)
    with app.app_context():
        assert not db.session.get(Campaign, campaign_id).takes_pledges(NOVEMBER_AT)
        assert db.session.scalar(sa.select(sa.func.count()).where(Campaign.is_public(NOVEMBER_AT))) == 0
