"""Turning an uploaded photo into the files the pages show, with Pillow.

Only JPEG, PNG, WebP and HEIC/HEIF are decoded, recognised by their content (never by the file's
name); the orientation is applied, colours converted to sRGB, transparency laid on white, and each
variant written as WebP and progressive JPEG without any metadata: no EXIF (GPS positions
included), no XMP, no colour profile. Pillow and pillow-heif load on the first upload, not in
every worker. Files are written under temporary names and renamed, so a file under its own name is
always whole; those of a transaction that rolls back are deleted again.
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from portal.domain import DomainError
from portal.domain import photos as rules
from portal.domain.photos import PhotoError
from portal.services.transaction import on_rollback

if TYPE_CHECKING:
    from PIL.Image import Image

JPEG_QUALITY = 80
WEBP_QUALITY = 80


@dataclass(frozen=True)
class Decoded:
    image: Image
    original_size: tuple[int, int]
    first_frame: bool


_heif_ready = False


def _register_heif() -> None:
    """HEIC/HEIF through pillow-heif, loaded by the first upload (not by every worker)."""
    global _heif_ready
    if not _heif_ready:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_ready = True


def read(upload: IO[bytes]) -> bytes:
    content = upload.read(rules.MAX_PHOTO_BYTES + 1)
    if not content:
        raise DomainError(PhotoError.EMPTY)
    if len(content) > rules.MAX_PHOTO_BYTES:
        raise DomainError(PhotoError.FILE_TOO_LARGE, limit_mb=rules.MAX_PHOTO_BYTES // (1024 * 1024))
    return content


def decode(content: bytes) -> Decoded:
    """The photo as RGB pixels, oriented, no wider than the widest variant, or `DomainError`."""
    from PIL import Image, UnidentifiedImageError

    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=list(rules.ACCEPTED_FORMATS))
            return _decoded(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError(PhotoError.BOMB, limit_mp=rules.MAX_PIXELS // 1_000_000) from None
    except UnidentifiedImageError:
        raise DomainError(PhotoError.NOT_ACCEPTED) from None
    except DomainError:
        raise
    # The file is untrusted input to the decoders: whatever they raise on a truncated or crafted
    # file (OSError, SyntaxError, ValueError, EOFError, struct.error...) means it cannot be shown.
    except Exception:  # noqa: BLE001
        raise DomainError(PhotoError.DAMAGED) from None


def _decoded(image: Image) -> Decoded:
    from PIL import ImageOps

    first_frame = bool(getattr(image, "is_animated", False)) and image.format != "HEIF"
    turned = _orientation(image) in (5, 6, 7, 8)
    width, height = (image.height, image.width) if turned else image.size
    rules.check_pixels(width, height)
    kept_width, kept_height = rules.stored_size(width, height)
    if image.format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 of the size when that is still larger than what is kept:
        # a 40-megapixel photo costs a fraction of its memory and time.
        scale = kept_width / width
        image.draft("RGB", (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    image.load()
    image = ImageOps.exif_transpose(image) or image
    image = _to_srgb(image)
    if image.size != (kept_width, kept_height):
        image = image.resize((kept_width, kept_height), _lanczos(), reducing_gap=3.0)
    image.info = {}
    return Decoded(image=image, original_size=(width, height), first_frame=first_frame)


def _orientation(image: Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - a malformed EXIF block: shown as stored
        return 1


def _lanczos():
    from PIL import Image

    return Image.Resampling.LANCZOS


def _to_srgb(image: Image) -> Image:
    """RGB in sRGB: an embedded colour profile (Display P3 from phones, Adobe RGB) converted, any
    transparency laid on white."""
    from PIL import Image, ImageCms

    profile = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile lcms cannot read: the pixels as they are
    return image


def write_variants(folder: Path, key: str, image: Image) -> list[Path]:
    """Every variant, each written under a temporary name and renamed: a file under its own name
    is always whole. Returns the files written (removed again if the transaction rolls back)."""
    written: list[Path] = []
    on_rollback(lambda: delete(written))
    width, height = image.size
    for variant_width in rules.variant_widths(width):
        variant = (
            image
            if variant_width == width
            else image.resize(rules.variant_size(width, height, variant_width), _lanczos(), reducing_gap=3.0)
        )
        for fmt in rules.FORMATS:
            path = folder / rules.variant_name(key, variant_width, fmt)
            partial = folder / f".{path.name}.{secrets.token_hex(4)}.part"
            try:
                with open(partial, "wb") as out:
                    if fmt == "webp":
                        variant.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
                    else:
                        variant.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
            written.append(path)
    return written


def delete(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
