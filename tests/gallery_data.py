"""Campaigns in every state and a few helpers to read the gallery, for its web and browser tests."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

from portal.clock import ROME
from portal.extensions import db
from portal.models import Campaign
from tests.campaigns import NOVEMBER_AT, confirm, make_campaign, pledge

GALLERY = "/it/progetti"
DECEMBER = datetime(2020, 12, 1, tzinfo=ROME)
CARD_TITLE = re.compile(r'id="campaign-\d+-title"><a href="([^"]+)"[^>]*>([^<]+)</a>')


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [unescape(title) for _, title in CARD_TITLE.findall(response.get_data(as_text=True))]


def text_of(response) -> str:
    """The words of the page's main region, tags removed."""
    html = response.get_data(as_text=True)
    if "<main" in html:
        html = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " "))


def change(app, campaign_id: int, **fields) -> None:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        for name, value in fields.items():
            setattr(campaign, name, value)
        db.session.commit()


def paid(app, campaign_id: int, cents: int, at: datetime = NOVEMBER_AT) -> None:
    confirm(app, pledge(app, campaign_id, cents, at=at), cents, at=at)


def every_state(app) -> dict[str, int]:
    """One campaign in each state on 15 November 2020 (targets: 8.000 € for a 20.000 € goal)."""
    ended = datetime(2020, 8, 1, tzinfo=ROME)  # 60 days: over on 30 September
    during_ended = datetime(2020, 9, 1, 12, tzinfo=ROME)
    ids = {
        "upcoming": make_campaign(app, "Biblioteca Adriano", starts_at=DECEMBER, municipio=2, nil_id=20),
        "live": make_campaign(app, "Lab Barona"),
        "cofunded": make_campaign(app, "Orti di Quarto", municipio=8, nil_id=76, theme="cultura"),
        "succeeded": make_campaign(app, "Cinema Corvetto", starts_at=ended, municipio=4, nil_id=35),
        "not_funded": make_campaign(app, "Palestra Gallaratese", starts_at=ended, municipio=8, nil_id=None),
    }
    paid(app, ids["live"], 3_000_00)
    paid(app, ids["cofunded"], 8_000_00)
    paid(app, ids["succeeded"], 9_000_00, at=during_ended)
    paid(app, ids["not_funded"], 1_000_00, at=during_ended)
    return ids


def with_pledges(app, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        campaign_id = make_campaign(
            app,
            f"Campagna {number}",
            municipio=number % 9 + 1,
            nil_id=[46, 76, 35, 1, None][number % 5],
            theme=["ambiente", "cultura", "sport"][number % 3],
        )
        paid(app, campaign_id, 1_000_00 + number)
        pledge(app, campaign_id, 500_00)
