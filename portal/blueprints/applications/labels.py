"""Words for the application's codes, for every template (applicant pages, e-mails, back-office)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.blueprints.applications import bp
from portal.blueprints.applications.forms import CATEGORY_LABELS, THEME_LABELS
from portal.clock import ROME
from portal.domain.application import ApplicationStatus, SectionState
from portal.domain.timeline import last_day
from portal.i18n import day
from portal.services.applications.applications import funding_split

STATUS_LABELS = {
    ApplicationStatus.DRAFT: _l("Bozza"),
    ApplicationStatus.SUBMITTED: _l("Inviata"),
    ApplicationStatus.IN_EVALUATION: _l("In valutazione"),
    ApplicationStatus.SELECTED: _l("Selezionata"),
    ApplicationStatus.NOT_SELECTED: _l("Non selezionata"),
    ApplicationStatus.WITHDRAWN: _l("Ritirata"),
}
SECTION_STATE_LABELS = {
    SectionState.NOT_STARTED: _l("Da iniziare"),
    SectionState.IN_PROGRESS: _l("In corso"),
    SectionState.COMPLETE: _l("Completata"),
}


def last_day_of(closes_at: datetime) -> str:
    return day(last_day(closes_at, ROME))


@bp.app_context_processor
def application_labels() -> dict:
    return {
        "status_label": STATUS_LABELS.get,
        "section_state_label": SECTION_STATE_LABELS.get,
        "theme_label": lambda code: THEME_LABELS.get(code, code),
        "category_label": lambda code: CATEGORY_LABELS.get(code, code),
        "funding_split": funding_split,
    }


@bp.app_template_filter("last_day")
def last_day_filter(closes_at: datetime) -> str:
    return last_day_of(closes_at)
