"""The gallery's words for a campaign's state, as choices of its filter (the state's own label,
shared by every page, is `portal.labels.CAMPAIGN_STATE_LABELS`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.domain.campaign import CampaignState

# The states as choices of a filter ("show the campaigns that are…").
STATE_FILTER_LABELS = {
    CampaignState.UPCOMING: _l("In arrivo"),
    CampaignState.LIVE: _l("In corso, soglia non ancora raggiunta"),
    CampaignState.COFUNDED: _l("In corso, cofinanziati"),
    CampaignState.SUCCEEDED: _l("Conclusi con successo"),
    CampaignState.NOT_FUNDED: _l("Conclusi, non finanziati"),
}
