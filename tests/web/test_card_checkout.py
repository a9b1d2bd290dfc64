"""Paying a pledge by card: the choice on the form, the codice fiscale for the receipt, a provider that
does not answer, the provider's notifications (paid, expired, repeated, forged), abandoned checkouts
releasing their reward exactly once, and the supporter's page in each state, with and without htmx.

The checkout's start is tested here at the service level with an in-process provider; the whole path
through the demo provider's process (form, hosted page, notification, return) is in the demo provider's
tests. Notifications go through the real demo provider's `read_notification`, signed as it signs.
"""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from html import unescape

import pytest

from config import ProdConfig
from portal import MissingSettingError, create_app
from portal.domain.checkout import CHECKOUT_LIFETIME
from portal.domain.pledge import PaymentMethod, PledgeStatus
from portal.domain.webhook import sign
from portal.extensions import db
from portal.models import Campaign, CampaignReward, OutboxMessage, Pledge, ProviderEvent
from portal.services.campaigns.closing import close_due_campaigns
from portal.services.payments import checkout, payments, provider_events, providers
from portal.services.payments.providers.base import Checkout
from tests.accounts import csrf_from
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign

FORM = "/it/progetti/lab-barona/sostieni"
NOTIFY = "/api/pagamenti/notifiche/demo"
SECRET = b"test-webhook-secret"  # TestConfig's PAYMENT_WEBHOOK_SECRET: the demo provider signs with it
VALID_CF = "RSSMRA85T10A562S"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def campaign_id(app):
    return make_campaign(app, rewards=(("Tazza", 25_00, 1),))


class FakeProvider:
    """A provider in the process, for the service-level tests: it keeps the requests it was sent."""

    name = "demo"

    def __init__(self, reader):
        self.reader = reader  # the real demo provider reads the notifications
        self.requests = []

    def start_checkout(self, request):
        self.requests.append(request)
        checkout_id = f"cs_{request.idempotency_key}"
        return Checkout(checkout_id, f"https://pay.example/{checkout_id}", request.expires_at)

    def read_notification(self, body, headers):
        return self.reader.read_notification(body, headers)

    def refund(self, payment_id, amount_cents, idempotency_key):  # pragma: no cover
        raise NotImplementedError


@pytest.fixture
def fake(app, monkeypatch):
    real = providers.provider_named
    with app.app_context():
        provider = FakeProvider(real("demo"))
    monkeypatch.setattr(providers, "provider_named", lambda name: provider if name == "demo" else real(name))
    return provider


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def submit(client, **fields):
    token = csrf_from(client.get(FORM).get_data(as_text=True))
    data = {"csrf_token": token, "importo": "25", "nome": "Anna Rossi", "email": "anna@example.org", "privacy": "y"}
    data.update(fields)
    return client.post(FORM, data={k: v for k, v in data.items() if v is not None})


def stored(app) -> list[Pledge]:
    with app.app_context():
        found = db.session.scalars(db.select(Pledge).order_by(Pledge.id)).all()
        db.session.expunge_all()
        return found


def mail_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(OutboxMessage.id)))


def money(app, campaign_id: int) -> tuple[int, int, int]:
    """Pending, confirmed, and mugs claimed."""
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        mug = db.session.scalars(db.select(CampaignReward).filter_by(campaign_id=campaign_id)).one()
        return campaign.pending_cents, campaign.confirmed_cents, mug.claimed


def mug_id(app, campaign_id: int) -> int:
    with app.app_context():
        return db.session.scalars(db.select(CampaignReward.id).filter_by(campaign_id=campaign_id)).one()


def card_pledge(app, campaign_id: int, *, reward: bool = False, lang: str = "it", at=NOVEMBER_AT) -> Pledge:
    """A card pledge whose checkout the (fake) provider started."""
    with app.app_context():
        request = payments.PledgeRequest(
            25_00, "anna@example.org", "Anna Rossi", None, mug_id(app, campaign_id) if reward else None, lang
        )
        created = checkout.pledge_by_card(campaign_id, request, at).pledge
        db.session.refresh(created)
        db.session.expunge(created)
        return created


def notify(client, kind: str, pledge: Pledge, event_id: str, *, amount: int | None = None, secret: bytes = SECRET):
    """The demo provider's signed notification, as its process sends it."""
    data = {
        "checkout_id": pledge.checkout_id,
        "reference": pledge.reference,
        "amount_cents": amount or pledge.amount_cents,
        "currency": "EUR",
        "payment_id": f"pay_{event_id}",
    }
    body = json.dumps({"id": event_id, "type": kind, "data": data}).encode()
    headers = {"Portal-Signature": sign(secret, int(time.time()), body)}
    return client.post(NOTIFY, data=body, headers=headers, content_type="application/json")


def status_of(app, pledge: Pledge) -> PledgeStatus:
    with app.app_context():
        return db.session.get(Pledge, pledge.id).status


def outcomes(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (e.event_id, e.outcome) for e in db.session.scalars(db.select(ProviderEvent).order_by(ProviderEvent.id))
        ]


# --- The form ---------------------------------------------------------------------------------------


def test_the_form_offers_the_card_first_and_chosen(client, campaign_id):
    html = client.get(FORM).get_data(as_text=True)
    card = re.search(r'<input[^>]*id="metodo-0"[^>]*>', html).group(0)
    transfer = re.search(r'<input[^>]*id="metodo-1"[^>]*>', html).group(0)
    assert 'value="carta"' in card and "checked" in card
    assert 'value="bonifico"' in transfer and "checked" not in transfer
    text = words(client.get(FORM))
    assert "Come vuoi pagare? " in text and "Paga con carta" in text and "Bonifico bancario" in text
    assert "Come vuoi pagare?" in words(
        client.get("/en/progetti/lab-barona/sostieni")
    ) or "How would you like to pay?" in words(client.get("/en/progetti/lab-barona/sostieni"))


def test_without_a_provider_only_the_bank_transfer_is_offered(app, client, monkeypatch, campaign_id):
    monkeypatch.setitem(app.config, "PAYMENT_PROVIDER", None)
    page = client.get(FORM)
    assert 'name="metodo"' not in page.get_data(as_text=True)
    assert "Si paga con un bonifico bancario" in words(page)
    refused = submit(client, metodo="carta")
    assert refused.status_code == 200 and "Scegli come vuoi pagare" in words(refused)
    assert stored(app) == []
    assert submit(client, metodo="bonifico").status_code == 303
    assert stored(app)[0].method is PaymentMethod.BANK_TRANSFER


@pytest.mark.parametrize(
    ("typed", "kept"),
    [(VALID_CF, VALID_CF), ("rssmra85t10a562s", VALID_CF), (" RSS MRA 85T10 A562S ", VALID_CF), ("", None)],
)
def test_a_codice_fiscale_is_optional_and_kept_compact(app, client, campaign_id, typed, kept):
    assert submit(client, metodo="bonifico", codice_fiscale=typed).status_code == 303
    (created,) = stored(app)
    assert created.codice_fiscale == kept


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("RSSMRA85T10A562X", "Questo codice fiscale non è valido: controlla di averlo copiato bene"),
        ("RSSMRA85T10A562", "Il codice fiscale ha 16 caratteri, ad esempio RSSMRA85T10A562S"),
        ("non lo so", "Il codice fiscale ha 16 caratteri"),
        ("R" * 60, "Il codice fiscale ha 16 caratteri"),
    ],
)
def test_a_wrong_codice_fiscale_is_refused_and_nothing_stored(app, client, campaign_id, typed, message):
    before = mail_count(app)
    response = submit(client, metodo="bonifico", codice_fiscale=typed)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert re.search(rf'<a href="#codice_fiscale">{re.escape(message)}', html)
    assert stored(app) == [] and mail_count(app) == before
    assert money(app, campaign_id) == (0, 0, 0)


def test_a_wrong_codice_fiscale_in_english(app, client, campaign_id):
    token = csrf_from(client.get("/en/progetti/lab-barona/sostieni").get_data(as_text=True))
    data = {"csrf_token": token, "importo": "25", "nome": "Ann", "email": "ann@example.org", "privacy": "y"}
    response = client.post("/en/progetti/lab-barona/sostieni", data=data | {"codice_fiscale": "RSSMRA85T10A562X"})
    assert "This codice fiscale is not valid" in words(response)
    assert stored(app) == []


# --- A provider that does not answer -----------------------------------------------------------------


def test_a_provider_that_does_not_answer_leaves_the_pledge_pending_with_a_way_on(app, client, campaign_id):
    """TestConfig's demo provider address answers nothing: the real client fails to connect."""
    response = submit(client, metodo="carta", ricompensa=str(mug_id(app, campaign_id)), importo="30")
    assert response.status_code == 303
    (created,) = stored(app)
    assert response.headers["Location"] == f"/it/sostegno/{created.token}"
    assert (created.status, created.method, created.provider, created.checkout_id) == (
        PledgeStatus.PENDING,
        PaymentMethod.CARD,
        "demo",
        None,
    )
    assert money(app, campaign_id) == (30_00, 0, 1)  # the mug is held while the person decides
    assert mail_count(app) == 0  # no bank instructions for a card payment

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    text = words(page)
    assert "Pagamento con carta non avviato" in text
    assert "Il pagamento con carta non è partito" in text and "Non ti è stato addebitato nulla" in text
    html = page.get_data(as_text=True)
    assert f'action="/it/sostegno/{created.token}/carta"' in html
    assert f'action="/it/sostegno/{created.token}/bonifico"' in html
    assert "IBAN" not in text

    retried = client.post(f"/it/sostegno/{created.token}/carta", data={"csrf_token": csrf_from(html)})
    assert retried.status_code == 503 and "Il pagamento con carta non è partito" in words(retried)

    switched = client.post(f"/it/sostegno/{created.token}/bonifico", data={"csrf_token": csrf_from(html)})
    assert switched.status_code == 303
    (after,) = stored(app)
    assert (after.method, after.status) == (PaymentMethod.BANK_TRANSFER, PledgeStatus.PENDING)
    assert mail_count(app) == 1  # now the instructions
    text = words(client.get(f"/it/sostegno/{created.token}"))
    assert "Come pagare con un bonifico" in text and created.reference in text


# --- Starting the checkout (service level, an in-process provider) -------------------------------------


def test_a_card_pledge_starts_the_checkout_with_the_pledge_and_keeps_it(app, fake, campaign_id):
    created = card_pledge(app, campaign_id, reward=True, lang="en")
    (request,) = fake.requests
    assert request.pledge_reference == created.reference and request.amount_cents == 25_00
    assert (request.description, request.email, request.lang) == ("Lab Barona", "anna@example.org", "en")
    assert request.success_url == f"http://127.0.0.1:5000/en/sostegno/{created.token}"
    assert request.cancel_url == f"http://127.0.0.1:5000/en/sostegno/{created.token}/non-pagato"
    assert request.expires_at == NOVEMBER_AT + CHECKOUT_LIFETIME
    assert created.reference in request.idempotency_key
    assert (created.method, created.provider, created.checkout_id) == (PaymentMethod.CARD, "demo", fake_id(request))
    assert created.checkout_expires_at == request.expires_at
    assert money(app, campaign_id) == (25_00, 0, 1)


def fake_id(request) -> str:
    return f"cs_{request.idempotency_key}"


def test_trying_again_returns_to_the_open_checkout_and_replaces_an_expired_one(app, fake, campaign_id):
    created = card_pledge(app, campaign_id)
    with app.app_context():
        again = checkout.retry_card_payment(created.id, NOVEMBER_AT + timedelta(minutes=10))
        assert again.checkout_url == f"https://pay.example/{fake_id(fake.requests[0])}"
        later = checkout.retry_card_payment(created.id, NOVEMBER_AT + timedelta(hours=1))
    first, second, third = fake.requests
    assert second == first  # the same request and key: the provider gives the same checkout back
    assert third.idempotency_key != first.idempotency_key
    assert third.expires_at == NOVEMBER_AT + timedelta(hours=1) + CHECKOUT_LIFETIME
    assert later.checkout_url.endswith(fake_id(third))


def test_a_refused_card_pledge_stores_nothing(app, fake, campaign_id):
    card_pledge(app, campaign_id, reward=True)  # the only mug
    with app.app_context():
        request = payments.PledgeRequest(25_00, "b@example.org", "B", None, mug_id(app, campaign_id), "it")
        with pytest.raises(Exception, match="reward_gone"):
            checkout.pledge_by_card(campaign_id, request, NOVEMBER_AT)
    assert len(stored(app)) == 1 and money(app, campaign_id) == (25_00, 0, 1)


# --- Notifications ------------------------------------------------------------------------------------


def test_a_paid_notification_confirms_once_and_a_forged_one_changes_nothing(app, client, fake, campaign_id):
    created = card_pledge(app, campaign_id)
    forged = notify(client, "checkout.paid", created, "evt_forged", secret=b"not-the-secret")
    assert forged.status_code == 400 and forged.get_json() == {"error": "bad_notification"}
    assert outcomes(app) == [] and status_of(app, created) is PledgeStatus.PENDING

    paid = notify(client, "checkout.paid", created, "evt_paid")
    assert paid.status_code == 200 and paid.get_json() == {"outcome": "confirmed", "event_id": "evt_paid"}
    again = notify(client, "checkout.paid", created, "evt_paid")
    assert again.get_json()["outcome"] == "duplicate"
    assert money(app, campaign_id) == (0, 25_00, 0)
    with app.app_context():
        confirmed = db.session.get(Pledge, created.id)
        assert (confirmed.status, confirmed.payment_id) == (PledgeStatus.CONFIRMED, "pay_evt_paid")
    assert outcomes(app) == [("evt_paid", "confirmed")]


def test_a_paid_notification_of_another_amount_is_recorded_not_confirmed(app, client, fake, campaign_id):
    created = card_pledge(app, campaign_id)
    assert notify(client, "checkout.paid", created, "evt_odd", amount=24_00).get_json()["outcome"] == "amount_mismatch"
    assert status_of(app, created) is PledgeStatus.PENDING
    with app.app_context():
        assert [e.event_id for e in provider_events.needing_attention()] == ["evt_odd"]


def test_unknown_providers_and_unconfigured_ones_are_refused(app, client, monkeypatch, campaign_id):
    assert client.post("/api/pagamenti/notifiche/paypal", data=b"{}").status_code == 404
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    assert client.post("/api/pagamenti/notifiche/stripe", data=b"{}").status_code == 503
    assert outcomes(app) == []


def test_an_expired_checkout_releases_the_pledge_and_its_reward(app, client, fake, campaign_id):
    created = card_pledge(app, campaign_id, reward=True)
    assert money(app, campaign_id) == (25_00, 0, 1)
    assert notify(client, "checkout.expired", created, "evt_exp").get_json()["outcome"] == "expired"
    assert status_of(app, created) is PledgeStatus.EXPIRED
    assert money(app, campaign_id) == (0, 0, 0)  # the mug is back
    assert notify(client, "checkout.expired", created, "evt_exp").get_json()["outcome"] == "duplicate"
    assert money(app, campaign_id) == (0, 0, 0)


def test_the_expiry_of_an_old_checkout_leaves_the_new_one_alone(app, client, fake, campaign_id):
    created = card_pledge(app, campaign_id, reward=True)
    with app.app_context():
        checkout.retry_card_payment(created.id, NOVEMBER_AT + timedelta(hours=1))  # a new checkout
    assert notify(client, "checkout.expired", created, "evt_old").get_json()["outcome"] == "ignored"
    assert status_of(app, created) is PledgeStatus.PENDING and money(app, campaign_id) == (25_00, 0, 1)


# --- Abandoned checkouts -------------------------------------------------------------------------------


def test_abandoned_checkouts_expire_after_a_grace_minute_and_free_the_last_reward(
    app, client, runner, fake, campaign_id
):
    created = card_pledge(app, campaign_id, reward=True)
    expiry = NOVEMBER_AT + CHECKOUT_LIFETIME
    assert "Tazza – almeno 25 € (esaurita)" in words(client.get(FORM))
    with app.app_context():
        assert checkout.expire_abandoned_checkouts(expiry + timedelta(seconds=30)) == 0  # a payment may be on its way
    assert status_of(app, created) is PledgeStatus.PENDING

    app.config["PORTAL_NOW"] = (expiry + timedelta(minutes=2)).isoformat()
    result = runner.invoke(args=["expire-checkouts"])
    assert result.exit_code == 0 and "Expired 1 abandoned card checkouts." in result.output
    assert status_of(app, created) is PledgeStatus.EXPIRED and money(app, campaign_id) == (0, 0, 0)
    assert "esaurita" not in words(client.get(FORM))  # someone else can have the mug now
    assert runner.invoke(args=["expire-checkouts"]).output.startswith("Expired 0")

    # The provider's own word arrives after the cron: acknowledged, nothing released twice.
    assert notify(client, "checkout.expired", created, "evt_late").get_json()["outcome"] == "ignored"
    assert money(app, campaign_id) == (0, 0, 0)


def test_a_payment_after_the_expiry_is_never_confirmed_silently(app, client, fake, campaign_id, caplog):
    created = card_pledge(app, campaign_id, reward=True)
    with app.app_context():
        assert checkout.expire_abandoned_checkouts(NOVEMBER_AT + timedelta(hours=2)) == 1
    response = notify(client, "checkout.paid", created, "evt_too_late")
    assert response.status_code == 200 and response.get_json()["outcome"] == "paid_after_expiry"
    assert status_of(app, created) is PledgeStatus.EXPIRED and money(app, campaign_id) == (0, 0, 0)
    with app.app_context():  # on the staff's payments page, to confirm by hand or refund
        assert [(e.event_id, e.outcome) for e in provider_events.needing_attention()] == [
            ("evt_too_late", "paid_after_expiry")
        ]
    assert "needs staff attention: paid_after_expiry" in caplog.text


def test_a_payment_before_the_cron_keeps_the_pledge(app, client, fake, campaign_id):
    created = card_pledge(app, campaign_id, reward=True)
    assert notify(client, "checkout.paid", created, "evt_paid").get_json()["outcome"] == "confirmed"
    with app.app_context():
        assert checkout.expire_abandoned_checkouts(NOVEMBER_AT + timedelta(hours=2)) == 0
    assert status_of(app, created) is PledgeStatus.CONFIRMED and money(app, campaign_id) == (0, 25_00, 1)


# --- The supporter's page ------------------------------------------------------------------------------


def page_of(client, created: Pledge, lang: str = "it", suffix: str = "", htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(f"/{lang}/sostegno/{created.token}{suffix}", headers=headers)


def test_back_from_the_provider_the_page_waits_for_the_confirmation_and_updates_itself(app, client, fake, campaign_id):
    created = card_pledge(app, campaign_id)
    page = page_of(client, created)
    html = page.get_data(as_text=True)
    assert "Stiamo ricevendo la conferma del pagamento" in words(page)
    assert f'data-hx-get="/it/sostegno/{created.token}"' in html and 'data-hx-trigger="every 2s"' in html
    assert "vendor/htmx/htmx.min.js" in html
    assert f'<a href="/it/sostegno/{created.token}">Aggiorna la pagina</a>' in html  # without JavaScript
    assert "HX-Request" in page.headers["Vary"]

    # The polled element sits inside the polite live region, which is never swapped itself: the new
    # state is announced.
    live = html.split('<div id="pledge-live" aria-live="polite">', 1)[1]
    assert live.lstrip().startswith('<div id="pledge-progress"')
    fragment = page_of(client, created, htmx=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.strip().startswith('<div id="pledge-progress"')
    assert "pledge-live" not in body
    assert 'data-hx-trigger="every 2s"' in body

    notify(client, "checkout.paid", created, "evt_paid")
    final = page_of(client, created, htmx=True).get_data(as_text=True)
    assert "Pagamento ricevuto" in final and "data-hx-trigger" not in final  # polling stops
    reloaded = page_of(client, created)
    assert "Grazie! Il tuo pagamento è arrivato" in words(reloaded)
    assert "htmx.min.js" not in reloaded.get_data(as_text=True)


def test_the_waiting_page_in_english(app, client, fake, campaign_id):
    created = card_pledge(app, campaign_id, lang="en")
    text = words(page_of(client, created, "en"))
    assert "We are receiving the payment confirmation" in text and "Refresh the page" in text
    notify(client, "checkout.paid", created, "evt_paid")
    assert "Pagamento ricevuto" not in words(page_of(client, created, "en", htmx=True))


def test_cancelled_at_the_provider_the_page_says_nothing_was_paid(app, client, fake, campaign_id):
    created = card_pledge(app, campaign_id)
    page = page_of(client, created, suffix="/non-pagato")
    text = words(page)
    assert "Il pagamento non è stato fatto: non ti è stato addebitato nulla" in text
    assert "Paga con carta" in text and "Paga con bonifico bancario" in text
    assert "data-hx-trigger" not in page.get_data(as_text=True)
    assert "The payment was not made" in words(page_of(client, created, "en", suffix="/non-pagato"))


def test_an_expired_pledge_says_so_and_offers_a_new_one(app, client, fake, campaign_id):
    created = card_pledge(app, campaign_id)
    with app.app_context():
        checkout.expire_abandoned_checkouts(NOVEMBER_AT + timedelta(hours=2))
    text = words(page_of(client, created))
    assert "Sostegno scaduto" in text and "il sostegno è scaduto e non ti è stato addebitato nulla" in text
    assert "Sostieni di nuovo il progetto" in text
    assert "Pledge expired" in words(page_of(client, created, "en"))


def test_a_checkout_past_its_expiry_offers_to_try_again(app, client, at, fake, campaign_id):
    created = card_pledge(app, campaign_id)
    at((NOVEMBER_AT + CHECKOUT_LIFETIME + timedelta(minutes=5)).isoformat())
    page = page_of(client, created)
    assert "Il tempo per pagare con carta è scaduto" in words(page)
    assert "data-hx-trigger" not in page.get_data(as_text=True)


def test_a_bank_transfer_pledge_may_be_paid_by_card_instead(app, client, fake, campaign_id):
    assert submit(client, metodo="bonifico").status_code == 303
    (created,) = stored(app)
    page = page_of(client, created)
    assert "Preferisci pagare con carta?" in words(page)
    response = client.post(
        f"/it/sostegno/{created.token}/carta", data={"csrf_token": csrf_from(page.get_data(as_text=True))}
    )
    assert response.status_code == 303 and response.headers["Location"].startswith("https://pay.example/cs_")
    (after,) = stored(app)
    assert (after.method, after.provider) == (PaymentMethod.CARD, "demo") and after.checkout_id


# --- Configuration -------------------------------------------------------------------------------------


def test_production_with_stripe_refuses_to_start_without_its_keys(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    assert ProdConfig.PAYMENT_PROVIDER == "stripe"
    with pytest.raises(MissingSettingError, match="STRIPE_SECRET_KEY"):
        create_app(ProdConfig, overrides={"PORTAL_NOW": None})


def test_closing_expires_the_abandoned_checkouts_and_cancels_the_unpaid_rest(app, fake):
    """At the end of the window the closing run tells apart a checkout abandoned long ago (expired:
    not charged) from one still open at the last minute (cancelled), releasing each reward once."""
    campaign_id = make_campaign(app, "Ultimi giorni", rewards=(("Tazza", 25_00, 2),), days=2)
    with app.app_context():
        ends_at = db.session.get(Campaign, campaign_id).ends_at
    abandoned = card_pledge(app, campaign_id, reward=True, at=ends_at - timedelta(hours=5))
    last_minute = card_pledge(app, campaign_id, reward=True, at=ends_at - timedelta(minutes=5))

    with app.app_context():
        closings = close_due_campaigns(ends_at + timedelta(minutes=1))
        assert [closing.campaign_id for closing in closings] == [campaign_id]
        assert db.session.get(CampaignReward, mug_id(app, campaign_id)).claimed == 0
    assert status_of(app, abandoned) is PledgeStatus.EXPIRED
    assert status_of(app, last_minute) is PledgeStatus.CANCELLED
    assert money(app, campaign_id) == (0, 0, 0)
