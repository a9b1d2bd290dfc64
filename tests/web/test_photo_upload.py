"""The organisation uploads photos of its campaign: every accepted format is re-encoded into
variants that carry nothing but pixels (no EXIF, no GPS, no XMP), oriented; what is too big, too
small, not an image or hostile is refused with a message saying why, and leaves nothing behind."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image

from portal.domain.photos import FORMATS, variant_name, variant_widths
from portal.extensions import db
from portal.models import AuditEntry, Campaign, CampaignPhoto, CampaignUpdate
from tests.accounts import csrf_from, sign_in
from tests.campaigns import NOVEMBER
from tests.photos import (
    animated_webp_bytes,
    bomb_png,
    forty_megapixels,
    gif_bytes,
    heic_bytes,
    jpeg_bytes,
    png_bytes,
    sixty_megapixels,
    truncated_jpeg,
    webp_bytes,
)
from tests.projects import applied_campaign

OWNER = "anna@cordata.example"
pillow_heif.register_heif_opener()  # to read back what the test sends


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def application_id(app):
    """Anna's organisation applied; its application became the published campaign Lab Barona."""
    return applied_campaign(app, OWNER)[0]


@pytest.fixture
def owner(app, application_id):
    client = app.test_client()
    sign_in(client, app, OWNER)
    return client


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def upload(client, application_id, content: bytes, name="foto.jpg", alt="Volontari al lavoro", caption=""):
    url = f"/it/domanda/{application_id}/foto"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "testo_alternativo": alt, "didascalia": caption, "foto": (io.BytesIO(content), name)}
    return client.post(url, data=data, content_type="multipart/form-data", follow_redirects=True)


def stored(app) -> list[CampaignPhoto]:
    with app.app_context():
        rows = db.session.scalars(db.select(CampaignPhoto).order_by(CampaignPhoto.id)).all()
        db.session.expunge_all()
        return rows


def folder(app) -> Path:
    return Path(app.config["MEDIA_DIR"]) / "photos"


def files_of(app, photo: CampaignPhoto) -> list[Path]:
    return [
        folder(app) / variant_name(photo.key, width, fmt) for width in variant_widths(photo.width) for fmt in FORMATS
    ]


def everything_in(app) -> set[str]:
    return {path.name for path in folder(app).iterdir()} if folder(app).exists() else set()


@pytest.mark.parametrize(
    ("content", "name", "size"),
    [
        (lambda: jpeg_bytes(1200, 800), "telefono.jpg", (1200, 800)),
        (lambda: png_bytes(1000, 700), "schermata.png", (1000, 700)),
        (lambda: webp_bytes(1000, 700), "foto.webp", (1000, 700)),
        (lambda: heic_bytes(1000, 750), "IMG_0001.HEIC", (1000, 750)),
    ],
    ids=["jpeg", "png", "webp", "heic"],
)
def test_each_format_is_stored_as_variants_without_any_metadata(app, owner, application_id, content, name, size):
    sent = content()
    with Image.open(io.BytesIO(sent)) as original:  # the phone's file says where it was taken
        assert original.getexif().get_ifd(0x8825)[2] == (45.0, 27.0, 12.34) and b"Fotofonino" in sent
    response = upload(owner, application_id, sent, name=name, caption="Il primo giorno")
    assert response.status_code == 200 and "Foto caricata." in words(response)
    (photo,) = stored(app)
    assert (photo.width, photo.height) == size and photo.is_cover and photo.caption == "Il primo giorno"
    assert variant_widths(photo.width) == (480, 960, size[0])
    for path in files_of(app, photo):
        with Image.open(path) as image:
            width = int(path.stem.rsplit("-", 1)[1])
            assert image.format == ("WEBP" if path.suffix == ".webp" else "JPEG")
            assert image.width == width and image.mode == "RGB"
            assert len(image.getexif()) == 0, path.name  # no EXIF: no make, no model, no GPS
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile"} & set(image.info), (path.name, image.info)
            raw = path.read_bytes()
            assert b"Exif" not in raw and b"Fotofonino" not in raw and b"GPSLatitude" not in raw
    # The cover is on the campaign row, where the gallery reads it.
    with app.app_context():
        campaign = db.session.scalars(db.select(Campaign)).one()
        assert (campaign.image_file, campaign.image_alt) == (photo.key, "Volontari al lavoro")
        assert (campaign.image_width, campaign.image_height) == size
        assert db.session.scalars(db.select(AuditEntry.action)).all()[-1] == "campaign.photo_add"


def test_a_transparent_png_is_laid_on_white(app, owner, application_id):
    upload(owner, application_id, png_bytes(800, 600))
    (photo,) = stored(app)
    with Image.open(folder(app) / variant_name(photo.key, 480, "jpg")) as image:
        assert image.getpixel((0, 0))[0] > 240 and image.getpixel((0, 0))[1] > 200  # the transparent corner: white


def test_the_orientation_is_applied(app, owner, application_id):
    """A phone held upright writes the pixels sideways and says "turn 90°" in the EXIF."""
    upload(owner, application_id, jpeg_bytes(1200, 800, orientation=6))
    (photo,) = stored(app)
    assert (photo.width, photo.height) == (800, 1200)
    with Image.open(folder(app) / variant_name(photo.key, 800, "jpg")) as image:
        assert image.size == (800, 1200) and image.height > image.width
        assert image.getexif().get(0x0112) is None


def test_a_forty_megapixel_photo_is_reduced_and_the_message_says_from_what(app, owner, application_id):
    response = upload(owner, application_id, forty_megapixels(), name="IMG_20201115.jpg")
    assert "Foto caricata. Era di 7744 × 5164 pixel: è stata ridotta a 1600 × 1067" in words(response)
    (photo,) = stored(app)
    assert (photo.width, photo.height) == (1600, 1067)
    assert sorted(path.name for path in files_of(app, photo)) == sorted(
        everything_in(app) & {variant_name(photo.key, w, f) for w in (480, 960, 1600) for f in FORMATS}
    )


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (sixty_megapixels, "enorme.jpg", "La foto è troppo grande: 9487 × 6325 pixel, oltre 50 megapixel"),
        (bomb_png, "bomba.png", "Il file dichiara dimensioni enormi"),
        (lambda: jpeg_bytes(400, 300), "piccola.jpg", "è larga 400 pixel, ne servono almeno 480"),
        (lambda: jpeg_bytes(3000, 500), "striscia.jpg", "troppo stretta e lunga (3000 × 500 pixel)"),
        (lambda: b"%PDF-1.7 this is no photo", "foto.jpg", "non è una foto in un formato accettato"),
        (gif_bytes, "foto.gif", "non è una foto in un formato accettato"),
        (truncated_jpeg, "interrotta.jpg", "il file è danneggiato o incompleto"),
        (lambda: b"", "vuota.jpg", "Il file è vuoto"),
    ],
    ids=["60-megapixels", "bomb", "too-small", "odd-shape", "not-an-image", "gif", "truncated", "empty"],
)
def test_refused_files_say_why_and_leave_nothing(app, owner, application_id, content, name, message):
    before = everything_in(app)
    response = upload(owner, application_id, content(), name=name, alt="Il cortile")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Errore: " in html and '<a href="#foto">' in html
    assert message in words(response)
    assert 'value="Il cortile"' in html  # what was typed stays
    assert stored(app) == [] and everything_in(app) == before
    with app.app_context():
        assert db.session.scalars(db.select(Campaign.image_file)).one() is None


def test_no_file_and_no_alt_text_are_refused(app, owner, application_id):
    response = upload(owner, application_id, jpeg_bytes(), alt="")
    assert "Descrivi la foto per chi non la vede" in words(response) and '<a href="#testo_alternativo">' in (
        response.get_data(as_text=True)
    )
    url = f"/it/domanda/{application_id}/foto"
    token = csrf_from(owner.get(url).get_data(as_text=True))
    nothing = owner.post(url, data={"csrf_token": token, "testo_alternativo": "Il cortile"})
    assert "Scegli la foto da caricare" in words(nothing)
    assert stored(app) == []


def test_an_animated_image_keeps_its_first_frame(app, owner, application_id):
    response = upload(owner, application_id, animated_webp_bytes(), name="animata.webp")
    assert "è stato tenuto solo il primo fotogramma" in words(response)
    (photo,) = stored(app)
    with Image.open(folder(app) / variant_name(photo.key, 800, "webp")) as image:
        assert not getattr(image, "is_animated", False)
        assert image.getpixel((10, 10))[0] > 200  # the first frame's red, not the second's green


def test_a_file_over_the_limit_is_refused_and_other_forms_keep_the_small_limit(app, owner, application_id):
    response = upload(owner, application_id, b"\xff\xd8" + b"0" * (20 * 1024 * 1024 + 10), name="grande.jpg")
    assert "Il file è troppo grande: al massimo 20 MB" in words(response)
    assert stored(app) == []
    # The photo's limit is its own: the attachments' form still refuses what is over 6 MB.
    assert app.config["MAX_CONTENT_LENGTH"] == 6 * 1024 * 1024
    url = f"/it/domanda/{application_id}/aggiornamenti"
    token = csrf_from(owner.get(url).get_data(as_text=True))
    big = owner.post(
        f"/it/domanda/{application_id}/allegati",
        data={"csrf_token": token, "file": (io.BytesIO(b"%PDF" + b"0" * (7 * 1024 * 1024)), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 413


# --- An update with a photo ----------------------------------------------------------------------


def post_update(client, application_id, content: bytes | None, alt="Il nuovo bancone"):
    url = f"/it/domanda/{application_id}/aggiornamenti"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "titolo": "Si parte", "testo": "Il laboratorio apre!", "testo_alternativo": alt}
    if content is not None:
        data["foto"] = (io.BytesIO(content), "bancone.jpg")
    return client.post(url, data=data, content_type="multipart/form-data")


def updates(app) -> list[int]:
    with app.app_context():
        return db.session.scalars(db.select(CampaignUpdate.id)).all()


def test_an_update_carries_its_photo(app, owner, application_id):
    response = post_update(owner, application_id, jpeg_bytes(1000, 750))
    assert response.status_code == 303
    (update_id,) = updates(app)
    (photo,) = stored(app)
    assert photo.update_id == update_id and photo.alt_text == "Il nuovo bancone" and not photo.is_cover
    with app.app_context():
        assert db.session.scalars(db.select(Campaign.image_file)).one() is None  # not the campaign's cover
    page = owner.get(f"/it/domanda/{application_id}/aggiornamenti").get_data(as_text=True)
    assert f"/media/foto/{photo.key}-480.jpg" in page and 'alt="Il nuovo bancone"' in page
    assert post_update(owner, application_id, None, alt="").status_code == 303  # no photo, no alt text needed
    assert len(updates(app)) == 2


@pytest.mark.parametrize(
    ("content", "alt", "message"),
    [
        (lambda: jpeg_bytes(1000, 750), "", "Descrivi la foto per chi non la vede"),
        (lambda: b"not a photo", "Il bancone", "non è una foto in un formato accettato"),
    ],
    ids=["no-alt-text", "not-an-image"],
)
def test_a_refused_photo_leaves_no_update_and_keeps_the_text(app, owner, application_id, content, alt, message):
    before = everything_in(app)
    response = post_update(owner, application_id, content(), alt=alt)
    assert response.status_code == 200 and message in words(response)
    html = response.get_data(as_text=True)
    assert "<title>Errore: " in html and 'value="Si parte"' in html and "Il laboratorio apre!" in html
    assert updates(app) == [] and stored(app) == [] and everything_in(app) == before
