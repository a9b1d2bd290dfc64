"""A campaign's public page in every state: figures, the 40% marker, the Comune's grant, rewards,
updates, supporters, share links and metadata; sanitised stories; a constant number of queries."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from html import unescape

import pytest

from portal.clock import ROME
from portal.extensions import db
from portal.models import Campaign, CampaignReward, CampaignUpdate, Pledge
from portal.rich_text import sanitise
from portal.services.campaigns import closing
from portal.services.payments import payments
from tests.accounts import csrf_from, sign_in
from tests.applicants import draft, make_applicant
from tests.campaigns import NOVEMBER, NOVEMBER_AT, confirm, make_campaign, pledge
from tests.html_validation import vnu_errors

PAGE = "/it/progetti/lab-barona"
BEFORE_START = "2020-10-29T18:00:00+01:00"  # published, not open yet
AFTER_END = "2021-01-05T12:00:00+01:00"  # the 60-day window ended on 28 December 2020


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)).replace("\u00a0", " "))


def main_text(response) -> str:
    """What the page says in its main region, tags removed."""
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)).replace("\u00a0", " "))


def change(app, campaign_id: int, **fields) -> None:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        for name, value in fields.items():
            setattr(campaign, name, value)
        db.session.commit()


def paid(app, campaign_id: int, cents: int, *, name: str | None = "Anna Rossi", message: str | None = None, at=None):
    """A pledge whose payment arrived."""
    at = at or NOVEMBER_AT
    with app.app_context():
        request = payments.PledgeRequest(cents, "a@example.org", name, message, None, "it")
        reference = payments.create_pledge(campaign_id, request, at).reference
    return confirm(app, reference, cents, at=at)


def post_update(app, campaign_id: int, title: str, body: str, at: datetime) -> None:
    with app.app_context():
        db.session.add(CampaignUpdate(campaign_id=campaign_id, title=title, body=body, posted_at=at))
        db.session.commit()


def test_a_live_campaign_shows_its_threshold_first_then_the_locked_grant_then_the_goal(app, client):
    campaign_id = make_campaign(app)
    paid(app, campaign_id, 3_000_00)
    pledge(app, campaign_id, 500_00)  # promised, not paid
    response = client.get(PAGE)
    assert response.status_code == 200
    text = main_text(response)
    assert "Lab Barona" in text and "La Cordata" in text
    assert "Barona, Municipio 6" in text and "Ambiente e verde urbano" in text
    assert "In corso" in text
    threshold = "3.000 € raccolti su 8.000 € della soglia dei cittadini (il 40% del costo): raggiunto il 37%"
    grant = "Contributo del Comune: 12.000 €, bloccato: si sblocca quando i cittadini raggiungono la soglia."
    goal = "Obiettivo: 20.000 €, il costo del progetto."
    assert text.index(threshold) < text.index(grant) < text.index(goal)
    assert "Mancano 5.000 € alla soglia." in text
    assert "In attesa di pagamento 500 €" in text
    assert "Sostenitori 1" in text
    assert "mancano 43 giorni (fino al 28 dicembre 2020)" in text
    assert "i sostegni non ancora pagati vengono annullati e quelli pagati vengono rimborsati" in text
    html = response.get_data(as_text=True)
    # The bar fills toward the citizens' threshold, and its text says so with the same percent.
    bar = re.search(r'<div class="progress-bar pct-37" role="progressbar"[^>]*>', html).group(0)
    assert 'aria-valuenow="37"' in bar and 'aria-label="Verso la soglia dei cittadini"' in bar
    assert "37% della soglia dei cittadini: 3.000 € su 8.000 €" in unescape(bar).replace("\u00a0", " ")
    assert 'href="/it/progetti/lab-barona/sostieni"' in html


def test_a_cofunded_campaign_shows_the_threshold_reached_and_the_grant_unlocked(app, client):
    campaign_id = make_campaign(app)
    assert paid(app, campaign_id, 8_000_00) == ("confirmed", 12_000_00)
    text = main_text(client.get(PAGE))
    assert "Cofinanziata: soglia raggiunta" in text
    assert "8.000 € raccolti su 8.000 € della soglia dei cittadini (il 40% del costo): raggiunto il 100%" in text
    assert "Soglia raggiunta." in text
    assert "Contributo del Comune: 12.000 €, sbloccato il 15 novembre 2020." in text
    assert "quello che arriva in più resta al progetto" in text
    assert "Sostieni il progetto" in text


def test_an_upcoming_campaign_says_when_it_opens_and_takes_no_pledges_yet(app, client, at):
    make_campaign(app)
    at(BEFORE_START)
    response = client.get(PAGE)
    text = main_text(response)
    assert "In arrivo" in text and "si apre il 30 ottobre 2020" in text
    assert "/sostieni" not in response.get_data(as_text=True)  # no link, nor a DonateAction in the metadata


def test_a_succeeded_campaign_after_its_window(app, client, at):
    campaign_id = make_campaign(app)
    paid(app, campaign_id, 9_000_00)
    at(AFTER_END)
    text = main_text(client.get(PAGE))
    assert "Conclusa con successo" in text
    assert "conclusa il 28 dicembre 2020" in text
    assert "Contributo del Comune: 12.000 €, sbloccato il 15 novembre 2020." in text
    assert "Sostieni il progetto" not in text


def test_a_campaign_not_funded_states_what_happens_to_pledges(app, client, at):
    campaign_id = make_campaign(app)
    paid(app, campaign_id, 1_000_00)
    pledge(app, campaign_id, 200_00)
    at(AFTER_END)
    text = main_text(client.get(PAGE))
    assert "Non finanziata" in text
    assert "senza raggiungere la soglia di 8.000 €: il Comune non aggiunge il suo contributo" in text
    assert "quelli non ancora pagati sono annullati" in text
    assert "quelli già pagati vengono rimborsati a chi li ha versati" in text
    assert "non sbloccato: la soglia non è stata raggiunta in tempo" in text
    assert "Sostieni il progetto" not in text
    # Once the closing run has passed, the refunded supporters are still listed.
    with app.app_context():
        closing.close_due_campaigns(datetime(2021, 1, 5, tzinfo=ROME))
        db.session.commit()
    text = main_text(client.get(PAGE))
    assert "Anna Rossi" in text and "In attesa di pagamento 0 €" in text


def test_only_published_campaigns_have_a_page(app, client):
    make_campaign(app, "Bozza", published=False)
    make_campaign(app)
    assert client.get("/it/progetti/bozza").status_code == 404
    assert client.get("/it/progetti/non-esiste").status_code == 404
    assert client.get("/it/progetti/" + "x" * 500).status_code == 404
    assert client.get("/xx/progetti/lab-barona").status_code == 404
    assert client.get("/en/progetti/lab-barona").status_code == 200


def test_rewards_show_what_is_left(app, client):
    campaign_id = make_campaign(app, rewards=(("Cartolina", 10_00, 2), ("Tazza", 25_00, 1), ("Grazie", 5_00, None)))
    with app.app_context():
        mug = db.session.scalars(db.select(CampaignReward.id).filter_by(title="Tazza")).one()
        card = db.session.scalars(db.select(CampaignReward.id).filter_by(title="Cartolina")).one()
    pledge(app, campaign_id, 30_00, reward_id=mug)
    pledge(app, campaign_id, 10_00, reward_id=card)
    text = main_text(client.get(PAGE))
    assert "Cartolina Con un sostegno di almeno 10 € Cartolina: descrizione. Ne resta 1 su 2" in text
    assert "Tazza Con un sostegno di almeno 25 € Tazza: descrizione. Esaurita" in text
    assert "Grazie Con un sostegno di almeno 5 € Grazie: descrizione. Disponibilità senza limiti" in text


def test_updates_newest_first_and_sanitised(app, client):
    campaign_id = make_campaign(app)
    post_update(app, campaign_id, "Primo", "Abbiamo cominciato.", datetime(2020, 11, 1, 10, tzinfo=ROME))
    post_update(
        app,
        campaign_id,
        "Secondo",
        '<p>Nuovo <a href="https://example.org">sito</a></p><script>alert(1)</script><img src=x onerror=alert(2)>',
        datetime(2020, 11, 10, 10, tzinfo=ROME),
    )
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    text = main_text(response)
    assert text.index("Secondo") < text.index("Primo")
    assert "10 novembre 2020" in text and "<p>Abbiamo cominciato.</p>" in html
    assert '<a href="https://example.org" rel="nofollow noopener">sito</a>' in html
    assert "alert(" not in html and "onerror" not in html


def test_supporters_are_listed_by_name_or_anonymous_newest_first(app, client):
    campaign_id = make_campaign(app)
    paid(app, campaign_id, 50_00, name="Bruno Bianchi", message="Forza Barona!", at=NOVEMBER_AT - timedelta(days=2))
    paid(app, campaign_id, 20_00, name=None, message="Da un vicino")
    pledge(app, campaign_id, 40_00, name="Carla Promessa")  # not paid: not a supporter yet
    text = main_text(client.get(PAGE))
    section = text[text.index("Sostenitori 2 persone") :]
    assert section.index("anonimo Da un vicino") < section.index("Bruno Bianchi Forza Barona!")
    assert "Carla Promessa" not in text
    assert "a@example.org" not in text


def test_the_supporters_list_stops_at_fifty_with_the_total(app, client):
    campaign_id = make_campaign(app)
    for number in range(52):
        paid(app, campaign_id, 10_00, name=f"Persona {number}")
    text = main_text(client.get(PAGE))
    assert "52 persone hanno sostenuto il progetto" in text and "gli ultimi 50" in text
    assert "Persona 51" in text and "Persona 1 " not in text


def test_share_links_open_graph_and_json_ld(app, client):
    campaign_id = make_campaign(app)
    change(app, campaign_id, title='Lab </script><b>"Barona"', summary="Un repair café & più")
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    page_url = "http://127.0.0.1:5000/it/progetti/lab-barona"
    assert f'<meta property="og:url" content="{page_url}">' in html
    assert '<meta property="og:title" content="Lab &lt;/script&gt;&lt;b&gt;&#34;Barona&#34;">' in html
    assert '<meta property="og:image" content="http://127.0.0.1:5000/it/anteprime/progetti/lab-barona.png?v=' in html
    assert '<meta property="og:type" content="website">' in html
    assert "og:description" in html
    for host in ("wa.me", "t.me/share", "www.facebook.com/sharer", "twitter.com/intent", "www.linkedin.com/sharing"):
        link = re.search(rf'href="(https://{re.escape(host)}[^"]+)"', html).group(1)
        assert "127.0.0.1%3A5000%2Fit%2Fprogetti%2Flab-barona" in link
    assert 'href="mailto:?subject=' in html
    # Nothing is loaded from elsewhere: no external script, image, style or frame.
    assert not re.search(r'<(script|img|iframe|link)[^>]+(src|href)="https?://(?!127\.0\.0\.1)', html)
    # JSON-LD: one script block, which the title cannot close early, with valid data.
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1 and "</script>" not in blocks[0] and "<b>" not in blocks[0]
    data = json.loads(blocks[0])
    assert data["@type"] == "Project" and data["name"] == 'Lab </script><b>"Barona"'
    assert data["url"] == page_url
    assert data["funding"]["amount"] == {"@type": "MonetaryAmount", "currency": "EUR", "value": "12000.00"}


def test_made_up_figures_are_marked_and_sources_linked(app, client):
    campaign_id = make_campaign(app)
    change(
        app,
        campaign_id,
        demo_estimates=["goal_cents", "pledges"],
        source_urls=["https://www.ilgiorno.it/milano/cronaca/ecco-lab-barona-repair-cafe-1.6369346"],
    )
    response = client.get(PAGE)
    text = main_text(response)
    assert "Dati dimostrativi" in text
    assert "sono stime inventate per la dimostrazione, non dati reali: l'obiettivo, i sostegni e l'elenco" in text
    assert text.count("stima per la demo") >= 3
    assert 'href="https://www.ilgiorno.it/milano/cronaca/ecco-lab-barona-repair-cafe-1.6369346"' in (
        response.get_data(as_text=True)
    )
    change(app, campaign_id, demo_estimates=[])
    assert "Dati dimostrativi" not in main_text(client.get(PAGE))


def test_the_story_is_sanitised(app, client):
    campaign_id = make_campaign(app)
    change(
        app,
        campaign_id,
        story='<h3>Chi siamo</h3><p style="color:red" onclick="x()">Una <strong>cooperativa</strong></p>'
        '<iframe src="https://evil.example"></iframe><a href="javascript:alert(1)">clic</a>'
        '<a href="mailto:info@cordata.example">scrivici</a>',
    )
    html = client.get(PAGE).get_data(as_text=True)
    assert "<h3>Chi siamo</h3><p>Una <strong>cooperativa</strong></p>" in html
    assert "iframe" not in html and "javascript:" not in html and "onclick" not in html and "color:red" not in html
    assert "clic" in html  # the text of a refused link stays, as plain text
    assert '<a href="mailto:info@cordata.example" rel="nofollow noopener">scrivici</a>' in html


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("Riga uno\nriga due\n\nSecondo paragrafo", "<p>Riga uno<br>riga due</p>\n<p>Secondo paragrafo</p>"),
        ("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>"),
        ("Testo con <em>enfasi</em>\n\nE poi", "<p>Testo con <em>enfasi</em></p>\n<p>E poi</p>"),
        ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
        ('<img src=x onerror="alert(1)"><p onmouseover="x">ok</p>', "<p>ok</p>"),
        ('<a href="/relativo">rel</a>', "<p>rel</p>"),
        (
            '<a href="http://e.example" target="_blank">e</a>',
            '<p><a href="http://e.example" rel="nofollow noopener">e</a></p>',
        ),
        (
            "<ul><li>uno</li></ul><blockquote>cit</blockquote><h1>T</h1>",
            "<ul><li>uno</li></ul><blockquote>cit</blockquote>T",
        ),
        ("<style>p{}</style><!-- nascosto --><p>ok</p>", "<p>ok</p>"),
        ("", ""),
        (None, ""),
    ],
)
def test_rich_text_keeps_only_the_allowed_tags(raw, safe):
    assert str(sanitise(raw)) == safe


def test_the_page_runs_the_same_number_of_queries_whatever_the_data(app, client, count_queries):
    small = make_campaign(app, "Piccola", rewards=(("Cartolina", 10_00, 5),))
    paid(app, small, 10_00)
    post_update(app, small, "Uno", "Testo", NOVEMBER_AT)
    large = make_campaign(app, "Grande", rewards=tuple((f"Premio {n}", 10_00, 50) for n in range(6)))
    for number in range(60):
        paid(app, large, 10_00 + number, name=None if number % 3 else f"Persona {number}", message="Grazie")
    for number in range(8):
        post_update(app, large, f"Notizia {number}", "<p>Testo</p>", NOVEMBER_AT - timedelta(hours=number))
    with count_queries() as first_few:
        assert client.get("/it/progetti/piccola").status_code == 200
    with count_queries() as first_many:  # the first of a data version, with the layout's lookups read
        assert client.get("/it/progetti/grande").status_code == 200
    with count_queries() as few:  # the layout's lookups and each page's lists are kept per data version
        assert client.get("/it/progetti/piccola").status_code == 200
    with count_queries() as many:
        assert client.get("/it/progetti/grande").status_code == 200
    assert few.count == many.count <= first_many.count <= first_few.count
    assert many.count <= 8


def test_campaign_pledge_and_supporter_pages_are_valid_html(app, client, at, tmp_path):
    """Nu Html Checker: zero errors on every state of the pages of this area."""
    live = make_campaign(app, rewards=(("Cartolina", 10_00, 1), ("Grazie", 5_00, None)))
    change(app, live, demo_estimates=["goal_cents"], source_urls=["https://example.org/fonte"])
    change(app, live, story="<h3>Chi siamo</h3><p>Una <a href='https://e.example'>cooperativa</a></p><a>vuoto</a>")
    paid(app, live, 3_000_00, message="Forza!")
    reference = pledge(app, live, 20_00, reward_id=_reward(app, "Cartolina"))
    post_update(app, live, "Si parte", "Testo\n\ncon <strong>paragrafi</strong>", NOVEMBER_AT)
    cofunded = make_campaign(app, "Cofinanziata")
    paid(app, cofunded, 8_000_00)
    failing = make_campaign(app, "Non finanziata", starts_at=NOVEMBER_AT - timedelta(days=70))
    paid(app, failing, 100_00, at=NOVEMBER_AT - timedelta(days=65))
    make_campaign(app, "In arrivo", starts_at=NOVEMBER_AT + timedelta(days=5))
    with app.app_context():
        token = db.session.scalars(db.select(Pledge.token).filter_by(reference=reference)).one()
    form = client.get("/it/progetti/lab-barona/sostieni").get_data(as_text=True)
    bad = {"csrf_token": csrf_from(form), "importo": "abc", "ricompensa": "999", "email": "x", "messaggio": "x" * 501}

    pages = {}
    for lang in ("it", "en"):
        for slug in ("lab-barona", "cofinanziata", "non-finanziata", "in-arrivo"):
            pages[f"{lang}-{slug}"] = client.get(f"/{lang}/progetti/{slug}")
        pages[f"{lang}-form"] = client.get(f"/{lang}/progetti/lab-barona/sostieni")
        pages[f"{lang}-form-errors"] = client.post(f"/{lang}/progetti/lab-barona/sostieni", data=bad)
        pages[f"{lang}-form-closed"] = client.get(f"/{lang}/progetti/non-finanziata/sostieni")
        pages[f"{lang}-form-upcoming"] = client.get(f"/{lang}/progetti/in-arrivo/sostieni")
        pages[f"{lang}-supporter-pending"] = client.get(f"/{lang}/sostegno/{token}")
    confirm(app, reference, 20_00)
    pages["supporter-confirmed"] = client.get(f"/it/sostegno/{token}")

    make_applicant(app, "anna@cordata.example", 0)
    application_id = draft(app, "anna@cordata.example")
    change(app, live, application_id=application_id)
    owner = app.test_client()
    sign_in(owner, app, "anna@cordata.example")
    url = f"/it/domanda/{application_id}/aggiornamenti"
    pages["updates"] = owner.get(url)
    pages["updates-errors"] = owner.post(url, data={"csrf_token": csrf_from(pages["updates"].get_data(as_text=True))})

    files = []
    for case, response in pages.items():
        assert response.status_code == 200, case
        target = tmp_path / f"{case}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []


def _reward(app, title: str) -> int:
    with app.app_context():
        return db.session.scalars(db.select(CampaignReward.id).filter_by(title=title)).one()
