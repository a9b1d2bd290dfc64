"""Nobody reads, changes or downloads another organisation's application: every URL of the area."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Application, Attachment, Role
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import draft, make_applicant

OWNER, OTHER = "owner@org.example", "other@org.example"


@pytest.fixture(autouse=True)
def _july_10(at):
    at("2020-07-10T10:00:00+02:00")


def urls(application_id: int, attachment_id: int) -> list[tuple[str, str]]:
    base = f"/it/domanda/{application_id}"
    pages = ["/", "/progetto", "/tempi", "/budget", "/campagna", "/allegati", "/riepilogo", "/ricevuta"]
    return [
        *(("GET", base + page) for page in pages),
        *(("POST", base + page) for page in pages[1:]),
        ("GET", f"{base}/allegati/{attachment_id}"),
        ("POST", f"{base}/allegati/{attachment_id}/elimina"),
    ]


def snapshot(app, application_id):
    with app.app_context():
        application = db.session.get(Application, application_id)
        return (application.title, application.status, application.updated_at, len(application.attachments))


@pytest.fixture
def owned(app):
    make_applicant(app, OWNER, 0)
    application_id = draft(app, OWNER)
    with app.app_context():
        attachment_id = db.session.scalars(db.select(Attachment.id)).one()
    return application_id, attachment_id


@pytest.mark.parametrize("who", ["anonymous", "other applicant", "evaluator"])
def test_every_url_refuses_anyone_but_the_owner(app, client, owned, who):
    application_id, attachment_id = owned
    before = snapshot(app, application_id)
    if who == "other applicant":
        make_applicant(app, OTHER, 1)
        draft(app, OTHER, title="Someone else's")
        sign_in(client, app, OTHER)
    elif who == "evaluator":
        make_user(app, "eval@comune.milano.example", Role.EVALUATOR)
        sign_in(client, app, "eval@comune.milano.example")
    token = csrf_from(client.get("/it/accesso" if who == "anonymous" else "/it/contatti").get_data(as_text=True))
    data = {"csrf_token": token, "titolo": "Hijacked", "azione": "bozza", "conferma": "y", "rappresentante": "y"}
    for method, url in urls(application_id, attachment_id):
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        body = response.get_data()
        expected = {"anonymous": {302}, "other applicant": {404}, "evaluator": {403, 404}}[who]
        assert response.status_code in expected, (method, url, response.status_code)
        assert b"Lab Barona" not in body and b"%PDF" not in body, url
    assert snapshot(app, application_id) == before


def test_staff_may_download_an_attachment_and_the_owner_everything(app, client, owned):
    application_id, attachment_id = owned
    make_user(app, "staff@comune.milano.example", Role.STAFF)
    sign_in(client, app, "staff@comune.milano.example")
    assert client.get(f"/it/domanda/{application_id}/allegati/{attachment_id}").data.startswith(b"%PDF")
    owner = app.test_client()
    sign_in(owner, app, OWNER)
    for method, url in urls(application_id, attachment_id):
        if method == "GET":
            assert owner.get(url).status_code in (200, 302), url
