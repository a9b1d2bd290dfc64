"""The followers' timed commands, as cron runs them: `flask notify-followers` (the last 48 hours and
the daily digest; running it twice sends nothing more) and `flask forget-followers` (retention)."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.clock import ROME
from portal.extensions import db
from portal.models import CampaignFollower, CampaignNews, OutboxMessage
from portal.services.campaigns import following
from tests.campaigns import NOVEMBER_AT, STARTS_AT, make_campaign

ENDS_AT = STARTS_AT + timedelta(days=60)  # make_campaign's window: 29 December 2020, midnight in Rome


def datetime_rome(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=ROME)


def follower(app, campaign_id: int, email: str, *, confirmed=NOVEMBER_AT, created=NOVEMBER_AT, lang="it") -> str:
    with app.app_context():
        row = CampaignFollower(
            campaign_id=campaign_id, email=email, lang=lang, created_at=created, confirmed_at=confirmed
        )
        db.session.add(row)
        db.session.commit()
        return row.token


def mails(app, to: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage).filter_by(to=to).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def run(runner, command: str, at) -> str:
    result = runner.invoke(args=[command, "--now", at.isoformat()] if command == "notify-followers" else [command])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_last_48_hours_are_told_once(app, runner):
    live = make_campaign(app)
    quiet = make_campaign(app, "Orto Gorla")  # nobody follows it: no news recorded
    follower(app, live, "anna@example.org")
    follower(app, live, "ben@example.org", lang="en")
    follower(app, live, "carla@example.org", confirmed=None)
    assert "queued 0 e-mails" in run(runner, "notify-followers", ENDS_AT - timedelta(hours=49))
    output = run(runner, "notify-followers", ENDS_AT - timedelta(hours=47))
    assert "Last 48 hours recorded for 1 campaigns; queued 2 e-mails" in output
    [italian] = mails(app, "anna@example.org")
    assert italian.subject == "Ultime 48 ore per sostenere «Lab Barona»"
    assert (
        "La raccolta si chiude il 28 dicembre 2020" in italian.body
        and "/it/progetti/lab-barona/sostieni" in italian.body
    )
    [english] = mails(app, "ben@example.org")
    assert english.subject == "Last 48 hours to support «Lab Barona»" and "28 December 2020" in english.body
    assert mails(app, "carla@example.org") == []
    # Run again, now and a day later: nothing more.
    assert "recorded for 0 campaigns; queued 0 e-mails" in run(
        runner, "notify-followers", ENDS_AT - timedelta(hours=47)
    )
    assert "recorded for 0 campaigns; queued 0 e-mails" in run(runner, "notify-followers", ENDS_AT - timedelta(hours=2))
    assert len(mails(app, "anna@example.org")) == 1
    with app.app_context():
        assert db.session.scalars(db.select(CampaignNews.campaign_id)).all() == [live]
        assert quiet != live


def test_the_last_call_waits_for_a_follower_mailed_today_and_is_dropped_once_over(app, runner):
    campaign_id = make_campaign(app)
    follower(app, campaign_id, "anna@example.org")
    follower(app, campaign_id, "ben@example.org")
    with app.app_context():
        for email, hours in (("anna@example.org", 30), ("ben@example.org", 10)):
            mailed = ENDS_AT - timedelta(hours=hours)
            db.session.execute(db.update(CampaignFollower).filter_by(email=email).values(last_mail_at=mailed))
        db.session.commit()
    assert "queued 0 e-mails" in run(runner, "notify-followers", ENDS_AT - timedelta(hours=20))
    # Anna was mailed 30 hours before the end: the last call reaches her 6 hours before it.
    assert "queued 1 e-mails" in run(runner, "notify-followers", ENDS_AT - timedelta(hours=6))
    [last_call] = mails(app, "anna@example.org")
    assert last_call.subject == "Ultime 48 ore per sostenere «Lab Barona»"
    # Ben's day is over only after the end: a last call is no news then.
    assert "queued 0 e-mails" in run(runner, "notify-followers", ENDS_AT + timedelta(hours=15))
    assert "queued 0 e-mails" in run(runner, "notify-followers", ENDS_AT + timedelta(hours=40))
    assert mails(app, "ben@example.org") == []


def test_forget_followers_after_the_retention_and_unconfirmed_after_a_week(app, runner, at):
    ended = make_campaign(app)  # ended 29 December 2020
    later = make_campaign(app, "Orto Gorla", starts_at=STARTS_AT + timedelta(days=30))  # ends 28 January 2021
    kept = follower(app, later, "anna@example.org")
    gone = follower(app, ended, "anna@example.org")
    fresh = follower(app, later, "ben@example.org", confirmed=None, created=datetime_rome(2021, 3, 25))
    stale = follower(app, later, "carla@example.org", confirmed=None, created=datetime_rome(2021, 3, 20))
    with app.app_context():
        for token, sent in ((gone, True), (kept, True), (stale, False)):
            email = db.session.scalars(db.select(CampaignFollower.email).filter_by(token=token)).one()
            link = f"https://example.org/it/seguire/{token}/annulla"
            db.session.add(
                OutboxMessage(
                    to=email, subject="Novità", body=link, created_at=NOVEMBER_AT, sent_at=NOVEMBER_AT if sent else None
                )
            )
        db.session.add(
            OutboxMessage(to="anna@example.org", subject="Ricevuta", body="La tua ricevuta", created_at=NOVEMBER_AT)
        )
        db.session.commit()
    at("2021-03-29T10:00:00+02:00")  # 90 days after the first campaign's end, not after the second's
    assert "Forgot 2 followers (retention 90 days" in run(runner, "forget-followers", None)
    with app.app_context():
        assert set(db.session.scalars(db.select(CampaignFollower.token))) == {kept, fresh}
        left = db.session.scalars(db.select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    assert left == [f"https://example.org/it/seguire/{kept}/annulla", "La tua ricevuta"]
    assert "Forgot 0 followers" in run(runner, "forget-followers", None)


def test_unsubscribing_is_idempotent(app):
    campaign_id = make_campaign(app)
    token = follower(app, campaign_id, "anna@example.org")
    with app.app_context():
        following.unsubscribe(token, NOVEMBER_AT)
        following.unsubscribe(token, NOVEMBER_AT)
        assert db.session.scalars(db.select(CampaignFollower)).all() == []
