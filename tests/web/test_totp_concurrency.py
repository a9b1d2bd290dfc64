"""On PostgreSQL: one second-factor code signs in once, even when several requests carry it at the
same moment (someone who read the code over a shoulder races its owner)."""

from __future__ import annotations

import pyotp
import pytest

from portal.extensions import db
from portal.models import User
from tests.accounts import csrf_from, make_user, password_step
from tests.concurrency import run_together

pytestmark = pytest.mark.postgres
STAFF = "giulia@comune.milano.example"
SESSIONS = 4


def warm_pool(app, size: int) -> None:
    """Open the connections the racing requests will use, as a running server has them: otherwise
    the first request finishes while the others are still connecting, and nothing races."""
    with app.app_context():
        connections = [db.engine.connect() for _ in range(size)]
        for connection in connections:
            connection.close()


def test_one_code_raced_in_four_sessions_signs_in_exactly_one(app):
    secret = make_user(app, STAFF)
    clients = [app.test_client() for _ in range(SESSIONS)]
    tokens = []
    for client in clients:
        assert password_step(client, STAFF).headers["Location"] == "/it/accesso/codice"
        tokens.append(csrf_from(client.get("/it/accesso/codice").get_data(as_text=True)))
    code = pyotp.TOTP(secret).now()
    warm_pool(app, SESSIONS)

    def post_code(client, token):
        response = client.post("/it/accesso/codice", data={"csrf_token": token, "code": code})
        return response.status_code, response.headers.get("Location"), response.get_data(as_text=True)

    results, errors = run_together(
        app, [lambda c=c, t=t: post_code(c, t) for c, t in zip(clients, tokens, strict=True)]
    )
    assert errors == [] and len(results) == SESSIONS
    signed_in = [result for result in results if result[0] == 302]
    refused = [result for result in results if result[0] == 200]
    assert [location for _, location, _ in signed_in] == ["/it/gestione/"]
    assert len(refused) == SESSIONS - 1
    assert all("già stato usato" in page for _, _, page in refused)
    assert sum(client.get("/it/gestione/").status_code == 200 for client in clients) == 1
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email=STAFF)).one()
        assert user.totp_last_step is not None and user.last_login_at is not None
