"""Linking an e-mail account to SPID/CIE, once, from inside it; never silently by e-mail. Through the
whole SAML exchange with the test identity provider of tests/spid.py."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import AuditEntry, Role, User
from tests.accounts import make_user, sign_in
from tests.spid import FISCAL_CODE, through_spid, trusted_test_idp

ANNA = "anna@example.org"
OTHER_FISCAL_CODE = "BNCLRA85M41F205Y"


@pytest.fixture
def idp(app, data, tmp_path, monkeypatch):
    return trusted_test_idp(app, tmp_path, monkeypatch)


def account(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email=email)).one()
        db.session.expunge(user)
        return user


def set_fiscal_code(app, email: str, fiscal_code: str) -> None:
    with app.app_context():
        db.session.scalars(db.select(User).filter_by(email=email)).one().fiscal_code = fiscal_code
        db.session.commit()


def link_audits(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEntry).filter_by(action="account.spid_linked")))


def test_the_account_page_offers_to_link_spid_or_cie(app, client, idp):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    sign_in(client, app, ANNA)
    page = client.get("/it/il-tuo-account").get_data(as_text=True)
    assert "Collega SPID o CIE" in page and "Non collegato." in page
    assert "/it/accesso/spid?idp=https://idp.test.example/metadata" in page.replace("%3A", ":").replace("%2F", "/")


def test_a_signed_in_account_links_spid_once_and_then_enters_with_it(app, client, idp):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    sign_in(client, app, ANNA)
    answer = through_spid(client, idp)  # an e-mail at the identity provider unlike the account's: no matter
    assert answer.status_code == 302
    anna = account(app, ANNA)
    assert anna.fiscal_code == FISCAL_CODE
    [audit] = link_audits(app)
    assert audit.actor_id == anna.id and audit.subject_id == anna.id
    assert audit.changes["fiscal_code"] == [None, FISCAL_CODE]
    page = client.get("/it/il-tuo-account").get_data(as_text=True)
    assert f"Collegato: codice fiscale {FISCAL_CODE}." in page and "Collega SPID o CIE" not in page

    other_browser = app.test_client()
    assert through_spid(other_browser, idp).status_code == 302
    with other_browser.session_transaction() as session:
        assert session["_user_id"].startswith(f"{anna.id}:")  # the same account, no new one
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User).filter_by(fiscal_code=FISCAL_CODE)) == 1


def test_linking_is_refused_when_another_account_has_that_identity(app, client, idp):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    make_user(app, "mario@example.org", Role.APPLICANT, enrolled=False)
    set_fiscal_code(app, "mario@example.org", FISCAL_CODE)
    sign_in(client, app, ANNA)
    answer = through_spid(client, idp)
    assert answer.status_code == 403
    assert "già collegata a un altro account" in answer.get_data(as_text=True)
    assert account(app, ANNA).fiscal_code is None and link_audits(app) == []


def test_linking_is_refused_when_the_account_has_another_identity(app, client, idp):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    set_fiscal_code(app, ANNA, OTHER_FISCAL_CODE)
    sign_in(client, app, ANNA)
    answer = through_spid(client, idp)
    assert answer.status_code == 403
    assert "già collegato a un'altra identità" in answer.get_data(as_text=True)
    assert account(app, ANNA).fiscal_code == OTHER_FISCAL_CODE and link_audits(app) == []


def test_someone_arriving_by_spid_with_an_accounts_email_is_told_to_link_from_it(app, client, idp):
    make_user(app, "mario.rossi@example.org", Role.APPLICANT, enrolled=False)
    answer = through_spid(client, idp)  # the identity provider's e-mail is that account's
    assert answer.status_code == 403
    assert "accedi con la password per collegarlo a SPID o CIE" in answer.get_data(as_text=True)
    assert account(app, "mario.rossi@example.org").fiscal_code is None
    with client.session_transaction() as session:
        assert "_user_id" not in session
    with app.app_context():
        assert db.session.scalars(db.select(User).filter_by(fiscal_code=FISCAL_CODE)).first() is None
