"""The art. 83 rule as data: which fiscal status qualifies a donation, at its date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.domain.tax_relief import (
    ART_83_FROM,
    CREDIT_CAP_CENTS,
    RUNTS_OPENED,
    TRANSITION_ENDS,
    FiscalStatus,
    receipt_due,
    relief_at,
)

EVE = RUNTS_OPENED - timedelta(days=1)  # 22 November 2021
LONG_AGO = date(2010, 1, 1)


def test_the_runts_opened_on_23_november_2021():
    assert date(2021, 11, 23) == RUNTS_OPENED
    assert date(2018, 1, 1) == ART_83_FROM
    assert ART_83_FROM < RUNTS_OPENED < TRANSITION_ENDS


@pytest.mark.parametrize(
    ("status", "eve", "opening_day", "credit"),
    [
        (FiscalStatus.ETS_RUNTS, False, True, 30),  # the RUNTS did not exist the day before
        (FiscalStatus.ONLUS, True, True, 30),  # in its Anagrafe, during the transition
        (FiscalStatus.ODV, True, True, 35),
        (FiscalStatus.APS, True, True, 30),
        (FiscalStatus.OTHER, False, False, None),
    ],
)
def test_each_status_around_the_runts_opening(status, eve, opening_day, credit):
    before, on = relief_at(status, LONG_AGO, EVE), relief_at(status, LONG_AGO, RUNTS_OPENED)
    assert (before is not None, on is not None) == (eve, opening_day)
    for relief in (before, on):
        if relief is not None:
            assert (relief.status, relief.credit_percent) == (status, credit)
            assert relief.credit_cap_cents == CREDIT_CAP_CENTS == 3_000_000
            assert relief.deduction_percent == 10


def test_an_ets_qualifies_from_its_enrolment_not_before():
    enrolled = date(2022, 3, 10)
    assert relief_at(FiscalStatus.ETS_RUNTS, enrolled, enrolled - timedelta(days=1)) is None
    assert relief_at(FiscalStatus.ETS_RUNTS, enrolled, enrolled) is not None
    assert relief_at(FiscalStatus.ETS_RUNTS, enrolled, date(2030, 1, 1)) is not None  # no end


def test_an_ets_enrolled_on_the_opening_day_qualifies_from_that_day():
    assert relief_at(FiscalStatus.ETS_RUNTS, RUNTS_OPENED, EVE) is None
    assert relief_at(FiscalStatus.ETS_RUNTS, RUNTS_OPENED, RUNTS_OPENED) is not None


def test_an_onlus_qualifies_until_the_transition_ends():
    assert relief_at(FiscalStatus.ONLUS, LONG_AGO, date(2020, 11, 15)) is not None  # the 2020 demo
    assert relief_at(FiscalStatus.ONLUS, LONG_AGO, TRANSITION_ENDS) is not None
    assert relief_at(FiscalStatus.ONLUS, LONG_AGO, TRANSITION_ENDS + timedelta(days=1)) is None


def test_odv_and_aps_keep_qualifying_as_sections_of_the_runts():
    for status in (FiscalStatus.ODV, FiscalStatus.APS):
        assert relief_at(status, LONG_AGO, TRANSITION_ENDS + timedelta(days=1)) is not None


def test_nothing_qualifies_before_art_83_applied():
    for status in (FiscalStatus.ONLUS, FiscalStatus.ODV, FiscalStatus.APS):
        assert relief_at(status, LONG_AGO, ART_83_FROM - timedelta(days=1)) is None
        assert relief_at(status, LONG_AGO, ART_83_FROM) is not None


def test_a_status_held_only_after_the_donation_or_without_its_date_gives_nothing():
    assert relief_at(FiscalStatus.ONLUS, date(2020, 6, 1), date(2020, 5, 31)) is None
    assert relief_at(FiscalStatus.ONLUS, None, date(2020, 6, 1)) is None
    assert relief_at(None, LONG_AGO, date(2020, 6, 1)) is None


def test_only_other_needs_no_date():
    assert [s for s in FiscalStatus if not s.needs_date] == [FiscalStatus.OTHER]


def test_a_receipt_only_for_a_confirmed_pledge_of_a_succeeded_campaign():
    assert receipt_due(True, True)
    assert not receipt_due(True, False)
    assert not receipt_due(False, True)
