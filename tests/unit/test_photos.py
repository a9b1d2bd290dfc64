"""The rules of campaign photos: which variants exist, what an upload may be, until when the
organisation changes them, and which video links are shown."""

from __future__ import annotations

import pytest

from portal.domain import DomainError
from portal.domain.photos import (
    ALT_MAX,
    CAPTION_MAX,
    PhotoError,
    check_pixels,
    describe,
    parse_video_url,
    photos_editable,
    stored_size,
    variant_name,
    variant_size,
    variant_widths,
)


@pytest.mark.parametrize(
    ("width", "widths"),
    [(480, (480,)), (700, (480, 700)), (960, (480, 960)), (1200, (480, 960, 1200)), (1600, (480, 960, 1600))],
)
def test_variants_are_the_standard_widths_below_the_photo_and_the_photo_itself(width, widths):
    assert variant_widths(width) == widths


def test_variant_names_and_sizes():
    assert variant_name("ab" * 16, 960, "webp") == "abababababababababababababababab-960.webp"
    with pytest.raises(ValueError):
        variant_name("ab" * 16, 960, "png")
    assert stored_size(7744, 5164) == (1600, 1067)  # a 40 MP phone photo, kept at the widest variant
    assert stored_size(1200, 800) == (1200, 800)
    assert variant_size(1600, 1067, 480) == (480, 320)


@pytest.mark.parametrize(
    ("size", "code", "params"),
    [
        ((9487, 6325), PhotoError.TOO_MANY_PIXELS, {"width": 9487, "height": 6325, "limit_mp": 50}),
        ((479, 400), PhotoError.TOO_SMALL, {"width": 479, "min_width": 480}),
        ((2500, 600), PhotoError.ODD_SHAPE, {"width": 2500, "height": 600, "ratio": 4}),
        ((600, 2500), PhotoError.ODD_SHAPE, {"width": 600, "height": 2500, "ratio": 4}),
    ],
)
def test_sizes_refused_say_which(size, code, params):
    with pytest.raises(DomainError) as refused:
        check_pixels(*size)
    assert refused.value.code is code and refused.value.params == params


@pytest.mark.parametrize("size", [(7744, 5164), (480, 1920), (2000, 500), (480, 360)])
def test_sizes_kept(size):
    check_pixels(*size)  # a 40 MP photo, a tall one, a panorama, the smallest


def test_the_description_is_trimmed_and_the_alt_text_required():
    assert describe("  Volontari   al lavoro ", " ") == ("Volontari al lavoro", None)
    for alt, caption, code in [
        ("", None, PhotoError.ALT_MISSING),
        ("x" * (ALT_MAX + 1), None, PhotoError.ALT_TOO_LONG),
        ("ok", "x" * (CAPTION_MAX + 1), PhotoError.CAPTION_TOO_LONG),
    ]:
        with pytest.raises(DomainError) as refused:
            describe(alt, caption)
        assert refused.value.code is code


def test_the_organisation_changes_photos_until_the_campaign_is_over_staff_always():
    assert photos_editable(is_over=False, by_staff=False)
    assert not photos_editable(is_over=True, by_staff=False)
    assert photos_editable(is_over=True, by_staff=True)


@pytest.mark.parametrize(
    ("link", "canonical"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42s", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://www.youtube.com/live/dQw4w9WgXcQ?si=x", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("  https://vimeo.com/76979871  ", "https://vimeo.com/76979871"),
        ("https://vimeo.com/76979871/8a1b2c3d4e", "https://vimeo.com/76979871/8a1b2c3d4e"),
        ("https://player.vimeo.com/video/76979871?h=8a1b2c3d4e", "https://vimeo.com/76979871/8a1b2c3d4e"),
        ("https://vimeo.com/channels/staffpicks/76979871", "https://vimeo.com/76979871"),
    ],
)
def test_youtube_and_vimeo_links_in_the_forms_people_paste(link, canonical):
    video = parse_video_url(link)
    assert video is not None and video.url == canonical
    assert parse_video_url(video.url) == video  # the canonical link reads back the same


@pytest.mark.parametrize(
    "link",
    [
        "",
        "https://example.org/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/youtu.be/dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ<script>",
        "https://www.youtube.com/@canale",
        "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
        "ftp://youtu.be/dQw4w9WgXcQ",
        "https://user:pw@youtu.be/dQw4w9WgXcQ",
        "https://youtu.be:8080/dQw4w9WgXcQ",
        "https://vimeo.com/abc",
        "https://vimeo.com/76979871/<b>",
        "https://[::1/x",
        "https://you tu.be/dQw4w9WgXcQ",
    ],
)
def test_anything_else_is_no_video(link):
    assert parse_video_url(link) is None
