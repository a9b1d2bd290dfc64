"""Featured campaigns (issue 18): the home page and the gallery leading with a featured campaign, and
the staff campaign page's featuring section, at desktop and phone widths: zero axe-core violations."""

import pyotp
import pytest
import sqlalchemy as sa

from portal.demo.campaigns import seed_demo_campaigns
from portal.extensions import db
from portal.models import Campaign, Role, User
from portal.services.campaigns import featuring
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER, NOVEMBER_AT
from tests.panel import STAFF


@pytest.mark.browser
def test_featured_campaigns_pages_have_no_axe_violations(app, page, live_server, axe_source, at):
    secret = make_user(app, STAFF, Role.STAFF)
    with app.app_context():
        seed_demo_campaigns()
        campaign = db.session.scalars(sa.select(Campaign).filter_by(slug="lab-barona")).one()
        featuring.feature(campaign, db.session.scalars(sa.select(User).filter_by(email=STAFF)).one(), NOVEMBER_AT)
        campaign_id = campaign.id
    at(NOVEMBER)
    for path in ("/it/", "/en/", "/it/progetti"):
        page.goto(live_server + path)
        assert page.locator(".campaign-featured").count() == 1, path
        assert_accessible(page, axe_source)
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()
    page.goto(f"{live_server}/it/gestione/campagne/{campaign_id}")
    assert page.get_by_role("button", name="Togli dall'evidenza").is_visible()
    assert_accessible(page, axe_source)
