"""Signing up and asking for a new password do the same work for an address with an account and for
one without: one password hash (sign-up), one message in the outbox. Counted, not timed, so that
no one can tell by the answer's timing whether an address is registered."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.models import OutboxMessage, Role, User
from portal.services.accounts import accounts
from tests.accounts import PASSWORD, csrf_from, make_user

KNOWN = "anna@cordata.example"
DISABLED = "bruno@cordata.example"
UNKNOWN = "nobody@cordata.example"


@pytest.fixture
def people(app):
    make_user(app, KNOWN, Role.APPLICANT, enrolled=False)
    make_user(app, DISABLED, Role.APPLICANT, enrolled=False)
    with app.app_context():
        user = accounts.user_by_email(DISABLED)
        user.disabled_at = user.created_at
        db.session.commit()


@pytest.fixture
def work(app, monkeypatch):
    """Counts the password hashes made and the messages queued by one request."""
    hashes: list[str] = []
    real = accounts.generate_password_hash

    def counting(password: str, *args, **kwargs) -> str:
        hashes.append(password)
        return real(password, *args, **kwargs)

    monkeypatch.setattr(accounts, "generate_password_hash", counting)

    def measure(request) -> dict[str, int]:
        hashes.clear()
        with app.app_context():
            before = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))
        response = request()
        assert response.status_code == 200
        with app.app_context():
            after = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))
            db.session.remove()
        return {"password hashes": len(hashes), "outbox messages": after - before}

    return measure


def sign_up(client, email: str, lang: str = "it"):
    token = csrf_from(client.get(f"/{lang}/registrazione").get_data(as_text=True))
    data = {"csrf_token": token, "nome": "Anna Rossi", "email": email, "password": PASSWORD, "conferma": PASSWORD}
    return client.post(f"/{lang}/registrazione", data={**data, "privacy": "y"})


def ask_reset(client, email: str, lang: str = "it"):
    token = csrf_from(client.get(f"/{lang}/password-dimenticata").get_data(as_text=True))
    return client.post(f"/{lang}/password-dimenticata", data={"csrf_token": token, "email": email})


def test_sign_up_does_the_same_work_for_a_registered_address_and_a_new_one(app, people, work):
    new = work(lambda: sign_up(app.test_client(), UNKNOWN))
    registered = work(lambda: sign_up(app.test_client(), KNOWN))
    disabled = work(lambda: sign_up(app.test_client(), DISABLED))
    assert new == registered == disabled == {"password hashes": 1, "outbox messages": 1}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 3  # one account created


def test_a_reset_request_does_the_same_work_for_a_registered_address_and_an_unknown_one(app, people, work):
    unknown = work(lambda: ask_reset(app.test_client(), UNKNOWN))
    registered = work(lambda: ask_reset(app.test_client(), KNOWN))
    disabled = work(lambda: ask_reset(app.test_client(), DISABLED))
    assert unknown == registered == disabled == {"password hashes": 0, "outbox messages": 1}


def messages_to(app, email: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage).filter_by(to=email)))


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("it", ("non c'è un account attivo", "/it/registrazione")),
        ("en", ("there is no active Crowdfunding Civico account", "/en/registrazione")),
    ],
)
def test_a_reset_request_for_an_address_without_an_account_says_so_to_that_mailbox(app, people, lang, says):
    ask_reset(app.test_client(), UNKNOWN, lang)
    (message,) = messages_to(app, UNKNOWN)
    assert all(part in message.body for part in says), message.body
    assert "nuova-password" not in message.body  # no link that could set a password


def test_a_password_equal_to_the_address_is_refused_alike_for_a_registered_address_and_a_new_one(app, people):
    pages = []
    for email in (KNOWN, "anna.rossi.12@cordata.example"):
        client = app.test_client()
        token = csrf_from(client.get("/it/registrazione").get_data(as_text=True))
        data = {"csrf_token": token, "nome": "Anna", "email": email, "password": email, "conferma": email}
        response = client.post("/it/registrazione", data={**data, "privacy": "y"})
        assert response.status_code == 200
        page = response.get_data(as_text=True).replace(email, "X")
        assert "<title>Errore:" in page and "non può essere l&#39;indirizzo e-mail" in page
        pages.append(re.sub(r'name="csrf_token"[^>]*>', "", page))
    assert pages[0] == pages[1]
    assert messages_to(app, KNOWN) == []
    with app.app_context():
        assert accounts.user_by_email("anna.rossi.12@cordata.example") is None
