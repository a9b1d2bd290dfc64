"""Words for a campaign's state, shared by the gallery and the campaign page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.domain.campaign import CampaignState

STATE_LABELS = {
    CampaignState.UPCOMING: _l("In arrivo"),
    CampaignState.LIVE: _l("In corso"),
    CampaignState.COFUNDED: _l("Cofinanziato: obiettivo raggiunto"),
    CampaignState.SUCCEEDED: _l("Concluso con successo"),
    CampaignState.NOT_FUNDED: _l("Non finanziato"),
}

# The same states as choices of a filter ("show the campaigns that are…").
STATE_FILTER_LABELS = {
    CampaignState.UPCOMING: _l("In arrivo"),
    CampaignState.LIVE: _l("In corso, obiettivo non ancora raggiunto"),
    CampaignState.COFUNDED: _l("In corso, cofinanziati"),
    CampaignState.SUCCEEDED: _l("Conclusi con successo"),
    CampaignState.NOT_FUNDED: _l("Conclusi, non finanziati"),
}
