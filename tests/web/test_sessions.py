"""Sessions end on the server: a copy of the session cookie taken before signing out (or before a
password or second-factor reset) opens nothing afterwards, on any device."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from portal.extensions import db
from portal.models import OutboxMessage, Role
from tests.accounts import PASSWORD, code_step, csrf_from, make_user, password_step, user_by_email

ANNA = "anna@cordata.example"
STAFF = "giulia@comune.milano.example"
NEW_PASSWORD = "a brand new long passphrase"
# A page of the reserved area for each role: it answers 200 only to a signed-in session.
PRIVATE = {Role.APPLICANT: "/it/domanda/", Role.STAFF: "/it/gestione/"}


def signed_in(app, email: str, role: Role, secret: str | None):
    """A fresh client signed in through the real forms (password, then the code for staff)."""
    client = app.test_client()
    password_step(client, email)
    if secret:
        code_step(client, pyotp.TOTP(secret).at(_fresh_moment(app, email)))
    assert client.get(PRIVATE[role]).status_code == 200
    return client


def _fresh_moment(app, email: str) -> float:
    """A moment whose TOTP step was not used yet: each device signs in with its own code."""
    last = user_by_email(app, email).totp_last_step
    now = time.time()
    return now if last is None or int(now // 30) > last else (last + 1) * 30 + 1


def copy_of_cookie(client):
    """Another browser holding the same session cookie, as someone who copied it would."""
    cookie = client.get_cookie("session")
    thief = client.application.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def sign_out(client) -> None:
    token = csrf_from(client.get("/it/contatti").get_data(as_text=True))
    response = client.post("/it/esci", data={"csrf_token": token})
    assert response.headers["Location"] == "/it/"


def is_signed_out(client, role: Role) -> bool:
    response = client.get(PRIVATE[role])
    return response.status_code == 302 and response.headers["Location"].startswith("/it/accesso")


@pytest.fixture
def accounts_(app):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    return {Role.APPLICANT: (ANNA, None), Role.STAFF: (STAFF, make_user(app, STAFF, Role.STAFF))}


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.STAFF])
def test_a_cookie_copied_before_signing_out_opens_nothing_afterwards(app, accounts_, role):
    email, secret = accounts_[role]
    client = signed_in(app, email, role, secret)
    thief = copy_of_cookie(client)
    assert thief.get(PRIVATE[role]).status_code == 200  # the copy works while the session lives

    sign_out(client)
    assert is_signed_out(thief, role)
    assert is_signed_out(client, role)
    for path in ("/it/domanda/riprendi", "/it/gestione/domande", "/it/valutazione/"):
        assert thief.get(path).status_code == 302, path


def test_signing_out_on_one_device_signs_out_every_device(app, accounts_):
    email, secret = accounts_[Role.STAFF]
    laptop = signed_in(app, email, Role.STAFF, secret)
    phone = signed_in(app, email, Role.STAFF, secret)
    sign_out(phone)
    assert is_signed_out(laptop, Role.STAFF)


def test_signing_out_of_a_session_already_ended_elsewhere_says_goodbye(app, accounts_):
    email, secret = accounts_[Role.APPLICANT]
    laptop = signed_in(app, email, Role.APPLICANT, secret)
    phone = signed_in(app, email, Role.APPLICANT, secret)
    token = csrf_from(laptop.get("/it/contatti").get_data(as_text=True))
    sign_out(phone)
    response = laptop.post("/it/esci", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200 and "Hai lasciato l&#39;area riservata." in response.get_data(as_text=True)


def test_signing_in_again_after_signing_out_works_and_the_old_copy_still_does_not(app, accounts_):
    email, secret = accounts_[Role.APPLICANT]
    client = signed_in(app, email, Role.APPLICANT, secret)
    thief = copy_of_cookie(client)
    sign_out(client)
    again = signed_in(app, email, Role.APPLICANT, secret)
    assert again.get(PRIVATE[Role.APPLICANT]).status_code == 200
    assert is_signed_out(thief, Role.APPLICANT)


def _reset_link(app, email: str) -> str:
    with app.app_context():
        message = db.session.scalars(
            db.select(OutboxMessage).filter_by(to=email).order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r"http://127\.0\.0\.1:5000(/\S+)", message.body).group(1)


def test_a_password_reset_ends_every_session_and_every_copy(app, accounts_):
    email, secret = accounts_[Role.APPLICANT]
    client = signed_in(app, email, Role.APPLICANT, secret)
    thief = copy_of_cookie(client)

    other = app.test_client()
    token = csrf_from(other.get("/it/password-dimenticata").get_data(as_text=True))
    other.post("/it/password-dimenticata", data={"csrf_token": token, "email": email})
    link = _reset_link(app, email)
    token = csrf_from(other.get(link).get_data(as_text=True))
    response = other.post(link, data={"csrf_token": token, "password": NEW_PASSWORD, "conferma": NEW_PASSWORD})
    assert response.headers["Location"] == "/it/accesso"

    assert is_signed_out(client, Role.APPLICANT)
    assert is_signed_out(thief, Role.APPLICANT)
    assert password_step(app.test_client(), email, PASSWORD).status_code == 200  # the old password is refused
    assert password_step(app.test_client(), email, NEW_PASSWORD).headers["Location"] == "/it/domanda/riprendi"


def test_a_second_factor_reset_ends_every_session_and_every_copy(app, runner, accounts_):
    email, secret = accounts_[Role.STAFF]
    client = signed_in(app, email, Role.STAFF, secret)
    thief = copy_of_cookie(client)
    result = runner.invoke(args=["reset-second-factor", email])
    assert result.exit_code == 0, result.output
    assert is_signed_out(client, Role.STAFF)
    assert is_signed_out(thief, Role.STAFF)
    assert password_step(app.test_client(), email).headers["Location"] == "/it/accesso/attiva-codice"
