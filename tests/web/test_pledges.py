"""Pledging through the form: a pending pledge, its e-mail and the supporter's page; every refusal
creates nothing; the supporter's page in each state of the pledge."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.clock import ROME
from portal.domain import DomainError
from portal.extensions import db, limiter
from portal.models import Campaign, CampaignReward, OutboxMessage, Pledge
from portal.services.campaigns import closing
from portal.services.payments import payments
from tests.accounts import csrf_from
from tests.campaigns import NOVEMBER, confirm, make_campaign, pledge

FORM = "/it/progetti/lab-barona/sostieni"
AFTER_END = "2021-01-05T12:00:00+01:00"
BEFORE_START = "2020-10-29T18:00:00+01:00"  # published, not open yet


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def campaign_id(app):
    return make_campaign(app, rewards=(("Cartolina", 10_00, 2), ("Tazza", 25_00, 1)))


def reward_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalars(db.select(CampaignReward.id).filter_by(title=title)).one()


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)).replace("\u00a0", " "))


def words(response) -> str:
    """What the page says, tags removed."""
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def submit(client, **fields):
    token = csrf_from(client.get(FORM).get_data(as_text=True))
    data = {"csrf_token": token, "importo": "25", "nome": "Anna Rossi", "email": "anna@example.org", "privacy": "y"}
    data.update(fields)
    return client.post(FORM, data={k: v for k, v in data.items() if v is not None})


def pledges_and_mail(app) -> tuple[list[Pledge], list[OutboxMessage]]:
    with app.app_context():
        found = db.session.scalars(db.select(Pledge).order_by(Pledge.id)).all()
        mails = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return found, mails


def totals(app, campaign_id: int) -> tuple[int, int]:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        return campaign.pending_cents, campaign.confirmed_cents


def test_the_form_lists_rewards_with_their_minimum_and_what_is_left(app, client, campaign_id):
    pledge(app, campaign_id, 30_00, reward_id=reward_id(app, "Tazza"))
    response = client.get(FORM)
    assert response.status_code == 200
    text = words(response)
    assert "Cartolina – almeno 10 € (ne restano 2)" in text
    assert "Tazza – almeno 25 € (esaurita)" in text
    html = response.get_data(as_text=True)
    mug = re.search(rf'<input[^>]*value="{reward_id(app, "Tazza")}"[^>]*>', html).group(0)
    assert "disabled" in mug
    assert 'href="/it/privacy#donazioni"' in html
    assert 'name="csrf_token"' in html


def test_a_pledge_is_pending_with_its_reference_mailed_and_shown(app, client, campaign_id):
    response = submit(client, importo="25,50", messaggio="Forza!")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/it/sostegno/[\w-]{20,}", location)
    (created,), mails = pledges_and_mail(app)
    assert (created.amount_cents, created.status.value, created.name, created.email) == (
        2550,
        "pending",
        "Anna Rossi",
        "anna@example.org",
    )
    assert created.message == "Forza!" and created.reward_id is None and created.lang == "it"
    assert totals(app, campaign_id) == (2550, 0)
    (mail,) = [m for m in mails if m.to == "anna@example.org"]
    assert created.reference in mail.body and created.token in mail.body

    page = client.get(location)
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in page.get_data(as_text=True)
    text = words(page)
    assert "In attesa del pagamento" in text
    assert f"Causale (da copiare così com'è) {created.reference}" in text
    assert "IBAN IT60 X054 2811 1010 0000 0123 456" in text
    assert "Beneficiario Comune di Milano – Crowdfunding Civico" in text
    assert "Importo 25,50 €" in text
    assert "Entro il 28 dicembre 2020" in text


def test_a_reward_alone_pledges_its_minimum_and_claims_it(app, client, campaign_id):
    card = reward_id(app, "Cartolina")
    assert submit(client, importo="", ricompensa=str(card), anonimo="y", nome="").status_code == 303
    (created,), _ = pledges_and_mail(app)
    assert (created.amount_cents, created.reward_id, created.name) == (10_00, card, None)
    with app.app_context():
        assert db.session.get(CampaignReward, card).claimed == 1


def test_an_anonymous_pledge_keeps_no_name_even_if_typed(app, client, campaign_id):
    assert submit(client, anonimo="y", nome="Anna Rossi").status_code == 303
    (created,), _ = pledges_and_mail(app)
    assert created.name is None


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"importo": "abc"}, "importo", "Scrivi l'importo in euro con al massimo due decimali"),
        ({"importo": ""}, "importo", "Scrivi l'importo del tuo sostegno"),
        ({"importo": "0,50"}, "importo", "Il sostegno minimo è di 1 €"),
        ({"importo": "-5"}, "importo", "Scrivi l'importo in euro"),
        ({"importo": "1,2,3"}, "importo", "Scrivi l'importo in euro"),
        ({"importo": "20.000,01"}, "importo", "Al massimo 20.000 €, l'obiettivo della campagna"),
        (
            {"importo": "5", "ricompensa": "CARD"},
            "importo",
            "Per la ricompensa «Cartolina» il sostegno minimo è di 10 €",
        ),
        ({"importo": "30", "ricompensa": "MUG"}, "ricompensa-0", "La ricompensa «Tazza» è esaurita"),
        ({"ricompensa": "99999"}, "ricompensa-0", "Scegli una ricompensa tra quelle elencate"),
        ({"privacy": None}, "privacy", "Per continuare, conferma di aver letto l'informativa privacy"),
        ({"email": "non-una-mail"}, "email", "Scrivi un indirizzo e-mail valido"),
        ({"email": ""}, "email", "Scrivi il tuo indirizzo e-mail"),
        ({"nome": ""}, "nome", "Scrivi il tuo nome e cognome, oppure scegli di sostenere in forma anonima"),
        ({"nome": "x" * 121}, "nome", "Al massimo 120 caratteri"),
        ({"messaggio": "x" * 501}, "messaggio", "Al massimo 500 caratteri"),
    ],
)
def test_errors_are_listed_linked_and_create_nothing(app, client, campaign_id, fields, field_id, message):
    pledge(app, campaign_id, 30_00, reward_id=reward_id(app, "Tazza"))  # the mug is gone
    before = pledges_and_mail(app)
    ids = {"CARD": str(reward_id(app, "Cartolina")), "MUG": str(reward_id(app, "Tazza"))}
    fields = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
    response = submit(client, **fields)
    assert response.status_code == 200
    text = text_of(response)
    assert re.search(r"<title>Errore: ", text)
    assert re.search(rf'<a href="#{field_id}">{re.escape(message)}', text)
    assert 'aria-invalid="true"' in text or field_id == "ricompensa-0"
    if fields.get("importo"):
        assert f'value="{fields["importo"]}"' in text  # what was typed is kept
    after = pledges_and_mail(app)
    assert len(after[0]) == len(before[0]) and len(after[1]) == len(before[1])
    assert totals(app, campaign_id) == (30_00, 0)


def test_a_missing_csrf_token_is_refused(app, client, campaign_id):
    response = client.post(FORM, data={"importo": "25", "nome": "A", "email": "a@example.org", "privacy": "y"})
    assert response.status_code == 400
    assert pledges_and_mail(app)[0] == []


@pytest.mark.parametrize("moment", [BEFORE_START, AFTER_END])
def test_a_campaign_not_open_explains_why_and_refuses(app, client, at, campaign_id, moment):
    token = csrf_from(client.get("/it/accesso").get_data(as_text=True))
    at(moment)
    page = client.get(FORM)
    assert page.status_code == 200
    text = words(page)
    main = text_of(page).split("<main", 1)[1].split("</main>")[0]
    assert "<form" not in main
    if moment == BEFORE_START:
        assert "non è ancora aperta" in text and "Si apre il 30 ottobre 2020" in text
    else:
        assert "si è chiusa il 28 dicembre 2020: non è più possibile sostenerlo" in text
        assert "i sostegni non pagati sono annullati e quelli pagati vengono rimborsati" in text
    data = {"csrf_token": token, "importo": "25", "nome": "A", "email": "a@example.org", "privacy": "y"}
    assert client.post(FORM, data=data).status_code == 409
    assert pledges_and_mail(app)[0] == []


def test_an_unpublished_campaign_takes_no_pledges(app, client):
    make_campaign(app, "Bozza", published=False)
    assert client.get("/it/progetti/bozza/sostieni").status_code == 404


@pytest.mark.parametrize(
    ("code", "params", "field_id", "message"),
    [
        ("reward_gone", {}, "ricompensa-0", "Questa ricompensa è appena finita"),
        ("below_reward", {"minimum": 10_00}, "importo", "Per questa ricompensa il sostegno minimo è di 10 €"),
        ("reward_unknown", {}, "ricompensa-0", "Scegli una ricompensa tra quelle elencate"),
    ],
)
def test_refusals_of_the_service_become_form_messages(
    app, client, campaign_id, monkeypatch, code, params, field_id, message
):
    """A race lost between the form's check and the row lock (another person took the last reward)."""

    def refuse(*args, **kwargs):
        raise DomainError(code, **params)

    monkeypatch.setattr(payments, "create_pledge", refuse)
    response = submit(client, ricompensa=str(reward_id(app, "Cartolina")), importo="12")
    assert response.status_code == 200
    assert re.search(rf'<a href="#{field_id}">{re.escape(message)}', text_of(response))
    assert pledges_and_mail(app)[0] == []


def test_a_campaign_closing_while_the_form_is_open_shows_the_closed_page(app, client, campaign_id, monkeypatch):
    def refuse(*args, **kwargs):
        raise DomainError("not_open")

    monkeypatch.setattr(payments, "create_pledge", refuse)
    response = submit(client)
    assert response.status_code == 409 and "non è più possibile sostenerlo" in words(response)


def test_pledges_are_rate_limited(app, client, campaign_id):
    token = csrf_from(client.get(FORM).get_data(as_text=True))
    statuses = [client.post(FORM, data={"csrf_token": token, "importo": "x"}).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


FIELD_TEXT = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["25", "1", "0", "20.000", "20.000,01", "1e3", "€ 10", "10,5", "1.000.000", "\x00", "  7 "]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    importo=FIELD_TEXT,
    ricompensa=st.one_of(st.none(), st.sampled_from(["", "CARD", "MUG", "0", "-1", "abc", "9" * 30])),
    nome=FIELD_TEXT,
    anonimo=st.sampled_from([None, "y", "", "no"]),
    email=st.one_of(
        st.none(),
        st.sampled_from(["a@example.org", "x", "a@b", "A@Example.ORG ", "a\x00@example.org"]),
        st.text(max_size=30),
    ),
    messaggio=st.one_of(st.none(), st.text(max_size=600)),
    privacy=st.sampled_from([None, "y", ""]),
)
def test_fuzzed_pledges_never_fail_nor_half_write(
    app, client, campaign_id, importo, ricompensa, nome, anonimo, email, messaggio, privacy
):
    limiter.reset()
    ids = {"CARD": str(reward_id(app, "Cartolina")), "MUG": str(reward_id(app, "Tazza"))}
    before_pledges, before_mail = pledges_and_mail(app)
    data = {
        "importo": importo,
        "ricompensa": ids.get(ricompensa, ricompensa) if ricompensa is not None else None,
        "nome": nome,
        "anonimo": anonimo,
        "email": email,
        "messaggio": messaggio,
        "privacy": privacy,
    }
    response = submit(client, **{k: v for k, v in data.items()})
    assert response.status_code in (200, 303)
    after_pledges, after_mail = pledges_and_mail(app)
    added = len(after_pledges) - len(before_pledges)
    assert added == (1 if response.status_code == 303 else 0)
    assert len(after_mail) - len(before_mail) == added
    pending, _ = totals(app, campaign_id)
    assert pending == sum(p.amount_cents for p in after_pledges)
    with app.app_context():
        for reward in db.session.scalars(db.select(CampaignReward)):
            holders = sum(1 for p in after_pledges if p.reward_id == reward.id)
            assert reward.claimed == holders and reward.claimed <= reward.quantity


def status_page(client, app, reference: str):
    with app.app_context():
        token = db.session.scalars(db.select(Pledge.token).filter_by(reference=reference)).one()
    return client.get(f"/it/sostegno/{token}")


def test_the_supporters_page_follows_the_pledge(app, client, at, campaign_id):
    kept = pledge(app, campaign_id, 9_000_00)
    unpaid = pledge(app, campaign_id, 50_00, email="b@example.org")
    confirm(app, kept, 9_000_00)
    text = words(status_page(client, app, kept))
    assert "Pagamento ricevuto" in text and "Pagamento arrivato il 15 novembre 2020" in text
    assert "IBAN" not in text

    at(AFTER_END)  # the window is over, the closing run has not passed yet
    text = words(status_page(client, app, unpaid))
    assert "In attesa del pagamento" in text and "Non fare il bonifico" in text and "IBAN" not in text

    with app.app_context():
        closing.close_due_campaigns(datetime(2021, 1, 5, tzinfo=ROME))
    text = words(status_page(client, app, unpaid))
    assert "Sostegno annullato" in text and "Non devi fare nulla" in text


def test_the_supporters_page_of_a_refund(app, client, at, campaign_id):
    small = pledge(app, campaign_id, 100_00)
    confirm(app, small, 100_00)
    at(AFTER_END)
    with app.app_context():
        closing.close_due_campaigns(datetime(2021, 1, 5, tzinfo=ROME))
    text = words(status_page(client, app, small))
    assert "Rimborso in corso" in text and "ti restituiamo 100,00 €" in text


def test_a_bad_token_is_not_found(app, client, campaign_id):
    pledge(app, campaign_id, 10_00)
    assert client.get("/it/sostegno/non-esiste").status_code == 404
    assert client.get("/it/sostegno/" + "a" * 300).status_code == 404
