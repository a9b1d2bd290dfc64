"""Signing in: password, then the second factor for back-office roles; no open doors, no hints."""

from __future__ import annotations

import time

import pyotp
import pytest
from werkzeug.security import generate_password_hash

from portal.extensions import db
from portal.models import Role
from portal.services.accounts import accounts
from tests.accounts import PASSWORD, code_step, csrf_from, make_user, password_step, user_by_email

STAFF = "giulia@comune.milano.example"


@pytest.fixture
def secret(app):
    return make_user(app, STAFF)


def test_staff_need_the_code_after_the_password(app, client, secret):
    response = password_step(client, STAFF, next_url="/it/gestione/eventi")
    assert response.headers["Location"] == "/it/accesso/codice"
    # The password alone opens nothing.
    assert client.get("/it/gestione/").headers["Location"].startswith("/it/accesso")

    response = code_step(client, pyotp.TOTP(secret).now())
    assert response.headers["Location"] == "/it/gestione/eventi"
    assert client.get("/it/gestione/eventi").status_code == 200
    assert user_by_email(app, STAFF).last_login_at is not None


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(app, client, secret):
    wrong = password_step(client, STAFF, password="not the password")
    unknown = password_step(client, "nobody@example.org", password="not the password")
    for response, email in ((wrong, STAFF), (unknown, "nobody@example.org")):
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<title>Errore:" in text
        assert "E-mail o password non corrette" in text
        assert f'value="{email}"' in text  # the address is kept, the password never echoed
        assert "not the password" not in text


def test_a_password_hashed_by_another_method_still_signs_in(app, client, secret):
    """The suite hashes cheaply (TestConfig); a production scrypt hash is read by its own method."""
    assert user_by_email(app, STAFF).password_hash.startswith("pbkdf2:sha256:1000$")
    with app.app_context():
        user = accounts.user_by_email(STAFF)
        user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
        db.session.commit()
    assert password_step(client, STAFF).headers["Location"] == "/it/accesso/codice"
    assert password_step(app.test_client(), STAFF, password="not the password").status_code == 200


def test_a_code_cannot_be_used_twice(app, client, secret):
    code = pyotp.TOTP(secret).now()
    password_step(client, STAFF)
    assert code_step(client, code).status_code == 302
    client.post("/it/esci", data={"csrf_token": csrf_from(client.get("/it/").get_data(as_text=True))})

    password_step(client, STAFF)
    response = code_step(client, code)
    assert response.status_code == 200
    assert "già stato usato" in response.get_data(as_text=True)
    assert client.get("/it/gestione/").status_code == 302


def test_a_wrong_code_is_refused_with_a_message(client, secret):
    password_step(client, STAFF)
    for code, message in (("000000", "non è valido"), ("12ab", "6 cifre")):
        response = code_step(client, code)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)


def test_first_sign_in_sets_up_the_authenticator_with_a_qr_code(app, client):
    make_user(app, STAFF, enrolled=False)
    assert password_step(client, STAFF).headers["Location"] == "/it/accesso/attiva-codice"
    page = client.get("/it/accesso/attiva-codice").get_data(as_text=True)
    assert '<svg role="img"' in page and "otpauth" not in page  # the QR is drawn, the URI not printed
    secret = user_by_email(app, STAFF).totp_secret
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page

    assert code_step(client, "123456", path="accesso/attiva-codice").status_code == 200
    response = code_step(client, pyotp.TOTP(secret).now(), path="accesso/attiva-codice")
    assert response.headers["Location"] == "/it/gestione/"
    assert user_by_email(app, STAFF).totp_enabled_at is not None


def test_the_code_step_expires(app, client, secret):
    password_step(client, STAFF)
    token = csrf_from(client.get("/it/accesso/codice").get_data(as_text=True))
    with client.session_transaction() as session:
        session["pending_login"] = {**session["pending_login"], "at": time.time() - 301}
    response = client.post("/it/accesso/codice", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/it/accesso"
    assert client.get("/it/gestione/").status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_after_sign_in_people_stay_on_this_site(client, secret, target):
    password_step(client, STAFF, next_url=target)
    assert code_step(client, pyotp.TOTP(secret).now()).headers["Location"] == "/it/gestione/"


def test_sign_out_ends_the_session(client, secret):
    password_step(client, STAFF)
    code_step(client, pyotp.TOTP(secret).now())
    assert client.get("/it/esci").status_code == 405  # a link cannot sign anyone out
    token = csrf_from(client.get("/it/gestione/").get_data(as_text=True))
    assert client.post("/it/esci", data={"csrf_token": token}).headers["Location"] == "/it/"
    assert client.get("/it/gestione/").status_code == 302


def test_resetting_the_second_factor_ends_every_session(app, client, secret):
    password_step(client, STAFF)
    code_step(client, pyotp.TOTP(secret).now())
    with app.app_context():
        accounts.reset_second_factor(accounts.user_by_email(STAFF))
    assert client.get("/it/gestione/").status_code == 302
    assert password_step(client, STAFF).headers["Location"] == "/it/accesso/attiva-codice"


def test_a_disabled_account_cannot_sign_in(app, client, secret):
    with app.app_context():
        accounts.user_by_email(STAFF).disabled_at = accounts.user_by_email(STAFF).created_at
        db.session.commit()
    assert "E-mail o password non corrette" in password_step(client, STAFF).get_data(as_text=True)


def test_sign_in_attempts_are_rate_limited(app, client, secret):
    codes = [password_step(client, STAFF, password="wrong password!").status_code for _ in range(11)]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429


def test_the_sign_in_pages_speak_english(client, secret):
    page = client.get("/en/accesso").get_data(as_text=True)
    assert "Sign in" in page
    response = password_step(client, STAFF, lang="en")
    assert response.headers["Location"] == "/en/accesso/codice"
    assert "authenticator app" in client.get("/en/accesso/codice").get_data(as_text=True)


def test_create_user_command_refuses_a_short_password(app, runner):
    result = runner.invoke(
        args=["create-user", "--email", "a@comune.milano.example", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0 and "at least 12" in result.output
    result = runner.invoke(
        args=["create-user", "--email", "A@Comune.Milano.example", "--name", "A", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert accounts.user_by_email("a@comune.milano.example").role is Role.STAFF
