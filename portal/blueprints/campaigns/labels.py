"""Words for a campaign's state, shared by the gallery, the campaign page and the transparency pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.domain.campaign import CampaignState

STATE_LABELS = {
    CampaignState.UPCOMING: _l("In arrivo"),
    CampaignState.LIVE: _l("In corso"),
    CampaignState.COFUNDED: _l("Cofinanziata: soglia raggiunta"),
    CampaignState.SUCCEEDED: _l("Conclusa con successo"),
    CampaignState.NOT_FUNDED: _l("Non finanziata"),
}

# The same states as choices of a filter ("show the campaigns that are…").
STATE_FILTER_LABELS = {
    CampaignState.UPCOMING: _l("In arrivo"),
    CampaignState.LIVE: _l("In corso, soglia non ancora raggiunta"),
    CampaignState.COFUNDED: _l("In corso, cofinanziati"),
    CampaignState.SUCCEEDED: _l("Conclusi con successo"),
    CampaignState.NOT_FUNDED: _l("Conclusi, non finanziati"),
}
