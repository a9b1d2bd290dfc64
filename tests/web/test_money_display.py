"""One way to show a campaign's money (issue 14): the gallery card, the campaign page, the tracker
and the e-mails tell the same figures, in the same order (the citizens' threshold, the Comune's
share, the goal), for every demo campaign; a progress bar's text says what the bar fills."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
import sqlalchemy as sa

from portal.demo.campaigns import seed_demo_campaigns
from portal.domain import funding
from portal.domain.campaign import CampaignState
from portal.domain.funding import GrantStatus, money_of, money_picture
from portal.extensions import db
from portal.models import Campaign, Edition, OutboxMessage
from portal.services.campaigns import campaign_mail
from tests.campaigns import NOVEMBER, NOVEMBER_AT
from tests.gallery_data import text_of


def test_the_issue_example_reads_threshold_first_with_its_share_of_the_cost():
    m = money_picture(
        raised_cents=3_160_00,
        target_cents=8_000_00,
        goal_cents=20_000_00,
        reserved_cents=12_000_00,
        committed_cents=None,
        state=CampaignState.LIVE,
    )
    assert (m.threshold_percent, m.threshold_share, m.bar_percent) == (39, 40, 39)
    assert (m.grant, m.grant_cents, m.missing_cents) == (GrantStatus.LOCKED, 12_000_00, 4_840_00)


@pytest.mark.parametrize(
    ("committed", "reserved", "state", "grant", "cents"),
    [
        (12_000_00, 12_000_00, CampaignState.COFUNDED, GrantStatus.UNLOCKED, 12_000_00),
        (11_000_00, 12_000_00, CampaignState.SUCCEEDED, GrantStatus.UNLOCKED, 11_000_00),  # what was committed
        (None, 12_000_00, CampaignState.NOT_FUNDED, GrantStatus.MISSED, 12_000_00),
        (None, 12_000_00, CampaignState.UPCOMING, GrantStatus.LOCKED, 12_000_00),
        (None, 0, CampaignState.LIVE, GrantStatus.NONE, 0),
    ],
)
def test_the_comune_share_and_whether_it_is_unlocked(committed, reserved, state, grant, cents):
    m = money_picture(
        raised_cents=9_000_00,
        target_cents=8_000_00,
        goal_cents=20_000_00,
        reserved_cents=reserved,
        committed_cents=committed,
        state=state,
    )
    assert (m.grant, m.grant_cents) == (grant, cents)
    assert (m.threshold_percent, m.bar_percent, m.missing_cents) == (112, 100, 0)  # the bar stops when full


def test_a_target_off_the_rule_gives_its_own_share_of_the_cost():
    m = money_picture(
        raised_cents=0,
        target_cents=4_200_00,
        goal_cents=10_450_00,
        reserved_cents=0,
        committed_cents=None,
        state=CampaignState.LIVE,
    )
    assert (m.threshold_share, m.threshold_percent) == (40, 0)  # 40,19 %


# ---- every demo campaign, everywhere -------------------------------------------------------


def eur(cents: int) -> str:
    """Italian, as the pages print it once spaces are normalised: "3.160 €", "15,50 €"."""
    whole, rest = divmod(cents, 100)
    text = f"{whole:,}".replace(",", ".")
    return f"{text},{rest:02d} €" if rest else f"{text} €"


def eur_en(cents: int) -> str:
    amount = Decimal(cents) / 100
    return f"€{amount:,.2f}" if cents % 100 else f"€{cents // 100:,}"


def threshold_it(m: funding.MoneyPicture) -> str:
    return (
        f"{eur(m.raised_cents)} raccolti su {eur(m.target_cents)} della soglia dei cittadini "
        f"(il {m.threshold_share}% del costo): raggiunto il {m.threshold_percent}% della soglia."
    )


def grant_it(m: funding.MoneyPicture) -> str:
    if m.grant.is_none:
        return "Nessun contributo del Comune riservato a questa campagna."
    status = {
        GrantStatus.UNLOCKED: "sbloccato",
        GrantStatus.LOCKED: "bloccato: si sblocca quando i cittadini raggiungono la soglia",
        GrantStatus.MISSED: "non sbloccato: la soglia non è stata raggiunta in tempo",
    }[m.grant]
    return f"Contributo del Comune: {eur(m.grant_cents)}, {status}"


def goal_it(m: funding.MoneyPicture) -> str:
    return f"Obiettivo: {eur(m.goal_cents)}, il costo del progetto."


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ").replace("\u202f", " "))


@pytest.fixture
def demo(app, at):
    with app.app_context():
        seed_demo_campaigns()
    at(NOVEMBER)
    with app.app_context():
        rows = db.session.execute(sa.select(Campaign, Edition.year).join(Edition)).all()
        pictures = {
            c.slug: (year, c.title, c.confirmed_cents, money_of(c, c.state(NOVEMBER_AT)))
            for c, year in rows
            if c.is_public(NOVEMBER_AT)
        }
    assert len(pictures) > 20
    return pictures


def _gallery_text(client, year: int) -> str:
    """The words of every page of an edition's gallery."""
    text, number = "", 1
    while True:
        response = client.get(f"/it/progetti?edizione={year}&pagina={number}")
        text += text_of(response)
        if f"pagina={number + 1}" not in response.get_data(as_text=True):
            return text
        number += 1


def _tracker_rows(client, year: int) -> dict[str, str]:
    """Each campaign's row of the tracker, by title, in words (a phone's labels included)."""
    html = client.get(f"/it/bando/{year}/cofinanziamento").get_data(as_text=True)
    rows = {}
    for row in re.findall(r'<tr>\s*<th scope="row"><a href="[^"]*" lang="it">.*?</tr>', html, re.S):
        title = unescape(re.search(r'lang="it">(.*?)</a>', row, re.S).group(1))
        rows[title] = plain(row)
    return rows


def _mails(app, slug: str) -> list[str]:
    """The team's and the supporters' news of this campaign, rendered now and thrown away."""
    with app.app_context():
        campaign = db.session.scalars(sa.select(Campaign).filter_by(slug=slug)).one()
        before = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
        if campaign.grant_committed:
            campaign_mail.queue_grant_committed(campaign, NOVEMBER_AT)
        campaign_mail.queue_campaign_closed(campaign, [], [], NOVEMBER_AT)
        db.session.flush()
        bodies = list(db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.id > before)))
        db.session.rollback()
    return [plain(body) for body in bodies]


def test_card_page_tracker_and_mails_agree_for_every_demo_campaign(app, client, demo):
    galleries = {year: _gallery_text(client, year) for year in {year for year, *_ in demo.values()}}
    trackers = {year: _tracker_rows(client, year) for year in galleries}
    for slug, (year, title, _confirmed, m) in demo.items():
        threshold, grant, goal = threshold_it(m), grant_it(m), goal_it(m)
        # The card: the same three sentences, in order.
        card_text = galleries[year]
        assert threshold in card_text and grant in card_text and goal in card_text, slug
        # The page: the same, in order, and the bar's text with the bar's own percent.
        html = client.get(f"/it/progetti/{slug}").get_data(as_text=True)
        page = plain(html[html.index("<main") : html.index("</main>")])
        assert page.index(threshold) < page.index(grant) < page.index(goal), slug
        bar = re.search(r'<div class="progress-bar pct-(\d+)" role="progressbar"[^>]*>', html)
        assert int(bar.group(1)) == m.bar_percent, slug
        assert f'aria-valuenow="{m.bar_percent}"' in bar.group(0), slug
        said = plain(re.search(r'aria-valuetext="([^"]*)"', bar.group(0)).group(1))
        of_target = f"{eur(m.raised_cents)} su {eur(m.target_cents)}"
        assert said == f"{m.threshold_percent}% della soglia dei cittadini: {of_target}"
        # The tracker: raised of the threshold, its share of the cost, the Comune's share, the goal.
        row = trackers[year][title]
        for words in (
            f"Raccolto {eur(m.raised_cents)} {m.threshold_percent}% della soglia",
            f"Soglia dei cittadini {eur(m.target_cents)} {m.threshold_share}% del costo",
            f"Obiettivo {eur(m.goal_cents)}",
        ):
            assert words in row, (slug, words, row)
        assert (f"Contributo del Comune {eur(m.grant_cents)}" in row) is not m.grant.is_none, (slug, row)
        # The e-mails (the organisation's and the team's): the same sentences.
        for body in _mails(app, slug):
            assert threshold in body and grant in body and goal in body, (slug, body)


def test_the_english_pages_tell_the_same_figures_in_english(client, demo):
    slug, (_year, _title, _confirmed, m) = next((s, v) for s, v in demo.items() if v[3].grant.is_locked)
    threshold = (
        f"{eur_en(m.raised_cents)} raised of the citizens' threshold of {eur_en(m.target_cents)} "
        f"({m.threshold_share}% of the cost): {m.threshold_percent}% of the threshold reached."
    )
    page = text_of(client.get(f"/en/progetti/{slug}"))
    assert threshold in page
    assert f"The Comune's contribution: {eur_en(m.grant_cents)}, locked" in page
    assert f"Goal: {eur_en(m.goal_cents)}, the project's cost." in page


def test_a_change_in_the_one_home_changes_card_page_tracker_and_mail(app, client, demo, monkeypatch):
    """The threshold's share of the cost, worked out in portal.domain.funding only."""
    monkeypatch.setattr(funding, "_share_of_cost", lambda target, goal: 77)
    slug = "lab-barona"
    year, title, *_ = demo[slug]
    assert "(il 77% del costo)" in _gallery_text(client, year)
    assert "(il 77% del costo)" in text_of(client.get(f"/it/progetti/{slug}"))
    assert "77% del costo" in _tracker_rows(client, year)[title]
    assert all("(il 77% del costo)" in body for body in _mails(app, slug))


# ---- "Dati e fonti", unknown names, Italian content on English pages ------------------------


def test_demo_estimates_and_sources_are_one_collapsible_note_on_the_page_never_on_cards(client, demo):
    slug = next(s for s, v in demo.items() if v[0] == 2016)
    html = client.get(f"/it/progetti/{slug}").get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count("<details") == 1
    note = main[main.index("<details") : main.index("</details>")]
    assert "<summary>Dati e fonti" in note and "Dati dimostrativi" in note and 'class="source-link"' in note
    for year in {v[0] for v in demo.values()}:
        gallery = _gallery_text(client, year)
        assert "Dati dimostrativi" not in gallery and "I dati reali vengono da queste fonti" not in gallery


def test_an_organisation_the_sources_do_not_name_is_never_shown_as_a_name(client, demo):
    page = text_of(client.get("/it/progetti/so-lunch"))
    assert "Organizzazione non indicata nelle fonti consultate" in page
    gallery = _gallery_text(client, 2016)
    tracker = _tracker_rows(client, 2016)
    for text in (gallery, *tracker.values()):
        assert "Organizzazione non indicata" not in text and "non indicata nelle fonti" not in text
    tracker_html = client.get("/it/bando/2016/cofinanziamento").get_data(as_text=True)
    assert "Municipio non indicato" not in tracker_html  # a campaign without one names none


def test_italian_content_on_english_pages_is_marked_italian(client, demo):
    slug = "lab-barona"
    html = client.get(f"/en/progetti/{slug}").get_data(as_text=True)
    assert re.search(r'<h1 id="campaign-title" lang="it">', html)
    assert re.search(r'<p class="lead" lang="it">', html)
    assert re.search(r'<dd lang="it">[^<]+</dd>', html)  # the organisation
    gallery = client.get("/en/progetti").get_data(as_text=True)
    assert re.search(r'<a href="/en/progetti/[\w-]+" lang="it">', gallery)
    tracker = client.get("/en/bando/2020/cofinanziamento").get_data(as_text=True)
    assert re.search(r'<a href="/en/progetti/[\w-]+" lang="it">', tracker)
