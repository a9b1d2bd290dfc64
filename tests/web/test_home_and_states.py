"""The home page and the call page tell where the edition stands, from the clock."""

from html import unescape

from tests.pages import CLOSED, COURSE_RUNNING, INFO_LIVE, LAST_DAY, OPEN


def text(client, path):
    return " ".join(unescape(client.get(path).get_data(as_text=True)).split())


def test_home_on_1_june_call_open_info_session_in_two_days(client, at):
    at(OPEN)
    html = text(client, "/it/")
    assert "Il bando è aperto: mancano 60 giorni." in html
    assert "Tra 2 giorni" in html
    assert "In programma" in html  # the course
    assert "dal 15 giugno 2020 al 29 giugno 2020" in html


def test_home_in_english(client, at):
    at(OPEN)
    html = text(client, "/en/")
    assert "The call is open: 60 days left." in html
    assert "In 2 days" in html


def test_home_during_the_info_session(client, at):
    at(INFO_LIVE)
    assert "In diretta ora" in text(client, "/it/")


def test_home_while_the_course_runs(client, at):
    at(COURSE_RUNNING)
    html = text(client, "/it/")
    assert "In corso" in html
    assert "Si è svolta" in html


def test_call_banner_on_the_last_day_and_after(client, at):
    at(LAST_DAY)
    assert "oggi è l'ultimo giorno" in text(client, "/it/bando/2020")
    at(CLOSED)
    html = text(client, "/it/bando/2020")
    assert "Il bando è chiuso dal 31 luglio 2020." in html
    assert "The call has been closed since 31 July 2020." in text(client, "/en/bando/2020")


def test_bando_leads_to_the_current_edition_keeping_the_query(client):
    response = client.get("/it/bando?costo=20000")
    assert response.status_code == 302
    assert response.headers["Location"] == "/it/bando/2020?costo=20000"


def test_call_page_states_every_fact_of_the_call(client):
    html = text(client, "/it/bando/2020")
    for fact in (
        "31 luglio 2020",
        "100.000 €",
        "12 mesi",
        "40% del costo del progetto",
        "60% del costo del progetto",
        "fino a 60.000 €",
        "60 giorni",
        "500.000 €",
        "Produzioni dal Basso",
        "Ginger Crowdfunding",
        "Super – Scuola Superiore d'Arte Applicata",
        "PON Città Metropolitane 2014-2020",
        "Associazione",
        "Fondazione",
        "Impresa sociale",
        "sede operativa a Milano",
        "lunedì 15 giugno 2020, 16:00–18:00",
        "lunedì 29 giugno 2020, 16:00–18:00",
        "mercoledì 3 giugno 2020, 15:30",
    ):
        assert fact in html, fact


def test_worked_examples_come_from_the_rule(client):
    html = text(client, "/it/bando/2020")
    assert '<th scope="row">50.000 €</th> <td>20.000 €</td> <td>30.000 €</td>' in html
    assert '<th scope="row">100.000 €</th> <td>40.000 €</td> <td>60.000 €</td>' in html


def test_the_2016_edition_shows_only_known_figures(client):
    html = text(client, "/it/bando/2016")
    assert "Eppela" in html
    assert "22" in html and "333.136 €" in html and "323.882 €" in html
    assert "non disponibile" in html
    assert "Calcola il cofinanziamento</h2>" not in html  # no rule known: no calculator
    assert "https://www.eppela.com/it/news/244-16-motivi-per-gioire" in html
    assert "not available" in text(client, "/en/bando/2016")
