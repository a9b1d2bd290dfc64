"""The newsletter's rules (portal/domain/newsletter.py): the confirmation e-mail at most hourly, how
long a subscription is kept, which places may ask for it, the batch size, what an issue needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain import DomainError
from portal.domain.newsletter import (
    DEFAULT_BATCH_SIZE,
    IssueError,
    batch_size,
    check_issue,
    forgotten,
    may_send,
    may_send_confirmation,
    normalise_email,
    subscriber_lang,
    valid_source,
)

NOW = datetime(2020, 11, 15, 11, 0, tzinfo=UTC)
SUBJECTS = {"it": "Il bando è aperto", "en": "The call is open"}
BODIES = {"it": "Da oggi.", "en": "From today."}


def test_the_confirmation_mail_at_most_hourly():
    assert may_send_confirmation(None, NOW)
    assert not may_send_confirmation(NOW - timedelta(minutes=59), NOW)
    assert may_send_confirmation(NOW - timedelta(hours=1), NOW)


def test_unconfirmed_kept_a_week_unsubscribed_a_month_confirmed_until_they_leave():
    week, month = timedelta(days=7), timedelta(days=30)
    assert not forgotten(NOW - week + timedelta(seconds=1), None, None, NOW)
    assert forgotten(NOW - week, None, None, NOW)
    assert not forgotten(NOW - timedelta(days=900), NOW - timedelta(days=900), None, NOW)  # confirmed: kept
    assert not forgotten(NOW - month, NOW - month, NOW - month + timedelta(seconds=1), NOW)
    assert forgotten(NOW - month, NOW - month, NOW - month, NOW)
    assert not forgotten(NOW - week, None, NOW - timedelta(days=1), NOW)  # left: the month counts from leaving


def test_only_the_four_places_may_ask():
    for source in ("footer", "registration", "pledge", "follow"):
        assert valid_source(source)
    for source in ("", "import", "FOOTER", "admin"):
        assert not valid_source(source)


def test_one_subscription_per_address_in_a_language_of_the_portal():
    assert normalise_email("  Anna@Example.ORG ") == "anna@example.org"
    assert subscriber_lang("en") == "en" and subscriber_lang("it") == "it" and subscriber_lang("fr") == "it"


def test_the_batch_size_from_the_configuration_at_least_one():
    assert batch_size(None) == DEFAULT_BATCH_SIZE and batch_size(0) == DEFAULT_BATCH_SIZE
    assert batch_size(3) == 3 and batch_size(-2) == 1


def test_an_issue_needs_both_languages_within_the_limits():
    check_issue(SUBJECTS, BODIES)
    with pytest.raises(DomainError) as refused:
        check_issue(SUBJECTS, {"it": "Da oggi.", "en": "   "})
    assert refused.value.code is IssueError.EMPTY and refused.value.params == {"lang": "en"}
    with pytest.raises(DomainError) as refused:
        check_issue({**SUBJECTS, "it": "x" * 201}, BODIES)
    assert refused.value.code is IssueError.TOO_LONG and refused.value.params == {"lang": "it"}


def test_an_issue_is_sent_once():
    assert may_send(None) and not may_send(NOW)
