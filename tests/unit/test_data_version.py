"""The data version (portal/services/data_version.py): a commit that wrote something bumps it, in
the same transaction; one that wrote nothing, a savepoint, or a rollback does not; the version's
key also changes when a time boundary passes, which the rules' homes give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from portal.domain import registration
from portal.domain.phase import next_midnight
from portal.extensions import db
from portal.models import Campaign, Edition
from portal.models.data_version import DataVersion
from portal.services import data_version
from portal.services.transaction import unit_of_work
from tests.campaigns import make_campaign

ROME = ZoneInfo("Europe/Rome")


def number(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(DataVersion.number)) or 0


def test_a_commit_that_writes_bumps_the_version_and_one_that_does_not_leaves_it(app, data):
    start = number(app)
    with app.app_context(), unit_of_work():
        db.session.execute(sa.select(Edition)).all()
    assert number(app) == start
    make_campaign(app)
    assert number(app) == start + 1
    with app.app_context(), unit_of_work():
        db.session.execute(sa.update(Edition).values(campaign_days=45))  # a bulk UPDATE
    assert number(app) == start + 2


def test_a_rolled_back_change_or_a_released_savepoint_alone_does_not_bump_twice(app, data):
    start = number(app)
    with app.app_context():
        edition = db.session.scalars(sa.select(Edition)).first()
        edition.campaign_days = 30
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert number(app) == start
    with app.app_context(), unit_of_work():
        with db.session.begin_nested():
            db.session.scalars(sa.select(Edition)).first().campaign_days = 31
        db.session.scalars(sa.select(Edition)).first().campaign_days = 32
    assert number(app) == start + 1  # the savepoint and the commit: one change, one bump


def test_an_emptied_table_starts_again_from_a_number_it_never_had(app, data):
    with app.app_context():
        db.session.execute(sa.delete(DataVersion))
        db.session.commit()  # the deletion is itself a change: the row comes back
        assert db.session.scalar(sa.select(DataVersion.number)) > 1


def test_the_key_changes_with_the_number_the_boundary_and_the_fixed_clock():
    moment = datetime(2020, 6, 1, 8, 0, tzinfo=UTC)
    boundary = moment + timedelta(hours=2)
    base = data_version.Version(7, boundary, None).key
    assert data_version.Version(8, boundary, None).key != base
    assert data_version.Version(7, boundary + timedelta(seconds=1), None).key != base
    assert data_version.Version(7, boundary, moment).key != base
    assert data_version.Version(7, boundary, moment).key != data_version.Version(7, boundary, moment + timedelta(1)).key


def test_the_next_boundary_is_the_nearest_instant_a_page_changes_by_the_clock(app, data):
    campaign = make_campaign(app, starts_at=datetime(2020, 6, 1, 15, 0, tzinfo=ROME))
    with app.test_request_context():
        row = db.session.get(Campaign, campaign)
        published, starts = row.published_at, row.starts_at
        assert data_version.next_boundary(starts - timedelta(minutes=5)) == starts
        after_start = data_version.next_boundary(starts)
        assert after_start > starts
        assert after_start <= next_midnight(starts, ROME)
        assert published < starts


def test_midnight_in_rome_and_the_event_offsets_come_from_the_rules_homes():
    # 00:30 on 29 March 2020 in Rome, the day summer time starts: that day lasts 23 hours
    assert next_midnight(datetime(2020, 3, 28, 23, 30, tzinfo=UTC), ROME) == datetime(2020, 3, 29, 22, 0, tzinfo=UTC)
    assert next_midnight(datetime(2020, 6, 1, 21, 59, tzinfo=UTC), ROME) == datetime(2020, 6, 1, 22, 0, tzinfo=UTC)
    offsets = registration.changes_before_start()
    assert timedelta(0) in offsets
    assert registration.REGISTRATION_CLOSES_BEFORE in offsets
    assert registration.CANCELLATION_CLOSES_BEFORE in offsets
