"""Followers' e-mails over a real SMTP conversation: the news carries the one-click unsubscribe
headers of RFC 2369 and RFC 8058, the confirmation does not (there is nothing to leave yet)."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import CampaignFollower, Role, User
from portal.services.campaigns import campaign_updates, following
from portal.services.mail import deliver_pending
from tests.accounts import make_user
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign
from tests.smtp import SMTPServer, free_port

FOLLOWER = "lettrice@example.org"
AUTHOR = "redazione@comune.milano.example"


@pytest.fixture
def smtp_config(app, monkeypatch):
    port = free_port()
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}.items():
        monkeypatch.setitem(app.config, key, value)
    return port


def test_the_news_arrives_with_one_click_unsubscribe_headers(app, client, smtp_config, at):
    at(NOVEMBER)
    campaign_id = make_campaign(app)
    make_user(app, AUTHOR, Role.STAFF)
    client.post("/en/progetti/lab-barona/segui", data={"email": FOLLOWER, "consenso": "y"})
    with app.app_context():
        token = db.session.scalars(db.select(CampaignFollower.token)).one()
        following.confirm(token, NOVEMBER_AT)
        author = db.session.scalars(db.select(User).filter_by(email=AUTHOR)).one()
        campaign_updates.post_update(
            campaign_id, "Il banco è arrivato", "<p>Da sabato si ripara.</p>", author, NOVEMBER_AT
        )
    with SMTPServer(smtp_config) as server, app.app_context():
        assert deliver_pending(NOVEMBER_AT) == (2, 0)
        confirmation, news = server.inbox.messages
    assert confirmation["Subject"] == "Confirm: do you want to follow «Lab Barona»?"
    assert confirmation["List-Unsubscribe"] is None and confirmation["List-Unsubscribe-Post"] is None
    assert f"/en/seguire/{token}" in confirmation.get_body(("plain",)).get_content()
    unsubscribe = f"{app.config['SITE_URL']}/en/seguire/{token}/annulla"
    assert news["To"] == FOLLOWER and news["Subject"] == "Update from «Lab Barona»: Il banco è arrivato"
    assert news["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = news.get_body(("plain",)).get_content()
    assert "Da sabato si ripara." in body and unsubscribe in body  # the link in the body too
