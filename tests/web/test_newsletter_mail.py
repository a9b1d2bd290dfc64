"""A newsletter over a real SMTP conversation, delivered by `flask send-mail` as cron runs it: the
issue carries the one-click unsubscribe headers of RFC 2369 and RFC 8058 and the link in its body;
the confirmation does not (there is nothing to leave yet); the header's link unsubscribes."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import NewsletterSubscriber, Role
from portal.services.newsletter import issues, subscriptions
from tests.accounts import make_user, user_by_email
from tests.campaigns import NOVEMBER, NOVEMBER_AT
from tests.smtp import SMTPServer, free_port

READER = "lettrice@example.org"
STAFF = "redazione@comune.milano.example"


@pytest.fixture
def smtp_config(app, monkeypatch):
    port = free_port()
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}.items():
        monkeypatch.setitem(app.config, key, value)
    return port


def test_a_newsletter_arrives_with_one_click_unsubscribe_headers(app, client, runner, smtp_config, at):
    at(NOVEMBER)
    make_user(app, STAFF, Role.STAFF)
    assert client.post("/en/newsletter", data={"email": READER}).status_code == 303
    with app.app_context():
        token = db.session.scalars(db.select(NewsletterSubscriber.token)).one()
        subscriptions.confirm(token, NOVEMBER_AT)
        issue = issues.write_issue(
            {"it": "Il bando è aperto", "en": "The call is open"},
            {"it": "Da oggi si candida.", "en": "From today a project can apply."},
            user_by_email(app, STAFF),
            NOVEMBER_AT,
        )
        assert issues.send_issue(issue.id, db.session.merge(user_by_email(app, STAFF)), NOVEMBER_AT) == 1
    with SMTPServer(smtp_config) as server:
        result = runner.invoke(args=["send-mail"])
        assert result.exit_code == 0 and "Sent 2 e-mails, 0 failed" in result.output
        confirmation, newsletter = server.inbox.messages
    assert confirmation["Subject"] == "Confirm: do you want to receive the Crowdfunding Civico newsletter?"
    assert confirmation["List-Unsubscribe"] is None and confirmation["List-Unsubscribe-Post"] is None
    unsubscribe = f"{app.config['SITE_URL']}/en/newsletter/disiscrizione/{token}"
    assert newsletter["To"] == READER and newsletter["Subject"] == "The call is open"
    assert newsletter["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert newsletter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = newsletter.get_body(("plain",)).get_content()
    assert "From today a project can apply." in body and unsubscribe in body
    # What the mail client does with the header: one POST, no cookie, no CSRF token.
    one_click = app.test_client(use_cookies=False).post(
        newsletter["List-Unsubscribe"].strip("<>").removeprefix(app.config["SITE_URL"]),
        data=newsletter["List-Unsubscribe-Post"],
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    with app.app_context():
        assert db.session.scalars(db.select(NewsletterSubscriber)).one().unsubscribed_at == NOVEMBER_AT
