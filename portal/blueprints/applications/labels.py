"""Words only the applicant's pages use: the state of each section of the form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.blueprints.applications import bp
from portal.domain.application import SectionState

SECTION_STATE_LABELS = {
    SectionState.NOT_STARTED: _l("Da iniziare"),
    SectionState.IN_PROGRESS: _l("In corso"),
    SectionState.COMPLETE: _l("Completata"),
}


@bp.context_processor
def section_labels() -> dict:
    return {"section_state_label": SECTION_STATE_LABELS.get}
