"""The payment provider's signed notifications: only authentic events act, each event id once."""

from __future__ import annotations

import json
import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.domain.pledge import PaidVia, PledgeStatus
from portal.domain.webhook import sign
from portal.extensions import db
from portal.models import Campaign, Pledge, ProviderEvent
from tests.campaigns import NOVEMBER, make_campaign, pledge
from tests.payments import WEBHOOK_SECRET, WEBHOOK_URL, deliver, event, now_ts

URL = WEBHOOK_URL
SECRET = WEBHOOK_SECRET
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def totals(app, campaign_id: int) -> tuple[int, int, int, int | None]:
    with app.app_context():
        c = db.session.get(Campaign, campaign_id)
        return c.confirmed_cents, c.pending_cents, c.supporters, c.grant_cents


def recorded(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (e.event_id, e.outcome) for e in db.session.scalars(db.select(ProviderEvent).order_by(ProviderEvent.id))
        ]


def live_campaign(app, at):
    at(NOVEMBER)
    campaign_id = make_campaign(app)
    return campaign_id, pledge(app, campaign_id, 800_000), pledge(app, campaign_id, 2_500)


def test_a_signed_payment_confirms_the_pledge_and_commits_the_grant(app, client, at):
    campaign_id, big, small = live_campaign(app, at)

    response = deliver(client, app, event("evt_1", big, 800_000))
    assert response.status_code == 200
    assert response.get_json() == {"outcome": "confirmed", "event_id": "evt_1"}
    assert totals(app, campaign_id) == (800_000, 2_500, 1, 1_200_000)
    with app.app_context():
        paid = db.session.scalars(db.select(Pledge).filter_by(reference=big)).one()
        assert (paid.status, paid.paid_via, paid.payment_id) == (PledgeStatus.CONFIRMED, PaidVia.PROVIDER, "evt_1")
    assert recorded(app) == [("evt_1", "confirmed")]


def test_a_repeated_event_is_acknowledged_and_changes_nothing(app, client, at):
    campaign_id, big, small = live_campaign(app, at)
    body = event("evt_1", small, 2_500)
    assert deliver(client, app, body).get_json()["outcome"] == "confirmed"
    again = deliver(client, app, body, shift=-60)  # the provider's retry, signed again
    assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
    # The same id with another body (a replay dressed up) is still the same event.
    assert deliver(client, app, event("evt_1", big, 800_000)).get_json()["outcome"] == "duplicate"
    assert totals(app, campaign_id) == (2_500, 800_000, 1, None)
    assert recorded(app) == [("evt_1", "confirmed")]


def test_payments_that_confirm_nothing_are_answered_recorded_and_logged(app, client, at, caplog):
    campaign_id, big, small = live_campaign(app, at)
    caplog.set_level(logging.WARNING, logger="portal")
    cases = [
        (event("evt_a", big, 799_999), "amount_mismatch"),
        (event("evt_b", "CC2020-00000000-V", 2_500), "unknown_reference"),
        (event("evt_c", small, 2_500), "confirmed"),
        (event("evt_d", small, 2_500), "not_pending"),  # paid twice: staff refund one
        (event("evt_e", big, 800_000, "payment.failed"), "payment_failed"),
    ]
    for body, outcome in cases:
        response = deliver(client, app, body)
        assert (response.status_code, response.get_json()["outcome"]) == (200, outcome)
    assert totals(app, campaign_id) == (2_500, 800_000, 1, None)
    assert recorded(app) == [(f"evt_{x}", outcome) for x, (_, outcome) in zip("abcde", cases, strict=True)]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "evt_a" in logged and "evt_b" in logged and "evt_d" in logged and "evt_c" not in logged


def test_unsigned_forged_or_stale_notifications_are_refused(app, client, at):
    campaign_id, big, _ = live_campaign(app, at)
    body = event("evt_1", big, 800_000)
    cases = [
        (deliver(client, app, body, header=""), 400, "malformed_signature"),
        (deliver(client, app, body, header="v1=abc"), 400, "malformed_signature"),
        (deliver(client, app, body, secret=b"someone-else"), 401, "bad_signature"),
        (deliver(client, app, body, header=sign(SECRET, now_ts(app), body + b" ")), 401, "bad_signature"),
        (deliver(client, app, body, shift=-301), 400, "stale"),
        (deliver(client, app, body, shift=301), 400, "stale"),
    ]
    for response, status, error in cases:
        assert (response.status_code, response.get_json()) == (status, {"error": error})
    assert totals(app, campaign_id) == (0, 802_500, 0, None)
    assert recorded(app) == []


def test_signed_but_malformed_bodies_name_the_field(app, client, at):
    live_campaign(app, at)
    not_json = deliver(client, app, b"{not json")
    assert (not_json.status_code, not_json.get_json()) == (400, {"error": "malformed", "field": "body"})
    dollars = deliver(client, app, event("evt_1", "CC2020-00000000-V", 100).replace(b"EUR", b"USD"))
    assert dollars.get_json() == {"error": "malformed", "field": "data.currency"}
    refund = deliver(client, app, event("evt_2", "CC2020-00000000-V", 100, kind="charge.refunded"))
    assert (refund.status_code, refund.get_json()) == (200, {"outcome": "ignored"})
    assert recorded(app) == []


def test_without_a_secret_every_notification_is_refused(app, client, at):
    campaign_id, big, _ = live_campaign(app, at)
    body = event("evt_1", big, 800_000)
    app.config["PAYMENT_WEBHOOK_SECRET"] = None
    try:
        response = client.post(URL, data=body, headers={"Portal-Signature": sign(SECRET, now_ts(app), body)})
    finally:
        app.config["PAYMENT_WEBHOOK_SECRET"] = SECRET.decode()
    assert (response.status_code, response.get_json()) == (503, {"error": "not_configured"})
    assert totals(app, campaign_id)[0] == 0 and recorded(app) == []


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405


@SETTINGS
@given(
    body=st.binary(max_size=300),
    header=st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=120),
)
def test_any_request_gets_an_answer_never_a_500(app, client, body, header):
    response = client.post(URL, data=body, headers={"Portal-Signature": header.encode("utf-8").decode("latin-1")})
    assert response.status_code in (400, 401)
    assert "error" in response.get_json()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
EVENTS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=300) | JSON_VALUES,
        "type": st.sampled_from(["payment.succeeded", "payment.failed", "other"]) | JSON_VALUES,
        "data": st.fixed_dictionaries(
            {},
            optional={
                "reference": st.sampled_from(["CC2020-00000000-V", "cc2020 oooo oooo v", ""]) | JSON_VALUES,
                "amount_cents": st.integers(min_value=-(2**70), max_value=2**70) | JSON_VALUES,
                "currency": st.sampled_from(["EUR", "eur"]) | JSON_VALUES,
            },
        )
        | JSON_VALUES,
    },
)


@SETTINGS
@given(document=EVENTS)
def test_any_signed_body_gets_an_answer_never_a_500(app, client, document):
    response = deliver(client, app, json.dumps(document).encode())
    assert response.status_code in (200, 400)
    answer = response.get_json()
    assert answer.get("outcome") in {"unknown_reference", "payment_failed", "duplicate", "ignored"} or answer == {
        "error": "malformed",
        "field": answer.get("field"),
    }
