"""The photos page in the browser: the organisation uploads a photo, sees it listed, and the page
is accessible (axe-core, at 1280 and 390 px) with photos present and with an error shown, and valid
HTML; staff's page the same."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from portal.models import Role
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER
from tests.html_validation import vnu_errors
from tests.photos import add_photo_to, jpeg_bytes, png_bytes
from tests.projects import applied_campaign

pytestmark = pytest.mark.browser
OWNER = "anna@cordata.example"
STAFF = "giulia@comune.milano.example"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def world(app):
    application_id, campaign_id = applied_campaign(app, OWNER)
    add_photo_to(app, campaign_id, alt_text="Il laboratorio visto dal cortile", caption="La sede")
    return {"application": application_id, "campaign": campaign_id}


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()


def test_the_organisation_uploads_a_photo_on_an_accessible_page(app, world, page, live_server, axe_source, tmp_path):
    sign_in(page, live_server, OWNER)
    page.goto(f"{live_server}/it/domanda/{world['application']}/foto")
    expect(page.get_by_role("heading", name="Foto 1 – copertina")).to_be_visible()
    assert_accessible(page, axe_source)
    pages = [page.content()]

    # An error: a photo without its alt text. The summary links to the field.
    upload = tmp_path / "cortile.png"
    upload.write_bytes(png_bytes(900, 600))
    page.get_by_label("Foto", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Carica la foto").click()
    expect(page.get_by_role("alert")).to_contain_text("Descrivi la foto per chi non la vede")
    assert page.title().startswith("Errore: Foto e video della campagna")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    page.get_by_label("Foto", exact=True).set_input_files(str(upload))
    page.get_by_label("Testo alternativo", exact=True).last.fill("Bambini che dipingono il muro del cortile")
    page.get_by_role("button", name="Carica la foto").click()
    expect(page.get_by_role("status")).to_contain_text("Foto caricata.")
    expect(page.get_by_role("heading", name="Foto 2")).to_be_visible()
    image = page.get_by_role("img", name="Bambini che dipingono il muro del cortile")
    expect(image).to_be_visible()
    # The variant is served: wait for the browser to have it (visible is not yet loaded).
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10_000)
    assert_accessible(page, axe_source)
    pages.append(page.content())

    files = []
    for number, html in enumerate(pages):
        target = tmp_path / f"photos-{number}.html"
        target.write_text(html)
        files.append(str(target))
    assert vnu_errors(files) == []


def test_staff_photos_page_is_accessible(app, world, page, live_server, axe_source, tmp_path):
    secret = make_user(app, STAFF, Role.STAFF)
    add_photo_to(app, world["campaign"], jpeg_bytes(1600, 1200), alt_text="Il gruppo di volontari")
    page.goto(f"{live_server}/it/gestione/campagne/{world['campaign']}/foto")
    page.get_by_label("Indirizzo e-mail").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()
    expect(page.get_by_role("heading", name="Foto e video di «Lab Barona»")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_label("Link a un video su YouTube o Vimeo (facoltativo)").fill("https://example.org/film")
    page.get_by_role("button", name="Salva il video").click()
    expect(page.get_by_role("alert")).to_contain_text("non è quello di un video di YouTube o di Vimeo")
    assert_accessible(page, axe_source)
    target = tmp_path / "staff-photos.html"
    target.write_text(page.content())
    assert vnu_errors([str(target)]) == []
