"""What a campaign's page shows, worked out once from the campaign's own running totals: figures,
state, labels, share links, the video's preview and the page's metadata. Nothing here adds up pledges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote, urlencode, urljoin

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.clock import ROME
from portal.domain.campaign import CampaignState, days_left
from portal.domain.funding import MoneyPicture, money_of
from portal.domain.photos import parse_video_url
from portal.labels import CAMPAIGN_STATE_LABELS, THEME_LABELS
from portal.models import Campaign
from portal.services.places.neighbourhoods import Nil, nil_or_none

# Names a demo campaign may list in `demo_estimates`, and what they are on the page.
ESTIMATE_LABELS = {
    "goal_cents": _l("l'obiettivo"),
    "target_cents": _l("la soglia"),
    "reserved_cents": _l("il contributo del Comune"),
    "grant_cents": _l("il contributo del Comune"),
    "grant_committed_at": _l("il giorno in cui il contributo è stato sbloccato"),
    "confirmed_cents": _l("la somma raccolta"),
    "pending_cents": _l("i sostegni in attesa di pagamento"),
    "supporters": _l("il numero di sostenitori"),
    "pledges": _l("i sostegni e l'elenco dei sostenitori"),
    "rewards": _l("le ricompense"),
    "story": _l("la storia del progetto"),
    "summary": _l("la descrizione"),
    "starts_at": _l("le date della campagna"),
    "ends_at": _l("le date della campagna"),
    "image_file": _l("l'immagine"),
}


@dataclass(frozen=True)
class Figures:
    state: CampaignState
    money: MoneyPicture  # the one picture of its money (portal.domain.funding)
    days_left: int | None  # while the window is open
    last_day: date

    @property
    def is_open(self) -> bool:
        return self.state.is_open

    @property
    def is_over(self) -> bool:
        return self.state.is_over

    @property
    def state_label(self) -> str:
        return str(CAMPAIGN_STATE_LABELS[self.state])


def figures(campaign: Campaign, now: datetime) -> Figures:
    state = campaign.state(now)
    return Figures(
        state=state,
        money=money_of(campaign, state),
        days_left=days_left(campaign.ends_at, now, ROME) if state.is_open else None,
        last_day=campaign.last_day,
    )


def neighbourhood(campaign: Campaign) -> Nil | None:
    return nil_or_none(campaign.nil_id)


def theme_label(campaign: Campaign) -> str | None:
    label = THEME_LABELS.get(campaign.theme or "")
    return str(label) if label else None


def estimate_labels(campaign: Campaign) -> list[str]:
    """The made-up figures of a demo campaign, in words, once each."""
    labels: list[str] = []
    for name in campaign.demo_estimates or []:
        label = str(ESTIMATE_LABELS.get(name, _l("altri dati")))
        if label not in labels:
            labels.append(label)
    return labels


def site_url(path: str) -> str:
    """An absolute address on the public site (SITE_URL), for links that leave the page."""
    return urljoin(current_app.config["SITE_URL"].rstrip("/") + "/", path.lstrip("/"))


@dataclass(frozen=True)
class ShareLink:
    label: str
    href: str


def share_text(campaign: Campaign) -> str:
    """What a shared link says besides the address (the system share sheet gets it too)."""
    return _("Sostieni «%(title)s», un progetto del Crowdfunding Civico di Milano", title=campaign.title)


def share_links(campaign: Campaign, page_url: str) -> list[ShareLink]:
    """Plain links to each service's own share page: nothing of theirs is loaded here, and the
    address is the page's own, with no tracking parameter."""
    text = share_text(campaign)
    return [
        ShareLink("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{text} {page_url}"}, quote_via=quote)),
        ShareLink("Telegram", "https://t.me/share/url?" + urlencode({"url": page_url, "text": text}, quote_via=quote)),
        ShareLink("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": page_url})),
        ShareLink("X (Twitter)", "https://twitter.com/intent/tweet?" + urlencode({"url": page_url, "text": text})),
        ShareLink("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": page_url})),
        ShareLink(_("E-mail"), "mailto:?" + urlencode({"subject": text, "body": page_url}, quote_via=quote)),
    ]


# The players a video plays in, once the person asks for it (the CSP's frame-src allows these two).
YOUTUBE_PLAYER = "https://www.youtube-nocookie.com"
VIMEO_PLAYER = "https://player.vimeo.com"


@dataclass(frozen=True)
class VideoPreview:
    service: str  # "YouTube" or "Vimeo", as the link to their site says
    watch_url: str  # the video on their site (the link shown without JavaScript)
    embed_url: str  # their player, framed only after a click (static/js/video.js)


def video_of(campaign: Campaign) -> VideoPreview | None:
    """The campaign's video (`portal.domain.photos.parse_video_url`) as a click-to-load preview:
    YouTube's player without cookies, Vimeo's with "do not track"; None without a video."""
    video = parse_video_url(campaign.video_url)
    if video is None:
        return None
    if video.provider == "youtube":
        embed = f"{YOUTUBE_PLAYER}/embed/{video.video_id}?" + urlencode({"autoplay": 1, "rel": 0})
        return VideoPreview("YouTube", video.url, embed)
    number, _hash, unlisted = video.video_id.partition("/")
    query = {"autoplay": 1, "dnt": 1, **({"h": unlisted} if unlisted else {})}
    return VideoPreview("Vimeo", video.url, f"{VIMEO_PLAYER}/video/{number}?" + urlencode(query))


def _amount(cents: int) -> dict:
    return {"@type": "MonetaryAmount", "currency": "EUR", "value": f"{cents // 100}.{cents % 100:02d}"}


def structured_data(campaign: Campaign, page_url: str, image_url: str, nil: Nil | None, is_open: bool) -> dict:
    """schema.org JSON-LD: the project, who runs it, what it seeks, the Comune's grant and,
    while pledges are taken, the way to give."""
    comune = {"@type": "GovernmentOrganization", "name": "Comune di Milano", "url": "https://www.comune.milano.it"}
    place = ", ".join(
        part
        for part in (
            nil.label if nil else None,
            f"Municipio {campaign.municipio}" if campaign.municipio else None,
            "Milano",
        )
        if part
    )
    data = {
        "@context": "https://schema.org",
        "@type": "Project",
        "name": campaign.title,
        "description": campaign.summary,
        "url": page_url,
        "image": image_url,
        "location": {"@type": "Place", "name": place},
        "funder": [comune],
        "seeks": {
            "@type": "Demand",
            "description": _("Sostegni dei cittadini per raggiungere l'obiettivo"),
            "priceSpecification": {
                "@type": "PriceSpecification",
                "price": _amount(campaign.goal_cents)["value"],
                "priceCurrency": "EUR",
            },
        },
    }
    organisation = {"@type": "Organization", "name": campaign.organisation_name}
    if campaign.organisation_name:  # an organisation the sources do not name is left out
        data["parentOrganization"] = organisation
    if is_open:
        data["potentialAction"] = {
            "@type": "DonateAction",
            "target": site_url(url_for("campaigns.pledge", slug=campaign.slug)),
            **({"recipient": organisation} if campaign.organisation_name else {}),
        }
    grant = campaign.grant_cents if campaign.grant_committed else campaign.reserved_cents
    if grant:
        data["funding"] = {"@type": "MonetaryGrant", "funder": comune, "amount": _amount(grant)}
    return data
