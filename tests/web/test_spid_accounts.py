"""What SPID/CIE changes for accounts: level 2 is the back office's second factor, signing out ends the
identity provider's session too, PASSWORD_SIGN_IN closes the password routes, and the organisation's
profile shows its legal representative's codice fiscale from SPID."""

from __future__ import annotations

import base64
import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import Organisation, Role, User
from tests.accounts import PASSWORD, csrf_from, make_user, password_step, sign_in
from tests.applicants import make_applicant
from tests.spid import FISCAL_CODE, IDP_SLO, through_spid, trusted_test_idp

STAFF = "staff.spid@example.org"
ANNA = "anna@example.org"


@pytest.fixture
def idp(app, data, tmp_path, monkeypatch):
    return trusted_test_idp(app, tmp_path, monkeypatch)


def with_fiscal_code(app, email: str, fiscal_code: str = FISCAL_CODE) -> None:
    with app.app_context():
        db.session.scalars(db.select(User).filter_by(email=email)).one().fiscal_code = fiscal_code
        db.session.commit()


def sign_out_action(client) -> str:
    page = client.get("/it/il-tuo-account").get_data(as_text=True)
    return re.search(r'<form class="account-zone" method="post" action="([^"]+)"', page).group(1)


# --- SPID level 2 is the second factor -----------------------------------------------------------
def test_staff_signing_in_with_spid_level_2_land_in_the_back_office_without_the_code(app, client, idp):
    make_user(app, STAFF, Role.STAFF)
    with_fiscal_code(app, STAFF)
    answer = through_spid(client, idp, level=2)
    assert answer.status_code == 302 and answer.headers["Location"] == "/it/gestione/"
    assert client.get("/it/gestione/").status_code == 200


def test_staff_signing_in_with_a_password_still_need_the_code(app, client, idp):
    make_user(app, STAFF, Role.STAFF)
    with_fiscal_code(app, STAFF)
    answer = password_step(client, STAFF)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/it/accesso/codice")
    assert client.get("/it/gestione/").status_code in (302, 403)  # not signed in until the code


# --- signing out everywhere ----------------------------------------------------------------------
def test_signing_out_of_a_spid_session_ends_the_identity_providers_too(app, client, idp):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    with_fiscal_code(app, ANNA)
    assert through_spid(client, idp).status_code == 302
    action = sign_out_action(client)
    assert action == "/it/esci/spid"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/it/il-tuo-account").get_data(as_text=True))
    page = client.post(action, data={"csrf_token": token.group(1)})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'action="{IDP_SLO}"' in html  # the signed LogoutRequest, posted on
    assert (
        "LogoutRequest"
        in base64.b64decode(unescape(re.search(r'name="SAMLRequest" value="([^"]+)"', html).group(1))).decode()
    )
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/it/il-tuo-account").status_code == 302  # signed out here already


def test_a_password_session_signs_out_as_before(app, client, idp):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    sign_in(client, app, ANNA)
    assert sign_out_action(client) == "/it/esci"


# --- PASSWORD_SIGN_IN ----------------------------------------------------------------------------
def test_with_password_sign_in_off_the_password_routes_refuse_and_send_to_spid(app, client, idp, monkeypatch):
    make_user(app, STAFF, Role.STAFF)
    token = csrf_from(client.get("/it/accesso").get_data(as_text=True))  # a form loaded before the change
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", "off")
    page = client.get("/it/accesso").get_data(as_text=True)
    assert 'name="password"' not in page and "Entra con SPID" in page  # the sign-in page offers SPID/CIE only
    for answer in (
        client.post("/it/accesso", data={"csrf_token": token, "email": STAFF, "password": PASSWORD}),
        client.get("/it/registrazione"),
        client.get("/it/password-dimenticata"),
    ):
        assert answer.status_code == 403
        assert "entra con SPID o CIE" in answer.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session and "pending_login" not in session


def test_with_partners_only_organisations_use_spid_and_the_back_office_keeps_its_password(
    app, client, idp, monkeypatch
):
    make_user(app, STAFF, Role.STAFF)
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", "partners")
    refused = password_step(client, ANNA)
    assert refused.status_code == 403 and "Le organizzazioni entrano con SPID o CIE" in refused.get_data(as_text=True)
    assert client.get("/it/registrazione").status_code == 403
    staff = password_step(app.test_client(), STAFF)
    assert staff.status_code == 302 and staff.headers["Location"].endswith("/it/accesso/codice")


# --- the organisation's legal representative -----------------------------------------------------
def test_the_organisation_profile_shows_the_representatives_fiscal_code_from_spid(app, client, idp):
    make_applicant(app, ANNA)
    with_fiscal_code(app, ANNA)
    assert through_spid(client, idp).status_code == 302
    with app.app_context():
        organisation = db.session.scalars(db.select(User).filter_by(email=ANNA)).one().organisation
        assert organisation.legal_rep_fiscal_code == FISCAL_CODE
    page = client.get("/it/domanda/organizzazione").get_data(as_text=True)
    assert re.search(rf"Codice fiscale del legale rappresentante</strong><br>\s*{FISCAL_CODE} \(da SPID/CIE\)", page)
    assert 'name="legal_rep' not in page  # shown, never a field


def test_a_profile_without_spid_shows_no_representatives_code(app, client, idp):
    make_applicant(app, ANNA)
    sign_in(client, app, ANNA)
    page = client.get("/it/domanda/organizzazione").get_data(as_text=True)
    assert "Codice fiscale del legale rappresentante" not in page
    with app.app_context():
        assert db.session.scalars(db.select(Organisation.legal_rep_fiscal_code)).all() == [None]


def test_a_linked_account_filling_its_organisation_profile_records_the_representative(app, idp):
    from portal.services.applications import organisations
    from tests.applicants import codice_fiscale

    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    with_fiscal_code(app, ANNA)
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email=ANNA)).one()
        profile = organisations.Profile(
            name="Associazione Barona",
            legal_form="associazione",
            codice_fiscale=codice_fiscale(7),
            address="Via Ettore Ponti 15",
            nil_id=46,
            contact_name="Anna Rossi",
            contact_phone="02 1234567",
        )
        organisation = organisations.save_profile(user, profile, frozenset(), user.created_at)
        assert organisation.legal_rep_fiscal_code == FISCAL_CODE


def test_the_account_refusal_and_profile_pages_are_valid_html(app, client, idp, monkeypatch, tmp_path):
    from tests.html_validation import vnu_errors

    make_applicant(app, ANNA)
    sign_in(client, app, ANNA)
    pages = {"account-to-link": client.get("/it/il-tuo-account").get_data(as_text=True)}
    assert through_spid(client, idp).status_code == 302
    pages["account-linked"] = client.get("/en/il-tuo-account").get_data(as_text=True)
    pages["organisation-with-representative"] = client.get("/it/domanda/organizzazione").get_data(as_text=True)
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", "off")
    pages["password-refused"] = app.test_client().get("/it/registrazione").get_data(as_text=True)
    files = []
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html)
        files.append(str(tmp_path / f"{name}.html"))
    assert vnu_errors(files) == []
