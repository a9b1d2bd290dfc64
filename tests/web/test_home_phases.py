"""The home page leads with what a person can do that day, phase by phase of the 2020 edition, with the
demo's campaigns, in Italian and in English; the "Guarda la diretta" banner is on every page while the
info session is on."""

from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape

import pytest

from portal.clock import ROME
from portal.demo.campaigns import seed_demo_campaigns
from portal.extensions import db
from portal.models import Campaign, Edition, Event
from portal.services.cofunding.ledger import ledger_of
from portal.services.editions.overview import home_page
from tests.campaigns import NOVEMBER, STARTS_AT, make_campaign
from tests.registrations import lesson_ids, sign_up

JUNE_1 = "2020-06-01T10:00:00+02:00"
INFO_LIVE = "2020-06-03T15:45:00+02:00"
INFO_OVER = "2020-06-03T17:00:00+02:00"
JUNE_10 = "2020-06-10T10:00:00+02:00"
JULY_20 = "2020-07-20T10:00:00+02:00"
LAST_DAY = "2020-07-31T23:00:00+02:00"
SEPTEMBER_15 = "2020-09-15T10:00:00+02:00"
FEBRUARY_1 = "2021-02-01T10:00:00+01:00"
AFTER_THE_CAMPAIGNS = "2021-06-01T10:00:00+02:00"  # round 3 ended on 24 April 2021
YOUTUBE = "https://www.youtube.com/user/comunemilano"


@pytest.fixture
def demo(app):
    with app.app_context():
        seed_demo_campaigns()


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return " ".join(unescape(response.get_data(as_text=True)).split())


def words(html: str) -> str:
    """The text a person reads, without the markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".").replace(" ,", ",")


def headings(html: str) -> list[str]:
    """The page's h2 headings, in order: what the home page leads with comes first."""
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]


def euros(cents: int) -> str:
    """An amount in whole euros as the Italian pages write it: "12.345 €"."""
    assert cents % 100 == 0
    return f"{cents // 100:,} €".replace(",", ".")


def set_edition(app, **values) -> None:
    with app.app_context():
        edition = db.session.execute(db.select(Edition).filter_by(year=2020)).scalar_one()
        for name, value in values.items():
            setattr(edition, name, value)
        db.session.commit()


def set_event(app, slug: str, **values) -> None:
    with app.app_context():
        event = db.session.execute(db.select(Event).filter_by(slug=slug)).scalar_one()
        for name, value in values.items():
            setattr(event, name, value)
        db.session.commit()


# --- the call is open -------------------------------------------------------------------------


def test_on_1_june_applying_leads_then_the_checks_and_the_time_left(client, at, demo):
    at(JUNE_1)
    html = page(client, "/it/")
    assert headings(html)[:2] == ["Il bando 2020 è aperto", "Il percorso formativo: iscrizioni aperte"]
    assert '<a class="btn btn-primary btn-lg" href="/it/domanda/' in html
    assert ">Presenta la domanda</a>" in html
    lead = html[html.index("Il bando 2020 è aperto") :]
    assert lead.index("Presenta la domanda") < lead.index("Verifica se puoi partecipare")
    assert lead.index("Verifica se puoi partecipare") < lead.index("Calcola il cofinanziamento")
    assert 'href="/it/bando/verifica-requisiti"' in lead and 'href="/it/bando/2020#calcolatore"' in lead
    assert "Il bando è aperto: mancano 60 giorni." in html
    assert "entro le 23:59 di venerdì 31 luglio 2020 (ora di Roma)" in html
    assert "Sessione informativa: mercoledì 3 giugno 2020, 15:30, in diretta sul canale YouTube" in words(html)
    # No campaign yet, and no banner: the info session is in two days.
    assert "Le campagne sono aperte" not in html and "Guarda la diretta" not in html


def test_the_door_to_apply_is_where_the_primary_action_leads(client, at):
    at(JUNE_1)
    html = client.get("/it/").get_data(as_text=True)
    href = re.search(r'<a class="btn btn-primary btn-lg" href="([^"]+)">Presenta la domanda</a>', html).group(1)
    assert client.get(href).status_code in (200, 302)


def test_on_1_june_in_english(client, at, demo):
    at(JUNE_1)
    html = page(client, "/en/")
    assert headings(html)[0] == "The 2020 call is open"
    assert ">Apply</a>" in html and '<a class="btn btn-primary btn-lg" href="/en/domanda/' in html
    assert "The call is open: 60 days left." in html
    assert "by 23:59 on Friday 31 July 2020 (Rome time)" in html


def test_on_20_july_the_call_alone_leads_with_the_days_left(client, at, demo):
    at(JULY_20)
    html = page(client, "/it/")
    assert headings(html)[0] == "Il bando 2020 è aperto"
    assert "Il bando è aperto: mancano 11 giorni." in html
    assert "iscrizioni aperte" not in html  # the course is over
    assert "The call is open: 11 days left." in page(client, "/en/")


def test_on_the_last_day(client, at):
    at(LAST_DAY)
    html = page(client, "/it/")
    assert "Il bando è aperto: oggi è l'ultimo giorno per presentare la domanda." in html
    assert "entro le 23:59 di venerdì 31 luglio 2020" in html


def test_before_the_call_opens_it_says_when(client, at, app):
    set_edition(app, applications_open_at=datetime(2020, 6, 1, 9, 0, tzinfo=ROME))
    at("2020-05-20T10:00:00+02:00")
    html = page(client, "/it/")
    assert headings(html)[0] == "Il bando 2020 apre presto"
    assert "dal lunedì 1 giugno 2020, 09:00 alle 23:59 di venerdì 31 luglio 2020" in html
    assert "Presenta la domanda" not in html
    assert headings(page(client, "/en/"))[0] == "The 2020 call opens soon"


# --- the info session -------------------------------------------------------------------------


def test_while_the_info_session_is_on_every_page_has_the_banner(client, at):
    at(INFO_LIVE)
    for path in ("/it/", "/it/bando/2020", "/it/progetti", "/it/contatti"):
        html = page(client, path)
        assert f'<a class="btn btn-primary btn-sm" href="{YOUTUBE}">Guarda la diretta</a>' in html, path
        assert "In diretta ora" in html
    english = page(client, "/en/calendario")
    assert f'href="{YOUTUBE}">Watch live</a>' in english
    assert "Info session on the Crowdfunding Civico 2020 call, until 17:00." in english


def test_the_banner_is_gone_once_the_session_ends_and_the_recording_follows(client, at, app):
    at(INFO_OVER)
    html = page(client, "/it/bando/2020")
    assert "Guarda la diretta" not in html and "live-banner" not in html
    home = page(client, "/it/")
    assert 'href="/it/eventi/sessione-informativa-2020">La sessione informativa del 3 giugno 2020</a>' in home
    set_event(app, "sessione-informativa-2020", recording_url="https://www.youtube.com/watch?v=demo2020")
    home = page(client, "/it/")
    assert (
        '<a href="https://www.youtube.com/watch?v=demo2020">Guarda la registrazione della sessione informativa</a>'
        in home
    )
    assert "Watch the recording of the info session" in page(client, "/en/")


def test_during_the_session_the_home_also_leads_with_the_call_and_the_course(client, at):
    at(INFO_LIVE)
    html = page(client, "/it/")
    assert headings(html)[:2] == ["Il bando 2020 è aperto", "Il percorso formativo: iscrizioni aperte"]
    assert "La sessione informativa è in diretta ora." in html


# --- the course -------------------------------------------------------------------------------


def test_on_10_june_the_next_lesson_with_its_seats_and_one_click_to_register(client, at, app):
    at(JUNE_10)
    first = lesson_ids(app)[0]
    sign_up(client, [str(first)])
    html = page(client, "/it/")
    course = html[html.index("Il percorso formativo: iscrizioni aperte") :]
    assert "Le opportunità del crowdfunding" in course
    assert "Prossima lezione: lunedì 15 giugno 2020, dalle 16:00 alle 18:00 (ora di Roma)" in course
    assert "99 posti disponibili" in course
    assert f'href="/it/calendario/iscrizione?lezione={first}"' in course
    form = page(client, f"/it/calendario/iscrizione?lezione={first}")
    ticked = [tag for tag in re.findall(r"<input [^>]*>", form) if 'name="lezioni"' in tag and "checked" in tag]
    assert [f'value="{first}"' in tag for tag in ticked] == [True]  # the lesson is already ticked
    english = page(client, "/en/")
    assert "Course: registrations open" in english and "99 seats left" in english


def test_a_full_lesson_offers_the_waiting_list(client, at, app):
    at(JUNE_10)
    set_event(app, "corso-2020-lezione-1", capacity=0)
    assert "Posti esauriti: puoi iscriverti alla lista d'attesa" in page(client, "/it/")


def test_once_the_first_lesson_started_the_next_one_is_offered(client, at):
    at("2020-06-16T10:00:00+02:00")
    html = page(client, "/it/")
    assert "Prossima lezione: lunedì 22 giugno 2020" in html


# --- evaluation -------------------------------------------------------------------------------


def test_on_15_september_the_evaluation_and_when_results_are_expected(client, at, demo):
    at(SEPTEMBER_15)
    html = page(client, "/it/")
    assert "Le domande sono in valutazione" in headings(html)
    assert "Il bando 2020 si è chiuso il 31 luglio 2020." in html
    assert "I risultati sono attesi entro il 15 ottobre 2020 e saranno pubblicati su questo portale." in html
    assert "Presenta la domanda" not in html
    # The old status cards no longer lead: the edition's dates come after what happens now.
    assert headings(html).index("Le domande sono in valutazione") < headings(html).index("Le date dell'edizione 2020")
    english = page(client, "/en/")
    assert "Applications are being evaluated" in english
    assert "Results are expected by 15 October 2020 and will be published on this portal." in english


def test_evaluation_without_an_expected_day(client, at, app):
    set_edition(app, results_expected_on=None)
    at(SEPTEMBER_15)
    html = page(client, "/it/")
    assert headings(html)[0] == "Le domande sono in valutazione"
    assert "I risultati saranno pubblicati su questo portale." in html


def test_the_evaluation_ends_with_the_published_ranking(client, at, app):
    set_edition(app, ranking_published_at=datetime(2020, 9, 10, 12, 0, tzinfo=ROME))
    at(SEPTEMBER_15)
    assert "Le domande sono in valutazione" not in page(client, "/it/")


# --- campaigns --------------------------------------------------------------------------------


def figures_of(app, moment: str):
    with app.app_context():
        edition = db.session.execute(db.select(Edition).filter_by(year=2020)).scalar_one()
        ledger = ledger_of(edition, datetime.fromisoformat(moment))
        return ledger.raised_cents, ledger.position.committed_cents


def card_titles(html: str, section_title: str) -> list[str]:
    """The titles of the campaign cards under a heading of the home page, in order."""
    start = html.find(f">{section_title}</h2>")
    if start < 0:
        return []
    section = html[start : html.find("</section>", start)]
    return re.findall(r'id="campaign-\d+-title"><a [^>]*>([^<]+)</a>', section)


@pytest.mark.parametrize("moment", [NOVEMBER, FEBRUARY_1])
def test_campaigns_live_lead_with_featured_campaigns_and_the_figures(client, at, app, demo, moment):
    at(moment)
    html = page(client, "/it/")
    assert headings(html)[0] == "Le campagne sono aperte: sostieni un progetto"
    assert "Il bando è chiuso" not in html[: html.index("Le date dell'edizione")]
    raised, committed = figures_of(app, moment)
    assert raised > 0
    assert f'<dd id="home-raised">{euros(raised)}</dd>' in html
    assert f'<dd id="home-committed">{euros(committed)}</dd>' in html
    tracker = page(client, "/it/bando/2020/cofinanziamento")
    assert f'id="figure-committed">{euros(committed)}</dd>' in tracker
    assert 'href="/it/progetti#mappa"' in html and 'href="/it/bando/2020/cofinanziamento"' in html

    now = datetime.fromisoformat(moment)
    with app.app_context():
        public = [c for c in db.session.scalars(db.select(Campaign)) if c.is_public(now) and c.edition.year == 2020]
        open_ = sorted((c for c in public if c.state(now).is_open), key=lambda c: (c.ends_at, c.id))
        ending = [c.title for c in open_[:3]]
        nearest = sorted(
            (c for c in public if c.state(now).awaits_threshold and c.title not in ending),
            key=lambda c: (-c.target_progress_bp, c.ends_at, c.id),
        )
        nearest = [c.title for c in nearest[:3]]
    assert card_titles(html, "Chiudono presto") == ending
    assert card_titles(html, "Vicine alla soglia dei cittadini") == nearest
    english = page(client, "/en/")
    assert headings(english)[0] == "Campaigns are open: back a project"
    assert "Given by citizens" in english and "Co-funding committed by the Comune" in english


def test_on_15_november_the_evaluation_is_over(client, at, demo):
    at(NOVEMBER)
    assert "Le domande sono in valutazione" not in page(client, "/it/")


def test_campaigns_announced_but_not_open_yet(client, at, app):
    make_campaign(app, "Lab Barona", starts_at=STARTS_AT)  # published the day before it opens
    at("2020-10-29T18:00:00+01:00")
    html = page(client, "/it/")
    assert headings(html)[0] == "Le campagne stanno per partire"
    assert card_titles(html, "Si aprono presto") == ["Lab Barona"]
    assert "Le domande sono in valutazione" not in headings(html)  # campaigns public, 15 October past
    assert headings(page(client, "/en/"))[0] == "Campaigns are about to start"


def test_after_the_campaigns_the_results_and_what_comes_next(client, at, app, demo):
    at(AFTER_THE_CAMPAIGNS)
    html = page(client, "/it/")
    assert headings(html)[0] == "I risultati dell'edizione 2020"
    raised, committed = figures_of(app, AFTER_THE_CAMPAIGNS)
    with app.app_context():
        edition = db.session.execute(db.select(Edition).filter_by(year=2020)).scalar_one()
        shown = home_page(edition, datetime.fromisoformat(AFTER_THE_CAMPAIGNS)).campaigns
        funded, over = shown.succeeded_count, shown.over_count
    assert over > 0 and funded > 0
    assert f"{funded} su {over} campagne" in html
    assert f'<dd id="home-raised">{euros(raised)}</dd>' in html
    assert f'<dd id="home-committed">{euros(committed)}</dd>' in html
    assert "Che cosa succede ora" in html and "fino a 12 mesi per realizzare" in html
    english = page(client, "/en/")
    assert headings(english)[0] == "The results of the 2020 edition"
    assert f"{funded} of {over} campaigns" in english and "What happens now" in english


def test_the_demo_gives_an_estimated_day_for_the_results(app):
    with app.app_context():
        edition = db.session.execute(db.select(Edition).filter_by(year=2020)).scalar_one()
        assert edition.results_expected_on == date(2020, 10, 15)
