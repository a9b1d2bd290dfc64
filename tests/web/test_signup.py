"""Applicants' accounts: sign up, confirm by e-mail (real SMTP), reset a password; no hints to strangers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from portal.extensions import db
from portal.models import OutboxMessage, Role
from portal.services.accounts import accounts, signup
from portal.services.mail import deliver_pending
from tests.accounts import PASSWORD, csrf_from, make_user, password_step
from tests.smtp import SMTPServer, free_port

NEW_PASSWORD = "a brand new long passphrase"


def sign_up(client, email="anna@cordata.example", password=PASSWORD, lang="it", **extra):
    token = csrf_from(client.get(f"/{lang}/registrazione").get_data(as_text=True))
    data = {"csrf_token": token, "nome": "Anna Rossi", "email": email, "password": password, "conferma": password}
    return client.post(f"/{lang}/registrazione", data={**data, "privacy": "y", **extra})


def mails_to(app, email) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage).filter_by(to=email).order_by(OutboxMessage.id)))


def link_in(message: OutboxMessage) -> str:
    return re.search(r"http://127\.0\.0\.1:5000(/\S+)", message.body).group(1)


def test_sign_up_confirm_by_email_over_smtp_then_sign_in(app, client, monkeypatch):
    port = free_port()
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}.items():
        monkeypatch.setitem(app.config, key, value)
    response = sign_up(client)
    assert "Controlla la tua e-mail" in response.get_data(as_text=True)
    with SMTPServer(port) as server, app.app_context():
        assert deliver_pending(datetime.now(UTC)) == (1, 0)
        (message,) = server.inbox.messages
    assert message["Subject"] == "Conferma il tuo indirizzo e-mail – Crowdfunding Civico"
    link = re.search(r"http://127\.0\.0\.1:5000(/\S+)", message.get_body(("plain",)).get_content()).group(1)

    assert "conferma il tuo indirizzo" in password_step(client, "anna@cordata.example").get_data(as_text=True)
    assert client.get(link).headers["Location"] == "/it/accesso"
    assert password_step(client, "anna@cordata.example").headers["Location"] == "/it/domanda/riprendi"
    with app.app_context():
        assert accounts.user_by_email("anna@cordata.example").role is Role.APPLICANT


def test_signing_up_with_a_registered_address_reveals_nothing(app, client):
    make_user(app, "anna@cordata.example", Role.APPLICANT, enrolled=False)
    fresh = sign_up(app.test_client(), email="nobody@cordata.example").get_data(as_text=True)
    known = sign_up(client, email="anna@cordata.example").get_data(as_text=True)
    assert known.replace("anna@", "X@") == fresh.replace("nobody@", "X@")  # the same page either way
    (message,) = mails_to(app, "anna@cordata.example")
    assert "un account esiste già" in message.body  # the owner is told, by e-mail only


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password": "short", "conferma": "short"}, "almeno 12 caratteri"),
        ({"conferma": "something else entirely"}, "Le due password non coincidono"),
        ({"email": "not-an-address"}, "indirizzo e-mail valido"),
        ({"privacy": ""}, "conferma di aver letto l'informativa sul trattamento dei dati personali"),
    ],
)
def test_sign_up_errors_are_explained_and_create_nothing(app, client, change, message):
    token = csrf_from(client.get("/it/registrazione").get_data(as_text=True))
    data = {"csrf_token": token, "nome": "Anna", "email": "anna@cordata.example", "password": PASSWORD}
    data |= {"conferma": PASSWORD, "privacy": "y", **change}
    text = client.post("/it/registrazione", data=data).get_data(as_text=True)
    assert "<title>Errore:" in text and message in text
    with app.app_context():
        assert accounts.user_by_email("anna@cordata.example") is None


def request_reset(client, email):
    token = csrf_from(client.get("/it/password-dimenticata").get_data(as_text=True))
    return client.post("/it/password-dimenticata", data={"csrf_token": token, "email": email})


def choose_password(client, link, password=NEW_PASSWORD):
    token = csrf_from(client.get(link).get_data(as_text=True))
    return client.post(link, data={"csrf_token": token, "password": password, "conferma": password})


def test_a_reset_link_works_once(app, client):
    make_user(app, "anna@cordata.example", Role.APPLICANT, enrolled=False)
    unknown = request_reset(client, "nobody@cordata.example").get_data(as_text=True)
    known = request_reset(client, "anna@cordata.example").get_data(as_text=True)
    assert known.replace("anna@", "X@") == unknown.replace("nobody@", "X@")
    (no_account,) = mails_to(app, "nobody@cordata.example")  # that mailbox learns there is no account
    assert "nuova-password" not in no_account.body
    (message,) = mails_to(app, "anna@cordata.example")
    link = link_in(message)

    assert choose_password(client, link).headers["Location"] == "/it/accesso"
    assert password_step(client, "anna@cordata.example", NEW_PASSWORD).status_code == 302
    again = client.get(link)  # the password it was made for has changed
    assert again.headers["Location"] == "/it/password-dimenticata"


def test_a_reset_link_expires(app, client, monkeypatch):
    make_user(app, "anna@cordata.example", Role.APPLICANT, enrolled=False)
    request_reset(client, "anna@cordata.example")
    link = link_in(mails_to(app, "anna@cordata.example")[0])
    monkeypatch.setattr(signup, "RESET_SECONDS", -1)
    response = client.get(link, follow_redirects=True)
    assert "Il link è scaduto" in response.get_data(as_text=True)
    assert password_step(client, "anna@cordata.example", PASSWORD).status_code == 302  # the old one still works


def test_a_tampered_link_is_refused(client):
    response = client.get("/it/registrazione/conferma/not-a-token", follow_redirects=True)
    assert "non è valido" in response.get_data(as_text=True)
    assert client.get("/it/nuova-password/x.y.z", follow_redirects=True).status_code == 200


def test_a_new_password_ends_other_sessions(app, client):
    make_user(app, "anna@cordata.example", Role.APPLICANT, enrolled=False)
    other = app.test_client()
    password_step(other, "anna@cordata.example")
    assert other.get("/it/domanda/").status_code == 200
    request_reset(client, "anna@cordata.example")
    choose_password(client, link_in(mails_to(app, "anna@cordata.example")[0]))
    assert other.get("/it/domanda/").status_code == 302
