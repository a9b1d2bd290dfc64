"""Words the transparency pages show for codes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.domain.campaign import CampaignState

STATE_LABELS = {
    CampaignState.UPCOMING: _l("In arrivo"),
    CampaignState.LIVE: _l("In corso"),
    CampaignState.COFUNDED: _l("Cofinanziata: soglia raggiunta"),
    CampaignState.SUCCEEDED: _l("Conclusa con successo"),
    CampaignState.NOT_FUNDED: _l("Non finanziata"),
}


def municipio_label(number: int | None) -> str:
    return _("Municipio %(num)s", num=number) if number is not None else _("Municipio non indicato")
