"""Link previews: what a link to a public page shows once shared (Open Graph and Twitter cards), and
the 1200×630 PNG drawn for it by the server.

A page builds a `Card` — every word and figure the image shows, in the page's language — from what
it has already read; the image's address carries the card's `digest`, so it changes exactly when
the image would (progress in whole percent: a pledge of 1 € does not change it). The image route
builds the same card, draws it once on a miss (Pillow, loaded on first use) and keeps the PNG in
MEDIA_DIR/previews/<digest>.png; later requests send that file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.domain.campaign import CampaignState
from portal.domain.funding import MoneyPicture
from portal.domain.gallery import Filters
from portal.domain.photos import variant_name, variant_widths
from portal.domain.timeline import CallState
from portal.i18n import budget_text, current_lang, day, money
from portal.models import Campaign, Edition
from portal.services.campaigns import gallery as galleries
from portal.services.campaigns.photos import photo_folder
from portal.urls import absolute_url

WIDTH, HEIGHT = 1200, 630
DESIGN = "1"  # changes with the drawing below: every preview then gets a new address
FOLDER = "previews"
LOCALES = {"it": "it_IT", "en": "en_GB"}
FOOTER = _l("Crowdfunding Civico · Comune di Milano")
PHOTO_KEY = re.compile(r"[0-9a-f]{16,64}")  # `portal.models.media.new_photo_key`: never a path
OPEN_STATES = frozenset(state for state in CampaignState if state.is_open)

# What the drawing looks like. Text is white; under it the band is at least BAND_ALPHA of BAND_RGB
# over whatever the photo is: on a white photo that is 7:1, on the brand blue more.
BRAND_RGB = (0, 102, 204)  # #06c, the portal's primary
BAND_RGB = (0, 20, 45)
BAND_ALPHA = 0.7
MARGIN = 64
FONTS = Path(__file__).parent / "static" / "vendor" / "titillium-web"


@dataclass(frozen=True)
class Cover:
    key: str  # the cover photo's key (`Campaign.image_file`)
    width: int  # its largest variant (`Campaign.image_width`)


@dataclass(frozen=True)
class Card:
    """What a preview image shows, in its language: the image is a function of this alone."""

    kind: str  # campaign, gallery, call, home
    lang: str
    heading: str  # wrapped, at most 3 lines
    lines: tuple[str, ...] = ()  # below it: the organisation; the open campaigns; budget and deadline
    bar_percent: int | None = None  # a progress bar toward the citizens' threshold, 0-100
    bar_text: str | None = None
    cover: Cover | None = None  # without one, the brand's blue
    footer: str = ""

    @property
    def digest(self) -> str:
        """Twelve hex digits of everything drawn (and of the drawing's design)."""
        text = json.dumps([DESIGN, *astuple(self)], ensure_ascii=False)
        return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()

    @property
    def alt(self) -> str:
        """The image's words, for people who do not see it."""
        parts = (self.heading, *self.lines, self.bar_text, self.footer)
        return ". ".join(part.rstrip(".") for part in parts if part)


@dataclass(frozen=True)
class LinkPreview:
    """What the meta tags of a page say (templates/_link_preview.html)."""

    title: str
    description: str
    url: str  # the page's address, absolute
    image_url: str  # the PNG's, absolute, with the card's digest
    image_alt: str
    lang: str
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def locale(self) -> str:
        return LOCALES.get(self.lang, self.lang)

    @property
    def alternate_locales(self) -> list[str]:
        return [locale for lang, locale in LOCALES.items() if lang != self.lang]


# --- the cards of the four pages ----------------------------------------------------------------


def campaign_card(campaign: Campaign, money_picture: MoneyPicture) -> Card:
    """A campaign: its cover, title, organisation and the way toward the citizens' threshold
    (`portal.domain.funding.money_of`), in whole percent."""
    cover = None
    if campaign.image_file and campaign.image_width and PHOTO_KEY.fullmatch(campaign.image_file):
        cover = Cover(campaign.image_file, campaign.image_width)
    return Card(
        kind="campaign",
        lang=current_lang(),
        heading=campaign.title,
        lines=(campaign.organisation_name,) if campaign.organisation_name else (),
        bar_percent=money_picture.bar_percent,
        bar_text=_(
            "%(pct)s%% della soglia dei cittadini di %(target)s",
            pct=money_picture.threshold_percent,
            target=money(money_picture.target_cents),
        ),
        cover=cover,
        footer=str(FOOTER),
    )


def open_campaigns(moment: datetime) -> int:
    """The public campaigns taking pledges now: the gallery's own counts (read once per data version)."""
    return galleries.counts(Filters(), moment).matching(None, None, states=OPEN_STATES)


def gallery_card(open_now: int) -> Card:
    if open_now:
        line = ngettext("%(num)d campagna aperta ora", "%(num)d campagne aperte ora", open_now)
    else:
        line = _("Nessuna campagna aperta ora")
    return Card(
        kind="gallery", lang=current_lang(), heading=_("I progetti dei quartieri"), lines=(line,), footer=str(FOOTER)
    )


def call_card(edition: Edition, call: CallState | None) -> Card:
    """A call: its year, the Comune's budget (`budget_text`) and the last day to apply."""
    lines = []
    budget = budget_text(edition)
    if budget:
        lines.append(_("Budget del Comune per il cofinanziamento: %(budget)s", budget=budget))
    if call:
        lines.append(_("Scadenza per le domande: %(day)s", day=day(call.last_day)))
    return Card(
        kind="call",
        lang=current_lang(),
        heading=_("Crowdfunding Civico %(year)s", year=edition.year),
        lines=tuple(lines),
        footer=str(FOOTER),
    )


# The site's description (base.html's default): the programme in one sentence.
TAGLINE = _l(
    "Il programma del Comune di Milano che sostiene con il crowdfunding e un cofinanziamento pubblico "
    "i progetti delle organizzazioni non profit nei quartieri."
)


def home_card() -> Card:
    return Card(
        kind="home",
        lang=current_lang(),
        heading=_("Crowdfunding Civico"),
        lines=(str(TAGLINE),),
        footer=_("Comune di Milano"),
    )


# --- what each page's tags say --------------------------------------------------------------------


def _preview(card: Card, endpoint: str, *, title: str, description: str, url: str, **values) -> LinkPreview:
    image_url = absolute_url(endpoint, lang=card.lang, v=card.digest, **values)
    return LinkPreview(title, description, url, image_url, card.alt, card.lang)


def campaign_preview(campaign: Campaign, money_picture: MoneyPicture, page_url: str) -> LinkPreview:
    card = campaign_card(campaign, money_picture)
    return _preview(
        card,
        "pages.preview_campaign",
        slug=campaign.slug,
        title=campaign.title,
        description=campaign.summary or "",
        url=page_url,
    )


def gallery_preview(moment: datetime) -> LinkPreview:
    card = gallery_card(open_campaigns(moment))
    description = _(
        "Le campagne di crowdfunding civico delle organizzazioni non profit di Milano. Quando i cittadini "
        "raggiungono l'obiettivo della campagna, il Comune aggiunge il suo contributo."
    )
    url = absolute_url("campaigns.gallery", lang=card.lang)
    return _preview(card, "pages.preview_gallery", title=card.heading, description=description, url=url)


def call_preview(edition: Edition, call: CallState | None) -> LinkPreview:
    card = call_card(edition, call)
    url = absolute_url("call.edition", lang=card.lang, year=edition.year)
    title = _("Crowdfunding Civico: il bando %(year)s", year=edition.year)
    description = edition.focus(card.lang) or str(TAGLINE)
    return _preview(card, "pages.preview_call", year=edition.year, title=title, description=description, url=url)


def home_preview() -> LinkPreview:
    card = home_card()
    url = absolute_url("pages.home", lang=card.lang)
    return _preview(card, "pages.preview_home", title=_("Crowdfunding Civico"), description=str(TAGLINE), url=url)


# --- the image, drawn once per digest -------------------------------------------------------------


def stored_image(card: Card) -> Path | bytes:
    """The card's PNG: the stored file, or drawn now and stored (under a temporary name, then
    renamed, so nobody reads half a file). A cover whose file is missing is drawn without it, and
    that image is sent but not kept (the next request tries the cover again)."""
    folder = Path(current_app.config["MEDIA_DIR"]) / FOLDER
    path = folder / f"{card.digest}.png"
    if path.is_file():
        return path
    cover = cover_path(card.cover) if card.cover else None
    if cover is not None and not cover.is_file():
        current_app.logger.warning("preview %s: cover %s missing, drawn without it", card.digest, card.cover.key)
        return draw(card, None)
    data = draw(card, cover)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{card.digest}.{secrets.token_hex(8)}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path


def cover_path(cover: Cover) -> Path:
    """The cover's largest stored variant, as JPEG (`portal.domain.photos`)."""
    return photo_folder() / variant_name(cover.key, variant_widths(cover.width)[-1], "jpg")


def wrap(text: str, width_of: Callable[[str], float], max_width: float, max_lines: int) -> list[str]:
    """`text` in lines no wider than `max_width` (by `width_of`), broken between words (inside a
    word only when it is wider than a line); past `max_lines`, the last line ends with "…"."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if width_of(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while width_of(word) > max_width and len(word) > 1:
            cut = max(1, max((n for n in range(1, len(word)) if width_of(word[:n]) <= max_width), default=1))
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]

    def fits(line: str) -> bool:
        return width_of(line.rstrip(" ,.;:–-") + "…") <= max_width

    while not fits(last) and " " in last:  # whole words first
        last = last.rsplit(" ", 1)[0]
    while not fits(last) and len(last) > 1:
        last = last[:-1]
    return [*lines[: max_lines - 1], last.rstrip(" ,.;:–-") + "…"]


def _font(weight: int, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONTS / f"titillium-web-latin-{weight}-normal.woff2"), size)


Block = tuple[str, object, int, int]  # (kind: text, bar or space; what it shows; height; gap after)


def layout(card: Card) -> tuple[list[Block], int]:
    """The card's blocks from the top, and where the first one starts: stacked on the bottom margin."""
    inner = WIDTH - 2 * MARGIN
    heading_font, line_font, bar_font, footer_font = _font(700, 64), _font(600, 34), _font(400, 30), _font(600, 26)
    blocks: list[Block] = [
        ("text", (line, heading_font), 72, 0) for line in wrap(card.heading, heading_font.getlength, inner, 3)
    ]
    blocks.append(("space", None, 0, 14))
    for text in card.lines:
        blocks += [("text", (line, line_font), 44, 0) for line in wrap(text, line_font.getlength, inner, 3)]
    if card.bar_percent is not None:
        blocks.append(("space", None, 0, 22))
        blocks.append(("bar", card.bar_percent, 18, 12))
        if card.bar_text:
            blocks += [("text", (line, bar_font), 40, 0) for line in wrap(card.bar_text, bar_font.getlength, inner, 2)]
    blocks.append(("space", None, 0, 26))
    blocks.append(("text", (card.footer, footer_font), 34, 0))
    return blocks, HEIGHT - MARGIN - sum(height + gap for _, _, height, gap in blocks)


def draw(card: Card, cover: Path | None) -> bytes:
    """The card as a WIDTH×HEIGHT PNG: the cover cropped to fill (or the brand's blue), a dark band
    rising behind the text, the heading, the lines, the progress bar and its words, the footer."""
    from io import BytesIO

    from PIL import Image, ImageDraw, ImageOps

    if cover is not None:
        with Image.open(cover) as photo:
            base = ImageOps.fit(photo.convert("RGB"), (WIDTH, HEIGHT), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    else:
        base = Image.new("RGB", (WIDTH, HEIGHT), BRAND_RGB)
        ImageDraw.Draw(base).ellipse((780, -260, 1460, 420), fill=(26, 122, 214))  # a lighter disc, top right

    inner = WIDTH - 2 * MARGIN
    blocks, top = layout(card)

    # The band: from transparent to BAND_ALPHA over 140 px, reached 16 px above the first line.
    band = Image.new("L", (1, HEIGHT), 0)
    full = max(top - 16, 0)
    for y in range(HEIGHT):
        share = 1.0 if y >= full else max(0.0, 1 - (full - y) / 140)
        band.putpixel((0, y), round(255 * BAND_ALPHA * share))
    shade = Image.new("RGB", (WIDTH, HEIGHT), BAND_RGB)
    base = Image.composite(shade, base, band.resize((WIDTH, HEIGHT)))

    pen = ImageDraw.Draw(base, "RGBA")
    y = top
    for kind, payload, height, gap in blocks:
        if kind == "text":
            line, face = payload
            # On a baseline at four fifths of the line: descenders stay within it.
            pen.text((MARGIN, y + round(height * 0.8)), line, font=face, fill=(255, 255, 255), anchor="ls")
            y += height
        elif kind == "bar":
            pen.rounded_rectangle((MARGIN, y, MARGIN + inner, y + height), radius=9, fill=(255, 255, 255, 90))
            filled = round(inner * min(max(payload, 0), 100) / 100)
            if filled:
                pen.rounded_rectangle(
                    (MARGIN, y, MARGIN + max(filled, height), y + height), radius=9, fill=(255, 255, 255)
                )
            y += height
        y += gap

    output = BytesIO()
    if cover is not None:  # a photo in 256 colours, dithered: under a third of the size (about 200 KB)
        base = base.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.FLOYDSTEINBERG)
        base.save(output, "PNG")
    else:
        base.save(output, "PNG", optimize=True)
    return output.getvalue()
