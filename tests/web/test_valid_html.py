"""Every page in every state is valid HTML for the Nu Html Checker (vnu.jar): zero errors."""

from __future__ import annotations

import shutil

from portal.demo.campaigns import seed_demo_campaigns
from portal.extensions import db
from portal.models import Assignment, Campaign
from tests.accounts import code_step, csrf_from, make_user, password_step, sign_in
from tests.applicants import draft, make_applicant
from tests.html_validation import VNU, vnu_errors
from tests.pages import CASES, DEMO_HOME_CASES
from tests.panel import STAFF, evaluated, submitted
from tests.registrations import lesson_ids


def test_every_page_is_valid_html(app, client, at, tmp_path):
    assert VNU.exists(), "vnu.jar is missing: `make test` runs `npm ci`"
    assert shutil.which("java"), "java is missing: `make test` installs a JRE"
    files = []
    for case, clock, path in CASES:
        at(clock)
        target = tmp_path / f"{case}.html"
        target.write_bytes(client.get(path).data)
        files.append(str(target))
    # Fragments htmx swaps in are checked inside a minimal document too.
    for case, path in (
        ("fragment-calc", "/it/bando/2020?costo=abc"),
        ("fragment-check", "/it/bando/verifica-requisiti?durata=x"),
    ):
        body = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
        target = tmp_path / f"{case}.html"
        target.write_text(f'<!doctype html><html lang="it"><head><title>f</title></head><body>{body}</body></html>')
        files.append(str(target))

    for case, html in [*back_office_pages(app), *application_pages(app)]:
        target = tmp_path / f"{case}.html"
        target.write_text(html)
        files.append(str(target))

    assert vnu_errors(files) == []


def back_office_pages(app) -> list[tuple[str, str]]:
    """The sign-in steps and the staff pages, with their error states."""
    pages = []
    enrolling = app.test_client()
    make_user(app, "new@comune.milano.example", enrolled=False)
    password_step(enrolling, "new@comune.milano.example")
    pages.append(("enrol", enrolling.get("/it/accesso/attiva-codice").get_data(as_text=True)))
    pages.append(("enrol-error", code_step(enrolling, "000000", path="accesso/attiva-codice").get_data(as_text=True)))

    staff = app.test_client()
    make_user(app, "staff@comune.milano.example")
    pages.append(("login-error", password_step(staff, "staff@comune.milano.example", "wrong").get_data(as_text=True)))
    password_step(staff, "staff@comune.milano.example")
    pages.append(("code", staff.get("/en/accesso/codice").get_data(as_text=True)))
    pages.append(("code-error", code_step(staff, "12", lang="en").get_data(as_text=True)))

    sign_in(staff, app, "staff@comune.milano.example")
    lesson = f"gestione/eventi/{lesson_ids(app)[0]}"
    for lang in ("it", "en"):
        for path in ("gestione/", "gestione/eventi", lesson, "gestione/registro"):
            response = staff.get(f"/{lang}/{path}")
            assert response.status_code == 200, path
            pages.append((f"{lang}-{path.replace('/', '-')}", response.get_data(as_text=True)))
    event = staff.get(f"/it/{lesson}").get_data(as_text=True)
    invalid = staff.post(
        f"/it/{lesson}",
        data={"csrf_token": csrf_from(event), "capacita": "x", "link_materiali": "javascript:x"},
    )
    pages.append(("event-errors", invalid.get_data(as_text=True)))
    return pages


def application_pages(app) -> list[tuple[str, str]]:
    """The applicant's area: every step empty, filled and with errors; review and receipt."""
    app.config["PORTAL_NOW"] = "2020-07-10T10:00:00+02:00"
    pages = []
    visitor = app.test_client()
    token = csrf_from(visitor.get("/it/registrazione").get_data(as_text=True))
    pages.append(
        ("sign-up-errors", visitor.post("/it/registrazione", data={"csrf_token": token}).get_data(as_text=True))
    )

    make_applicant(app, "new@org.example", 3, with_organisation=False)
    newcomer = app.test_client()
    sign_in(newcomer, app, "new@org.example")
    pages.append(("area-no-organisation", newcomer.get("/it/domanda/").get_data(as_text=True)))
    token = csrf_from(newcomer.get("/it/domanda/organizzazione").get_data(as_text=True))
    errors = newcomer.post("/it/domanda/organizzazione", data={"csrf_token": token, "codice_fiscale": "1"})
    pages.append(("organisation-errors", errors.get_data(as_text=True)))

    make_applicant(app, "anna@org.example", 0)
    anna = app.test_client()
    sign_in(anna, app, "anna@org.example")
    application_id = draft(app, "anna@org.example", complete=False)
    base = f"/en/domanda/{application_id}"
    for step in ("", "/progetto", "/tempi", "/budget", "/campagna", "/allegati", "/riepilogo"):
        pages.append((f"step{step.replace('/', '-')}", anna.get(base + step).get_data(as_text=True)))
        if step in ("/progetto", "/tempi", "/budget", "/campagna"):
            token = csrf_from(pages[-1][1])
            bad = {"csrf_token": token, "azione": "continua", "titolo": "x" * 200, "inizio": "31/02/2021"}
            bad |= {"righe-0-importo": "abc", "ricompense-0-importo": "-1"}
            pages.append(
                (f"step{step.replace('/', '-')}-errors", anna.post(base + step, data=bad).get_data(as_text=True))
            )
    pages.append(("area-home", anna.get("/it/domanda/").get_data(as_text=True)))

    make_applicant(app, "done@org.example", 1)
    done = app.test_client()
    sign_in(done, app, "done@org.example")
    submitted = draft(app, "done@org.example")
    review = done.get(f"/it/domanda/{submitted}/riepilogo").get_data(as_text=True)
    pages.append(("review-complete", review))
    ticks = {
        "csrf_token": csrf_from(review),
        "rappresentante": "y",
        "requisiti": "y",
        "veridicita": "y",
        "privacy": "y",
    }
    done.post(f"/it/domanda/{submitted}/riepilogo", data=ticks)
    pages.append(("receipt", done.get(f"/it/domanda/{submitted}/ricevuta").get_data(as_text=True)))
    return pages


def test_the_back_office_of_the_call_is_valid_html(app, at, tmp_path):
    at("2020-09-15T10:00:00+02:00")
    ids = submitted(app, 3)
    evaluated(app, ids[:2])
    staff = app.test_client()
    sign_in(staff, app, STAFF)
    pages = {
        "list": staff.get("/en/gestione/domande?q=progetto&ordina=costo"),
        "application": staff.get(f"/it/gestione/domande/{ids[0]}"),
        "ranking": staff.get("/it/gestione/graduatoria"),
        "people": staff.get("/it/gestione/valutatori"),
        "campaigns-empty": staff.get("/en/gestione/campagne"),
    }
    token = csrf_from(pages["ranking"].get_data(as_text=True))
    staff.post(
        f"/it/gestione/domande/{ids[0]}/decisione",
        data={"csrf_token": token, "decisione": "seleziona", "conferma": "1200000"},
    )
    bad_launch = staff.post(f"/it/gestione/domande/{ids[0]}/campagna", data={"csrf_token": token, "inizio": "x"})
    pages["launch-error"] = bad_launch
    staff.post(f"/it/gestione/domande/{ids[0]}/campagna", data={"csrf_token": token, "inizio": "30/10/2020"})
    pages["campaigns"] = staff.get("/it/gestione/campagne")
    with app.app_context():
        campaign_id = db.session.scalars(db.select(Campaign.id)).one()
        assignment_id = db.session.scalars(db.select(Assignment.id).filter_by(application_id=ids[1])).first()
        evaluator_email = db.session.get(Assignment, assignment_id).evaluator.email
    pages["campaign"] = staff.get(f"/it/gestione/campagne/{campaign_id}")
    evaluator = app.test_client()
    sign_in(evaluator, app, evaluator_email)
    pages["assignments"] = evaluator.get("/en/valutazione/")
    pages["scores"] = evaluator.get(f"/it/valutazione/{assignment_id}")
    pages["editions"] = staff.get("/it/gestione/edizioni")
    pages["edition"] = staff.get("/en/gestione/edizioni/2020")
    pages["edition-errors"] = staff.post(
        "/it/gestione/edizioni/2016", data={"csrf_token": token, "soglia": "500", "criteri-0-peso": "x"}
    )
    files = []
    for case, response in pages.items():
        assert response.status_code in (200, 409), case
        target = tmp_path / f"{case}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []


def test_the_home_page_with_the_demo_campaigns_is_valid_html(app, client, at, tmp_path):
    with app.app_context():
        seed_demo_campaigns()
    files = []
    for case, clock, path in DEMO_HOME_CASES:
        at(clock)
        target = tmp_path / f"{case}.html"
        target.write_bytes(client.get(path).data)
        files.append(str(target))
    assert vnu_errors(files) == []
