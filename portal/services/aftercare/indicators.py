"""A project's impact indicators: chosen with a target by the organisation while its application is
selected (before or after the campaign), the value reported once the campaign has succeeded; summed
per edition over its funded projects. The codes are `portal.domain.aftercare.INDICATORS`, their
names `portal.labels.indicator_label`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa

from portal.domain import DomainError
from portal.domain.aftercare import INDICATORS
from portal.domain.campaign import CampaignState
from portal.extensions import db
from portal.models import Application, Campaign, Edition, ImpactIndicator, User
from portal.services import audit
from portal.services.transaction import transactional

MAXIMUM = 1_000_000  # a target or a value: far above any neighbourhood project's, below a typo's


class IndicatorError(StrEnum):
    NOT_SELECTED = "indicator_not_selected"  # the application is not (or no longer) selected
    UNKNOWN = "indicator_unknown"  # not one of INDICATORS
    TARGET = "indicator_target"  # not a whole number from 1 to MAXIMUM
    VALUE = "indicator_value"  # not a whole number from 0 to MAXIMUM
    NOT_FUNDED = "indicator_not_funded"  # a value reported before the campaign has succeeded
    NOT_CHOSEN = "indicator_not_chosen"  # no such indicator on this application
    REPORTED = "indicator_reported"  # a value is reported: the target stays, the indicator too


@dataclass(frozen=True)
class IndicatorView:
    code: str
    target: int
    reported: int | None


@dataclass(frozen=True)
class EditionTotal:
    """One indicator over an edition's funded projects."""

    code: str
    projects: int  # the funded projects that chose it
    target: int
    reported: int  # the values reported so far
    reporting: int  # the projects that reported it


def indicators_of(application_id: int) -> list[IndicatorView]:
    """The application's indicators, in the order of INDICATORS."""
    rows = db.session.scalars(sa.select(ImpactIndicator).filter_by(application_id=application_id))
    found = {row.code: IndicatorView(row.code, row.target, row.reported) for row in rows}
    return [found[code] for code in INDICATORS if code in found]


def _selected(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or not application.is_selected:
        raise DomainError(IndicatorError.NOT_SELECTED)
    return application


def _code(code: str) -> str:
    if code not in INDICATORS:
        raise DomainError(IndicatorError.UNKNOWN)
    return code


def _number(value: int | None, minimum: int, code: IndicatorError) -> int:
    if value is None or isinstance(value, bool) or not minimum <= value <= MAXIMUM:
        raise DomainError(code, min=minimum, max=MAXIMUM)
    return value


def _chosen(application_id: int, code: str) -> ImpactIndicator:
    indicator = db.session.scalars(
        sa.select(ImpactIndicator).filter_by(application_id=application_id, code=_code(code))
    ).one_or_none()
    if indicator is None:
        raise DomainError(IndicatorError.NOT_CHOSEN)
    return indicator


def _record(actor: User, action: str, application: Application, code: str, now: datetime, changes) -> None:
    audit.record(
        actor,
        action,
        "application",
        application.id,
        now,
        label=f"{application.title or application.id} – {code}",
        changes=changes,
    )


@transactional
def set_indicator(application_id: int, code: str, target: int | None, actor: User, now: datetime) -> ImpactIndicator:
    """Choose an indicator with its target, or change the target, until a value is reported."""
    application = _selected(application_id)
    target = _number(target, 1, IndicatorError.TARGET)
    indicator = db.session.scalars(
        sa.select(ImpactIndicator).filter_by(application_id=application.id, code=_code(code))
    ).one_or_none()
    if indicator is None:
        indicator = ImpactIndicator(application_id=application.id, code=code, target=target)
        db.session.add(indicator)
        _record(actor, "indicator.set", application, code, now, {"target": [None, target]})
        return indicator
    if indicator.reported is not None:
        raise DomainError(IndicatorError.REPORTED)
    if indicator.target != target:
        _record(actor, "indicator.set", application, code, now, {"target": [indicator.target, target]})
        indicator.target = target
    return indicator


@transactional
def report_indicator(application_id: int, code: str, value: int | None, actor: User, now: datetime) -> ImpactIndicator:
    """The value reached, once the campaign has succeeded; reported again, it replaces the last."""
    application = _selected(application_id)
    campaign = application.campaign
    if campaign is None or not campaign.state(now).has_succeeded:
        raise DomainError(IndicatorError.NOT_FUNDED)
    value = _number(value, 0, IndicatorError.VALUE)
    indicator = _chosen(application.id, code)
    if indicator.reported != value:
        _record(actor, "indicator.report", application, code, now, {"reported": [indicator.reported, value]})
        indicator.reported, indicator.reported_at = value, now
    return indicator


@transactional
def remove_indicator(application_id: int, code: str, actor: User, now: datetime) -> None:
    """Only before a value is reported."""
    application = _selected(application_id)
    indicator = _chosen(application.id, code)
    if indicator.reported is not None:
        raise DomainError(IndicatorError.REPORTED)
    _record(actor, "indicator.remove", application, code, now, {"target": [indicator.target, None]})
    db.session.delete(indicator)


def edition_totals(edition: Edition, now: datetime) -> list[EditionTotal]:
    """Each indicator summed over the edition's funded projects (campaigns public and succeeded at
    `now`), in the order of INDICATORS: one query."""
    rows = db.session.execute(
        sa.select(
            ImpactIndicator.code,
            sa.func.count(),
            sa.func.sum(ImpactIndicator.target),
            sa.func.coalesce(sa.func.sum(ImpactIndicator.reported), 0),
            sa.func.count(ImpactIndicator.reported),
        )
        .join(Campaign, Campaign.application_id == ImpactIndicator.application_id)
        .where(
            Campaign.edition_id == edition.id,
            Campaign.is_public(now),
            Campaign.in_state(CampaignState.SUCCEEDED, now),
        )
        .group_by(ImpactIndicator.code)
    ).all()
    found = {code: EditionTotal(code, int(n), int(t), int(r), int(k)) for code, n, t, r, k in rows}
    return [found[code] for code in INDICATORS if code in found]
