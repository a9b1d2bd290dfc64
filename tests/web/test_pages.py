"""Every page answers in both languages, in every state, with the layout people rely on."""

import re

import pytest

from tests.pages import CASES, NOT_FOUND_IDS, PLEDGE_CLOCK, PLEDGE_STATES, pledge_status_paths


@pytest.mark.parametrize(("case", "clock", "path"), CASES, ids=[c[0] for c in CASES])
def test_every_page_answers_in_its_language(client, at, case, clock, path):
    at(clock)
    response = client.get(path)
    assert response.status_code == (404 if case in NOT_FOUND_IDS else 200)
    assert response.content_type == "text/html; charset=utf-8"
    html = response.get_data(as_text=True)
    lang = path.split("/")[1]
    assert f'<html lang="{lang}">' in html
    # The skip link comes first and the main landmark is its target.
    assert html.index('href="#main"') < html.index("<header")
    assert '<main id="main"' in html
    # The language switch leads to the same page in the other language.
    other = "en" if lang == "it" else "it"
    switched = path.replace(f"/{lang}/", f"/{other}/", 1).replace("&", "&amp;")
    assert f'href="{switched}" hreflang="{other}"' in html


@pytest.mark.parametrize(
    ("accept", "target"),
    [("en-GB,en;q=0.9", "/en/"), ("it-IT,it;q=0.9,en;q=0.8", "/it/"), ("de-DE", "/it/"), (None, "/it/")],
)
def test_root_redirects_by_accept_language(client, accept, target):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == target
    assert "Accept-Language" in response.headers["Vary"]


def test_an_unknown_language_is_not_found(client):
    assert client.get("/fr/bando/2020").status_code == 404


def test_not_found_page_speaks_the_language_of_the_path(client):
    assert "Pagina non trovata" in client.get("/it/nulla").get_data(as_text=True)
    assert "Page not found" in client.get("/en/nothing").get_data(as_text=True)


@pytest.mark.parametrize(("lang", "text"), [("it", "Si è verificato un errore"), ("en", "Something went wrong")])
def test_server_errors_get_a_page_in_the_visitors_language(app, client, monkeypatch, lang, text):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("portal.blueprints.pages.views.home_page", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get(f"/{lang}/")
    assert response.status_code == 500
    assert text in response.get_data(as_text=True)
    assert "database on fire" not in response.get_data(as_text=True)


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_pages_load_nothing_from_elsewhere(client):
    response = client.get("/it/bando/2020")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    html = response.get_data(as_text=True)
    # Every script, stylesheet, font and image comes from this site.
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        if src.startswith("http"):
            assert re.search(r"<a [^>]*href=\"" + re.escape(src), html), f"{src} is loaded from elsewhere"


def test_the_footer_links_the_pages_every_municipal_site_has(client):
    html = client.get("/it/").get_data(as_text=True)
    for path in ("/it/accessibilita", "/it/privacy", "/it/note-legali", "/it/cookie", "/it/contatti"):
        assert f'href="{path}"' in html


def test_the_simulated_clock_is_announced_only_when_the_clock_is_fixed(client, at):
    at("2020-06-01T10:00:00+02:00")
    assert "Data simulata" in client.get("/it/").get_data(as_text=True)
    at("")
    assert "Data simulata" not in client.get("/it/").get_data(as_text=True)


def test_the_error_page_renders_even_when_the_database_is_down(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("portal.services.editions.editions.db.session.execute", unreachable)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/it/")
    assert response.status_code == 503  # unreachable, not broken: portal/errors.py, `unavailable`
    assert "Servizio momentaneamente non disponibile" in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503


# What the supporter's page says in each state `tests.pages.pledge_status_paths` builds (the axe cases).
PLEDGE_STATE_SAYS = {
    "card-confirming": "Stiamo ricevendo la conferma del pagamento",
    "card-not-paid": "Il pagamento non è stato fatto",
    "card-not-started": "Pagamento con carta non avviato",
    "transfer-pending": "Come pagare con un bonifico",
    "confirmed": "Pagamento ricevuto",
    "expired": "Sostegno scaduto",
    "cancelled": "Sostegno annullato",
    "refund-due": "Rimborso in corso",
    "refund-iban": "IBAN del conto",
}


def test_the_pledge_states_checked_by_axe_are_each_what_they_say(app, client, at):
    at(PLEDGE_CLOCK)
    paths = pledge_status_paths(app)
    assert set(paths) == set(PLEDGE_STATES) == set(PLEDGE_STATE_SAYS)
    for state, path in paths.items():
        response = client.get(f"/it/{path}")
        assert response.status_code == 200, state
        assert PLEDGE_STATE_SAYS[state] in response.get_data(as_text=True).replace("&#39;", "'"), state
