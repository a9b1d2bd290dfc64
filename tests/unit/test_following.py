"""The rules of following a campaign (portal/domain/following.py): how often a follower is mailed,
when the last call is due, which subject an e-mail gets, what an update's excerpt keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.following import (
    NewsKind,
    dedupe_key,
    excerpt,
    forgotten_before,
    last_call_due,
    may_follow,
    may_mail,
    may_resend_confirmation,
    normalise_email,
    subject_kind,
)

NOW = datetime(2020, 11, 15, 11, 0, tzinfo=UTC)


def test_at_most_one_news_mail_a_day():
    assert may_mail(None, NOW)
    assert not may_mail(NOW - timedelta(hours=23, minutes=59), NOW)
    assert may_mail(NOW - timedelta(hours=24), NOW)


def test_the_confirmation_again_at_most_hourly():
    assert may_resend_confirmation(None, NOW)
    assert not may_resend_confirmation(NOW - timedelta(minutes=59), NOW)
    assert may_resend_confirmation(NOW - timedelta(hours=1), NOW)


@pytest.mark.parametrize(
    ("before_the_end", "due"),
    [
        (timedelta(hours=48, seconds=1), False),
        (timedelta(hours=48), True),
        (timedelta(hours=1), True),
        (timedelta(0), False),
    ],
)
def test_the_last_call_within_the_last_48_hours_only(before_the_end, due):
    assert last_call_due(NOW + before_the_end, NOW) is due


def test_a_campaign_is_followed_until_it_ends():
    assert may_follow(state_is_over=False, closed=False)
    assert not may_follow(state_is_over=True, closed=False)
    assert not may_follow(state_is_over=False, closed=True)


def test_one_news_has_its_own_subject_several_make_a_digest():
    assert subject_kind([NewsKind.THRESHOLD]) is NewsKind.THRESHOLD
    assert subject_kind([NewsKind.UPDATE, NewsKind.THRESHOLD]) is None


def test_each_news_is_recorded_once_each_update_once():
    assert dedupe_key(7, NewsKind.OUTCOME) == dedupe_key(7, NewsKind.OUTCOME) != dedupe_key(8, NewsKind.OUTCOME)
    assert dedupe_key(7, NewsKind.UPDATE, 1) != dedupe_key(7, NewsKind.UPDATE, 2)
    assert all(len(dedupe_key(10**12, kind, 10**12)) <= 80 for kind in NewsKind)  # the column's width


def test_an_excerpt_keeps_the_first_words():
    assert excerpt("  Da sabato\n si ripara.  ") == "Da sabato si ripara."
    long = "parola " * 100
    cut = excerpt(long, 50)
    assert len(cut) <= 51 and cut.endswith("parola…")


def test_addresses_and_retention():
    assert normalise_email("  Anna@Example.ORG ") == "anna@example.org"
    assert forgotten_before(90, NOW) == NOW - timedelta(days=90)


def test_templates_ask_the_kind_of_news():
    assert [kind for kind in NewsKind if kind.is_update] == [NewsKind.UPDATE]
    assert [kind for kind in NewsKind if kind.is_threshold] == [NewsKind.THRESHOLD]
    assert [kind for kind in NewsKind if kind.is_last_call] == [NewsKind.LAST_48_HOURS]
    assert [kind for kind in NewsKind if kind.is_outcome] == [NewsKind.OUTCOME]
