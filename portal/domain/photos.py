"""The rules of a campaign's photos: which variants a photo is stored as and what they are called.

A photo is re-encoded into variants of these widths (never wider than the photo itself), each as
WebP and as JPEG; `variant_widths` says which exist for a photo whose largest variant is `width`
pixels wide, and `variant_name` what each file is called. Pages build `srcset` from the same two.
"""

from __future__ import annotations

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
