"""The rules of a campaign's photos: which variants a photo is stored as and what they are called.

A photo is re-encoded into variants of these widths (never wider than the photo itself), each as
WebP and as JPEG; `variant_widths` says which exist for a photo whose largest variant is `width`
pixels wide, and `variant_name` what each file is called. Pages build `srcset` from the same two.

Then what an upload may be (size of the file, pixels, shape, its description), when a campaign's
photos may change, and which video links are shown (YouTube and Vimeo, stored canonical).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlsplit

from portal.domain import DomainError

WIDTHS = (480, 960, 1600)
FORMATS = ("webp", "jpg")


def variant_widths(width: int) -> tuple[int, ...]:
    """The widths stored for a photo whose largest variant is `width` wide: every standard width
    below it, then `width` itself (a photo 1200 px wide: 480, 960, 1200)."""
    return (*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1]))


def variant_name(key: str, width: int, fmt: str) -> str:
    """The file name of one variant, e.g. ``3f…9a-960.webp``."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return f"{key}-{width}.{fmt}"


# --- What an upload may be ------------------------------------------------------------------

MAX_PHOTO_BYTES = 20 * 1024 * 1024  # a phone's photo, a few MB, with room for a camera's
MAX_PIXELS = 50_000_000  # above this a file is refused; a 40-megapixel phone photo is reduced
MIN_WIDTH = WIDTHS[0]  # the narrowest variant: a smaller photo would be blown up on every page
MAX_ASPECT = 4  # the long side at most four times the short one (a panorama, not a banner)
MAX_PHOTOS = 20  # per campaign (its updates' photos apart)
ALT_MAX = 250
CAPTION_MAX = 300
# Formats as Pillow names them once it has read a file's first bytes (HEIC and HEIF are "HEIF").
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")


class PhotoError(StrEnum):
    NO_FILE = "photo_no_file"  # the form came without a file
    SEVERAL_FILES = "photo_several_files"  # more than one file in one request
    EMPTY = "photo_empty"  # the file has no bytes
    FILE_TOO_LARGE = "photo_file_too_large"  # over MAX_PHOTO_BYTES
    NOT_ACCEPTED = "photo_not_accepted"  # not a JPEG, PNG, WebP or HEIC/HEIF image, whatever its name
    DAMAGED = "photo_damaged"  # begins as one but cannot be decoded: truncated, malformed
    TOO_MANY_PIXELS = "photo_too_many_pixels"  # over MAX_PIXELS (width and height in the message)
    BOMB = "photo_bomb"  # declares a size no photo has (a decompression bomb)
    TOO_SMALL = "photo_too_small"  # narrower than MIN_WIDTH
    ODD_SHAPE = "photo_odd_shape"  # one side more than MAX_ASPECT times the other
    TOO_MANY_PHOTOS = "photo_too_many"  # the campaign has MAX_PHOTOS already
    ALT_MISSING = "photo_alt_missing"
    ALT_TOO_LONG = "photo_alt_too_long"
    CAPTION_TOO_LONG = "photo_caption_too_long"
    CLOSED = "photo_campaign_closed"  # the campaign is over: its photos stay as they are
    NOT_FOUND = "photo_not_found"  # not one of this campaign's own photos
    VIDEO_NOT_SUPPORTED = "video_not_supported"  # not a YouTube or Vimeo video link


def check_pixels(width: int, height: int) -> None:
    """A photo of this size (as shown, orientation applied) can be kept, or `DomainError` says why."""
    if width * height > MAX_PIXELS:
        raise DomainError(PhotoError.TOO_MANY_PIXELS, width=width, height=height, limit_mp=MAX_PIXELS // 1_000_000)
    if width < MIN_WIDTH:
        raise DomainError(PhotoError.TOO_SMALL, width=width, min_width=MIN_WIDTH)
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise DomainError(PhotoError.ODD_SHAPE, width=width, height=height, ratio=MAX_ASPECT)


def stored_size(width: int, height: int) -> tuple[int, int]:
    """The size of the largest variant of a photo of this size: as wide as the widest variant at
    most, the same proportions (a 7744×5164 photo is kept at 1600×1067)."""
    if width <= WIDTHS[-1]:
        return width, height
    return WIDTHS[-1], max(1, round(height * WIDTHS[-1] / width))


def variant_size(width: int, height: int, variant_width: int) -> tuple[int, int]:
    """The size of one variant of a photo whose largest variant is `width`×`height`."""
    return variant_width, max(1, round(height * variant_width / width))


def describe(alt_text: str | None, caption: str | None) -> tuple[str, str | None]:
    """The alt text (required) and the caption (optional) as kept: spaces trimmed, lengths checked."""
    alt = " ".join((alt_text or "").split())
    text = " ".join((caption or "").split()) or None
    if not alt:
        raise DomainError(PhotoError.ALT_MISSING)
    if len(alt) > ALT_MAX:
        raise DomainError(PhotoError.ALT_TOO_LONG, limit=ALT_MAX)
    if text is not None and len(text) > CAPTION_MAX:
        raise DomainError(PhotoError.CAPTION_TOO_LONG, limit=CAPTION_MAX)
    return alt, text


def photos_editable(is_over: bool, by_staff: bool) -> bool:
    """The organisation changes its photos while the campaign is being prepared and while it is
    live; once it is over they stay as they are. Staff can always (to take down what must go)."""
    return by_staff or not is_over


# --- Video links ------------------------------------------------------------------------------

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"})
_YOUTUBE_NOCOOKIE = frozenset({"youtube-nocookie.com", "www.youtube-nocookie.com"})
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})


@dataclass(frozen=True)
class Video:
    provider: str  # "youtube" or "vimeo"
    video_id: str  # YouTube's 11 characters; Vimeo's number, with "/hash" for an unlisted video

    @property
    def url(self) -> str:
        """The canonical link, the one stored."""
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"


def parse_video_url(text: str | None) -> Video | None:
    """The YouTube or Vimeo video a link points at, in any of the forms people paste (watch, short
    link, embed, shorts, live, player), or None for anything else."""
    text = (text or "").strip()
    if not text or any(char.isspace() for char in text) or len(text) > 500:
        return None
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a port that is not a number, a malformed IPv6 host
        return None
    if parts.scheme not in ("http", "https") or parts.username or parts.password or port not in (None, 80, 443):
        return None
    host = (parts.hostname or "").lower()
    segments = [segment for segment in parts.path.split("/") if segment]
    if host in _YOUTUBE_HOSTS:
        if segments == ["watch"]:
            candidate = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
            candidate = segments[1]
        else:
            return None
    elif host in _YOUTUBE_NOCOOKIE:
        candidate = segments[1] if len(segments) >= 2 and segments[0] == "embed" else ""
    elif host == "youtu.be":
        candidate = segments[0] if len(segments) == 1 else ""
    elif host in _VIMEO_HOSTS:
        return _vimeo(host, segments, parts.query)
    else:
        return None
    return Video("youtube", candidate) if _YOUTUBE_ID.fullmatch(candidate) else None


def _vimeo(host: str, segments: list[str], query: str) -> Video | None:
    if host == "player.vimeo.com":
        if len(segments) != 2 or segments[0] != "video":
            return None
        number, unlisted = segments[1], parse_qs(query).get("h", [""])[0]
    elif len(segments) == 1:
        number, unlisted = segments[0], ""
    elif len(segments) == 2 and segments[0].isdigit():
        number, unlisted = segments  # vimeo.com/123456/abcdef: an unlisted video and its hash
    elif len(segments) == 3 and segments[0] == "channels":
        number, unlisted = segments[2], ""
    elif len(segments) == 4 and segments[0] == "groups" and segments[2] == "videos":
        number, unlisted = segments[3], ""
    else:
        return None
    if not (number.isascii() and number.isdigit() and len(number) <= 12):
        return None
    if unlisted and not re.fullmatch(r"[0-9a-f]{6,20}", unlisted):
        return None
    return Video("vimeo", f"{number}/{unlisted}" if unlisted else number)
