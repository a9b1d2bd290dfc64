"""A campaign is public from the moment it is published, not before (the demo publishes ahead)."""

from datetime import timedelta

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
