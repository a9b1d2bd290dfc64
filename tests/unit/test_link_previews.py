"""What a link preview shows and when its address changes (portal.link_previews): the digest follows
what is drawn — title, cover, progress in whole percent, language — and nothing finer; text wraps
into its lines; white text always sits on a band dark enough to read."""

from __future__ import annotations

from io import BytesIO
from types import SimpleNamespace

import pytest
from PIL import Image

from portal.domain.campaign import CampaignState
from portal.domain.funding import money_picture
from portal.link_previews import HEIGHT, MARGIN, WIDTH, Card, campaign_card, draw, layout, wrap

TARGET = 1_000_000  # 10.000 €


def campaign(**changes):
    values = {"title": "Orto Giambellino", "organisation_name": "La Cordata", "image_file": None, "image_width": None}
    return SimpleNamespace(**{**values, **changes})


def money(raised_cents: int):
    return money_picture(
        raised_cents=raised_cents,
        target_cents=TARGET,
        goal_cents=2_500_000,
        reserved_cents=1_500_000,
        committed_cents=None,
        state=CampaignState.LIVE,
    )


@pytest.fixture
def digest(app):
    def digest_of(lang: str = "it", raised_cents: int = 745_000, **changes) -> str:
        with app.test_request_context(f"/{lang}/"):
            return campaign_card(campaign(**changes), money(raised_cents)).digest

    return digest_of


def test_the_digest_follows_what_the_image_shows(digest):
    first = digest()
    assert digest() == first  # the page and the image route compute the same address
    assert digest(title="Orto Giambellino 2") != first
    assert digest(organisation_name="Altra associazione") != first
    assert digest(image_file="ab" * 16, image_width=1600) != first  # a cover chosen
    assert digest(image_file="img/campaigns/orto.jpg", image_width=1600) == first  # a path is no photo's key
    assert digest(image_file="cd" * 16, image_width=1600) != digest(image_file="ab" * 16, image_width=1600)
    assert digest(raised_cents=755_000) != first  # 74% → 75%
    assert digest(lang="en") != first


def test_a_pledge_within_the_same_percent_keeps_the_image(digest):
    assert digest(raised_cents=745_000) == digest(raised_cents=745_001) == digest(raised_cents=749_999)


def test_the_card_says_the_percent_and_the_threshold_in_the_page_language(app):
    with app.test_request_context("/it/"):
        card = campaign_card(campaign(), money(745_000))
    assert (card.bar_percent, card.bar_text) == (74, "74% della soglia dei cittadini di 10.000\xa0€")
    assert card.alt == (
        "Orto Giambellino. La Cordata. 74% della soglia dei cittadini di 10.000\xa0€. "
        "Crowdfunding Civico · Comune di Milano"
    )
    with app.test_request_context("/en/"):
        card = campaign_card(campaign(), money(1_250_000))
    assert (card.bar_percent, card.bar_text) == (100, "125% of the citizens' threshold of €10,000")


def test_text_wraps_between_words_into_at_most_the_lines_given():
    assert wrap("uno due tre quattro", len, 9, 3) == ["uno due", "tre", "quattro"]
    assert wrap("uno due", len, 20, 3) == ["uno due"]
    assert wrap("", len, 20, 3) == []


def test_text_past_the_last_line_ends_with_an_ellipsis_after_a_whole_word():
    assert wrap("uno due tre quattro cinque sei", len, 9, 2) == ["uno due", "tre…"]
    assert wrap("uno, due tre", len, 5, 1) == ["uno…"]  # no comma before the ellipsis


def test_a_word_wider_than_a_line_is_cut():
    assert wrap("abcdefghij xy", len, 4, 5) == ["abcd", "efgh", "ij", "xy"]
    assert wrap("abcdefghijkl", len, 4, 2) == ["abcd", "efg…"]


def card_of(title: str, **changes) -> Card:
    values = {
        "kind": "campaign",
        "lang": "it",
        "heading": title,
        "lines": ("La Cordata",),
        "bar_percent": 74,
        "bar_text": "74% della soglia dei cittadini di 10.000 €",
        "footer": "Crowdfunding Civico · Comune di Milano",
    }
    return Card(**{**values, **changes})


def luminance(rgb) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("title", ["Orto", "Un titolo molto lungo " * 8])
def test_white_text_sits_on_a_band_of_at_least_4_5_to_1_even_over_a_white_photo(tmp_path, title):
    white = tmp_path / "white.jpg"
    Image.new("RGB", (1600, 1000), (255, 255, 255)).save(white)
    card = card_of(title)
    _blocks, top = layout(card)
    image = Image.open(BytesIO(draw(card, white))).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    darkest_contrast = min((1.05) / (luminance(image.getpixel((MARGIN // 2, y))) + 0.05) for y in range(top, HEIGHT))
    assert darkest_contrast >= 4.5
    # Above the band (which rises 156 px over the text) the photo shows as it is, in 256 colours.
    assert all(min(image.getpixel((MARGIN // 2, y))) >= 240 for y in range(top - 156))
