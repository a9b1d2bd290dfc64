"""Managing a campaign's photos: the cover (one, copied onto the campaign for the gallery), the
order, descriptions, removal (files included), the video link; who may, and until when. And the
files themselves: served for a year, to anyone, under names nobody can guess or forge."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from portal.domain.photos import FORMATS, variant_name, variant_widths
from portal.extensions import db
from portal.models import AuditEntry, Campaign, CampaignPhoto, Role
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import make_applicant
from tests.campaigns import AFTER_THE_END, NOVEMBER, make_campaign
from tests.concurrency import run_together
from tests.photos import add_photo_to, jpeg_bytes
from tests.projects import applied_campaign

OWNER = "anna@cordata.example"
OTHER = "bruno@altra.example"
STAFF = "staff@comune.milano.example"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def world(app):
    """Anna's application became the campaign Lab Barona, which has three photos (the first its cover)."""
    application_id, campaign_id = applied_campaign(app, OWNER)
    ids = [add_photo_to(app, campaign_id, alt_text=f"Foto {n}") for n in (1, 2, 3)]
    return {"application": application_id, "campaign": campaign_id, "photos": ids}


def signed_in(app, email):
    client = app.test_client()
    sign_in(client, app, email)
    return client


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def page_url(world) -> str:
    return f"/it/domanda/{world['application']}/foto"


def act(client, world, photo_id, action, **data):
    token = csrf_from(client.get(page_url(world)).get_data(as_text=True))
    return client.post(f"{page_url(world)}/{photo_id}/{action}", data={"csrf_token": token, **data})


def order(app, campaign_id) -> list[tuple[str, bool]]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(CampaignPhoto)
            .filter_by(campaign_id=campaign_id)
            .order_by(CampaignPhoto.position, CampaignPhoto.id)
        )
        return [(photo.alt_text, photo.is_cover) for photo in rows]


def cover_on_campaign(app, campaign_id):
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        return campaign.image_file, campaign.image_alt, campaign.image_width, campaign.image_height


def key_of(app, photo_id) -> str:
    with app.app_context():
        return db.session.get(CampaignPhoto, photo_id).key


def test_the_first_photo_is_the_cover_and_the_page_lists_them_in_order(app, world):
    assert order(app, world["campaign"]) == [("Foto 1", True), ("Foto 2", False), ("Foto 3", False)]
    assert cover_on_campaign(app, world["campaign"]) == (key_of(app, world["photos"][0]), "Foto 1", 1200, 800)
    page = signed_in(app, OWNER).get(page_url(world))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = words(page)
    assert text.index("Foto 1 – copertina") < text.index("Foto 2") < text.index("Foto 3")
    key = key_of(app, world["photos"][1])
    assert f"/media/foto/{key}-480.webp 480w, /media/foto/{key}-960.webp 960w" in page.get_data(as_text=True)


def test_choosing_another_cover_moves_it_and_the_gallery_copy(app, world):
    owner = signed_in(app, OWNER)
    response = act(owner, world, world["photos"][2], "copertina")
    assert response.status_code == 303
    assert order(app, world["campaign"]) == [("Foto 1", False), ("Foto 2", False), ("Foto 3", True)]
    assert cover_on_campaign(app, world["campaign"])[:2] == (key_of(app, world["photos"][2]), "Foto 3")


def test_moving_up_and_down_and_nothing_past_either_end(app, world):
    owner = signed_in(app, OWNER)
    first, second, third = world["photos"]
    act(owner, world, third, "sposta", verso="su")
    assert [alt for alt, _ in order(app, world["campaign"])] == ["Foto 1", "Foto 3", "Foto 2"]
    act(owner, world, first, "sposta", verso="giu")
    assert [alt for alt, _ in order(app, world["campaign"])] == ["Foto 3", "Foto 1", "Foto 2"]
    act(owner, world, third, "sposta", verso="su")  # already first
    assert [alt for alt, _ in order(app, world["campaign"])] == ["Foto 3", "Foto 1", "Foto 2"]
    assert act(owner, world, third, "sposta", verso="di lato").status_code == 400


def test_describing_a_photo_and_an_error_shown_with_the_summary(app, world):
    owner = signed_in(app, OWNER)
    first = world["photos"][0]
    prefix = f"foto-{first}-"
    act(
        owner,
        world,
        first,
        "descrizione",
        **{prefix + "testo_alternativo": "Il cortile", prefix + "didascalia": "Maggio"},
    )
    assert cover_on_campaign(app, world["campaign"])[1] == "Il cortile"  # the cover's alt text follows
    refused = act(owner, world, first, "descrizione", **{prefix + "testo_alternativo": " ", prefix + "didascalia": "x"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "<title>Errore: " in html
    assert f'<a href="#{prefix}testo_alternativo">Descrivi la foto per chi non la vede' in unescape(html)
    assert order(app, world["campaign"])[0] == ("Il cortile", True)
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert actions.count("campaign.photo_add") == 3 and actions.count("campaign.photo_describe") == 1


def test_removing_the_cover_deletes_its_files_and_promotes_the_next(app, world):
    owner = signed_in(app, OWNER)
    first = world["photos"][0]
    key = key_of(app, first)
    folder = Path(app.config["MEDIA_DIR"]) / "photos"
    files = [folder / variant_name(key, w, f) for w in variant_widths(1200) for f in FORMATS]
    assert all(path.is_file() for path in files)
    assert act(owner, world, first, "elimina").status_code == 303
    assert not any(path.exists() for path in files)
    assert order(app, world["campaign"]) == [("Foto 2", True), ("Foto 3", False)]
    assert cover_on_campaign(app, world["campaign"])[:2] == (key_of(app, world["photos"][1]), "Foto 2")
    for photo_id in world["photos"][1:]:
        act(owner, world, photo_id, "elimina")
    assert cover_on_campaign(app, world["campaign"]) == (None, None, None, None)  # the theme's picture again
    assert "Nessuna foto caricata" in words(owner.get(page_url(world)))


def test_the_video_link_is_stored_canonical_or_refused(app, world):
    owner = signed_in(app, OWNER)
    url = f"/it/domanda/{world['application']}/video"
    token = csrf_from(owner.get(page_url(world)).get_data(as_text=True))
    owner.post(url, data={"csrf_token": token, "video": "https://youtu.be/dQw4w9WgXcQ?t=42"})
    with app.app_context():
        assert db.session.get(Campaign, world["campaign"]).video_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    refused = owner.post(url, data={"csrf_token": token, "video": "https://example.org/video.mp4"})
    assert refused.status_code == 200 and "non è quello di un video di YouTube o di Vimeo" in words(refused)
    assert 'value="https://example.org/video.mp4"' in refused.get_data(as_text=True)
    owner.post(url, data={"csrf_token": token, "video": ""})
    with app.app_context():
        assert db.session.get(Campaign, world["campaign"]).video_url is None


def test_nobody_else_reaches_the_photos(app, world):
    anonymous = app.test_client().get(page_url(world))
    assert anonymous.status_code == 302 and "/it/accesso" in anonymous.headers["Location"]
    make_applicant(app, OTHER, 1)
    other = signed_in(app, OTHER)
    assert other.get(page_url(world)).status_code == 404
    token = csrf_from(other.get("/it/domanda/").get_data(as_text=True))
    for action in ("elimina", "copertina"):
        response = other.post(f"{page_url(world)}/{world['photos'][1]}/{action}", data={"csrf_token": token})
        assert response.status_code == 404
    assert [alt for alt, _ in order(app, world["campaign"])] == ["Foto 1", "Foto 2", "Foto 3"]


def test_a_photo_of_another_campaign_cannot_be_reached_through_this_one(app, world):
    other_campaign = make_campaign(app, "Orto Giambellino")
    stranger = add_photo_to(app, other_campaign, alt_text="Altrui")
    owner = signed_in(app, OWNER)
    act(owner, world, stranger, "elimina")
    act(owner, world, stranger, "copertina")
    assert order(app, other_campaign) == [("Altrui", True)]


def test_once_the_campaign_is_over_the_organisation_only_reads(app, world, at):
    at(AFTER_THE_END.isoformat())
    owner = signed_in(app, OWNER)
    page = owner.get(page_url(world))
    assert "La campagna è conclusa: le foto e il video restano come sono" in words(page)
    assert "Carica la foto" not in words(page) and "/elimina" not in page.get_data(as_text=True)
    response = act(owner, world, world["photos"][1], "elimina")
    assert response.status_code == 303
    assert "La campagna è conclusa" in words(owner.get(response.headers["Location"]))
    assert len(order(app, world["campaign"])) == 3
    # Staff still can (to take down what must go).
    make_user(app, STAFF, Role.STAFF)
    staff = signed_in(app, STAFF)
    staff_page = f"/it/gestione/campagne/{world['campaign']}/foto"
    token = csrf_from(staff.get(staff_page).get_data(as_text=True))
    assert staff.post(f"{staff_page}/{world['photos'][1]}/elimina", data={"csrf_token": token}).status_code == 303
    assert len(order(app, world["campaign"])) == 2


def test_staff_upload_and_the_campaign_page_links_there(app, world):
    make_user(app, STAFF, Role.STAFF)
    staff = signed_in(app, STAFF)
    assert f"/it/gestione/campagne/{world['campaign']}/foto" in staff.get(
        f"/it/gestione/campagne/{world['campaign']}"
    ).get_data(as_text=True)
    import io

    url = f"/it/gestione/campagne/{world['campaign']}/foto"
    token = csrf_from(staff.get(url).get_data(as_text=True))
    response = staff.post(
        url,
        data={
            "csrf_token": token,
            "testo_alternativo": "Dal Comune",
            "foto": (io.BytesIO(jpeg_bytes(900, 600)), "c.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert order(app, world["campaign"])[-1] == ("Dal Comune", False)
    assert f'href="/it/domanda/{world["application"]}/foto"' in signed_in(app, OWNER).get(
        f"/it/domanda/{world['application']}/ricevuta"
    ).get_data(as_text=True)


# --- The files ---------------------------------------------------------------------------------


def test_a_variant_is_served_for_a_year_to_anyone_without_a_cookie(app, world):
    key = key_of(app, world["photos"][0])
    for client in (app.test_client(),):
        for fmt, kind in (("webp", "image/webp"), ("jpg", "image/jpeg")):
            response = client.get(f"/media/foto/{key}-960.{fmt}")
            assert response.status_code == 200 and response.mimetype == kind
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert "Set-Cookie" not in response.headers
            assert response.data[:4] in (b"RIFF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")


@pytest.mark.parametrize(
    "name",
    [
        "{key}-961.webp",  # no such variant
        "{key}-960.png",
        "{key}-960.WEBP",
        "../../config.py",
        "{key}-960.webp.part",
        "{upper}-960.webp",
        "0123456789abcdef0123456789abcdef-960.webp",  # a well-formed name nobody stored
        "%2e%2e%2fconfig.py",
    ],
)
def test_anything_but_a_stored_variant_is_not_found(app, world, name):
    key = key_of(app, world["photos"][0])
    response = app.test_client().get("/media/foto/" + name.format(key=key, upper=key.upper()))
    assert response.status_code == 404


@pytest.mark.postgres
def test_photos_uploaded_at_the_same_moment_keep_one_cover_and_distinct_places(app, world):
    """The campaign's row lock: four uploads together on a campaign without photos."""
    campaign_id = make_campaign(app, "Orto Giambellino")
    calls = [lambda n=n: add_photo_to(app, campaign_id, alt_text=f"Insieme {n}") for n in range(4)]
    results, errors = run_together(app, calls)
    assert errors == [] and len(results) == 4
    with app.app_context():
        rows = db.session.scalars(db.select(CampaignPhoto).filter_by(campaign_id=campaign_id)).all()
        assert sorted(photo.position for photo in rows) == [0, 1, 2, 3]
        (cover,) = [photo for photo in rows if photo.is_cover]
        assert db.session.get(Campaign, campaign_id).image_file == cover.key
