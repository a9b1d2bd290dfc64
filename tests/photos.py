"""Photos for tests: image files of every accepted format (a phone's JPEG with EXIF and a GPS
position, PNG with transparency, WebP, HEIC), hostile ones (a decompression bomb, a truncated file),
a 40-megapixel photo made cheaply, and `add_photo_to` to give a campaign photos through the service."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime
from functools import lru_cache

from PIL import Image, ImageDraw

from portal.clock import ROME
from portal.extensions import db
from portal.models import CampaignPhoto, Role
from portal.services.accounts import accounts
from portal.services.campaigns import photos

PHOTOGRAPHER = "foto@comune.milano.example"  # the staff account `add_photo_to` uploads as
UPLOADED_AT = datetime(2020, 10, 20, 10, 0, tzinfo=ROME)  # before the campaigns open
GPS_LATITUDE = (45.0, 27.0, 12.34)  # Milan, where the phone took the photo


def picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """An image whose top half is red and bottom half blue: its orientation can be told afterwards."""
    image = Image.new(mode, (width, height), "blue" if mode != "L" else 60)
    ImageDraw.Draw(image).rectangle((0, 0, width, height // 2), fill="red" if mode != "L" else 200)
    return image


def phone_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Fotofonino"  # Make
    exif[0x0110] = "FF 12 Pro"  # Model
    exif[0x0131] = "Fotofonino OS 4.2"  # Software
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", GPS_LATITUDE
    gps[3], gps[4] = "E", (9.0, 11.0, 20.0)
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="45,27.2N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def jpeg_bytes(width: int = 1200, height: int = 800, *, orientation: int | None = None, gps: bool = True) -> bytes:
    """A phone's JPEG: EXIF with its make, model and GPS position, and an XMP packet."""
    out = io.BytesIO()
    extra = {"exif": phone_exif(orientation).tobytes(), "xmp": XMP} if gps else {}
    picture(width, height).save(out, "JPEG", quality=85, **extra)
    return out.getvalue()


def png_bytes(width: int = 1000, height: int = 700, *, transparent: bool = True) -> bytes:
    image = picture(width, height)
    if transparent:
        image.putalpha(Image.linear_gradient("L").resize((width, height)))
    out = io.BytesIO()
    image.save(out, "PNG", exif=phone_exif().tobytes())
    return out.getvalue()


def webp_bytes(width: int = 1000, height: int = 700) -> bytes:
    out = io.BytesIO()
    picture(width, height).save(out, "WEBP", exif=phone_exif().tobytes(), xmp=XMP)
    return out.getvalue()


def heic_bytes(width: int = 1000, height: int = 750) -> bytes:
    """An iPhone's format (pillow-heif's bundled encoder writes it), with EXIF and GPS."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    picture(width, height).save(out, "HEIF", exif=phone_exif().tobytes())
    return out.getvalue()


def animated_webp_bytes(width: int = 800, height: int = 600) -> bytes:
    frames = [picture(width, height), Image.new("RGB", (width, height), "green")]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return out.getvalue()


def gif_bytes(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    picture(width, height).save(out, "GIF")
    return out.getvalue()


@lru_cache(maxsize=1)
def forty_megapixels() -> bytes:
    """A 7744×5164 JPEG (40 MP, a phone's "high resolution" mode): a gradient, cheap to encode."""
    gradient = Image.linear_gradient("L").resize((7744, 5164)).convert("RGB")
    out = io.BytesIO()
    gradient.save(out, "JPEG", quality=50, exif=phone_exif().tobytes())
    return out.getvalue()


@lru_cache(maxsize=1)
def sixty_megapixels() -> bytes:
    """A 9487×6325 JPEG (60 MP): above what is kept, below Pillow's own bomb limit."""
    out = io.BytesIO()
    Image.new("L", (9487, 6325), 90).save(out, "JPEG", quality=30)
    return out.getvalue()


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A few hundred bytes of PNG that say 50000×50000 pixels (2.5 gigapixels, 7.5 GB decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    whole = jpeg_bytes(1600, 1200, gps=False)
    return whole[: len(whole) // 2]


def add_photo_to(
    app,
    campaign_id: int,
    content: bytes | None = None,
    *,
    alt_text: str = "Volontari che riparano una bicicletta nel laboratorio",
    caption: str | None = None,
    update_id: int | None = None,
    at: datetime = UPLOADED_AT,
) -> int:
    """Give the campaign a photo through the photos service, as staff; returns its id. The first
    becomes the cover. `content`: the file (a 1200×800 JPEG by default)."""
    with app.app_context():
        actor = accounts.user_by_email(PHOTOGRAPHER)
        if actor is None:
            actor = accounts.create_user(PHOTOGRAPHER, "Foto", "una password lunga e sicura", Role.STAFF, at)
            db.session.commit()
        added = photos.add_photo(
            campaign_id, io.BytesIO(content or jpeg_bytes()), alt_text, caption, actor, at, update_id=update_id
        )
        return added.photo.id


def photo_row(app, photo_id: int) -> CampaignPhoto | None:
    with app.app_context():
        photo = db.session.get(CampaignPhoto, photo_id)
        if photo is not None:
            db.session.expunge(photo)
        return photo
