"""The match-funding engine through the payment services: confirmations, the grant, e-mails, closing."""

from __future__ import annotations

from datetime import timedelta

from portal.domain.pledge import PaidVia
from portal.extensions import db
from portal.models import Campaign, Pledge
from tests.campaigns import (
    NOVEMBER_AT,
    STARTS_AT,
    TEAM,
    campaign_row,
    close,
    confirm,
    mails,
    make_campaign,
    pledge,
)
from tests.projects import applied_campaign


def test_lab_barona_gets_12000_euros_once_its_citizens_give_8000(app):
    campaign_id = make_campaign(app)
    first = pledge(app, campaign_id, 500_000, email="anna@example.org")
    second = pledge(app, campaign_id, 300_000, email="bruno@example.org")
    third = pledge(app, campaign_id, 5_000, email="carla@example.org")
    before = campaign_row(app, campaign_id)
    assert (before.target_cents, before.reserved_cents, before.pending_cents) == (800_000, 1_200_000, 805_000)

    assert confirm(app, first, 500_000) == ("confirmed", 0)
    assert campaign_row(app, campaign_id).grant_committed_at is None
    assert confirm(app, second, 300_000) == ("confirmed", 1_200_000)
    assert confirm(app, third, 5_000) == ("confirmed", 0)

    campaign = campaign_row(app, campaign_id)
    assert (campaign.confirmed_cents, campaign.pending_cents, campaign.supporters) == (805_000, 0, 3)
    assert campaign.grant_cents == 1_200_000
    assert campaign.grant_committed_at == NOVEMBER_AT
    grant_mails = [m for m in mails(app) if "ha raggiunto la soglia" in m[1]]
    assert [(to, subject) for to, subject, _ in grant_mails] == [
        (TEAM, "«Lab Barona» ha raggiunto la soglia: il Comune aggiunge 12.000 €")
    ]
    assert "8.000 €" in grant_mails[0][2] and "Contributo riservato alla selezione: 12.000 €" in grant_mails[0][2]


def test_the_organisation_hears_of_the_grant_and_each_supporter_of_their_payment(app):
    _, campaign_id = applied_campaign(app, "cordata@example.org", 1)
    reference = pledge(app, campaign_id, 800_000, email="Anna@Example.org")
    confirm(app, reference, 800_000)

    assert [subject for _, subject, _ in mails(app, "anna@example.org")] == [
        "Il tuo sostegno a «Lab Barona»: come completare il pagamento",
        "Pagamento ricevuto: grazie per il sostegno a «Lab Barona»",
    ]
    organisation = mails(app, "cordata@example.org")
    assert [subject for _, subject, _ in organisation][-1] == (
        "«Lab Barona» ha raggiunto la soglia: il Comune aggiunge 12.000 €"
    )
    body = organisation[-1][2]
    assert "La campagna resta aperta fino al" in body and "Contributo riservato" not in body
    assert len(mails(app, TEAM)) == 1


def test_pending_pledges_do_not_count_toward_the_target(app):
    campaign_id = make_campaign(app)
    references = [pledge(app, campaign_id, 400_000) for _ in range(3)]
    confirm(app, references[0], 400_000)

    campaign = campaign_row(app, campaign_id)
    assert (campaign.confirmed_cents, campaign.pending_cents, campaign.supporters) == (400_000, 800_000, 1)
    assert campaign.grant_committed_at is None
    assert not [m for m in mails(app) if "soglia" in m[1]]


def test_the_grant_never_exceeds_what_was_reserved(app):
    campaign_id = make_campaign(app)
    with app.app_context():
        db.session.get(Campaign, campaign_id).reserved_cents = 1_000_000  # less than 60 % of the goal
        db.session.commit()
    reference = pledge(app, campaign_id, 800_000)
    assert confirm(app, reference, 800_000) == ("confirmed", 1_000_000)
    assert campaign_row(app, campaign_id).grant_cents == 1_000_000


def test_the_grant_waits_for_the_last_cent_of_the_target(app):
    campaign_id = make_campaign(app)
    almost = pledge(app, campaign_id, 799_999)
    last_cent = pledge(app, campaign_id, 1)
    assert confirm(app, almost, 799_999) == ("confirmed", 0)
    assert confirm(app, last_cent, 1) == ("confirmed", 1_200_000)


def test_a_payment_confirmed_after_the_window_counts_but_commits_no_grant(app):
    campaign_id = make_campaign(app)
    reference = pledge(app, campaign_id, 800_000)
    late = STARTS_AT + timedelta(days=60)  # ends_at: the window is over
    assert confirm(app, reference, 800_000, at=late) == ("confirmed", 0)
    campaign = campaign_row(app, campaign_id)
    assert campaign.confirmed_cents == 800_000 and campaign.grant_committed_at is None

    [closing] = close(app)
    assert (closing.succeeded, closing.to_refund) == (False, 1)


def test_wrong_amounts_unknown_references_and_repeats_change_nothing(app):
    campaign_id = make_campaign(app)
    reference = pledge(app, campaign_id, 10_000)
    assert confirm(app, reference, 9_999) == ("amount_mismatch", 0)
    assert confirm(app, "CC2020-00000000-0", 10_000) == ("unknown_reference", 0)
    assert confirm(app, reference, 10_000) == ("confirmed", 0)
    assert confirm(app, reference, 10_000, via=PaidVia.PROVIDER) == ("not_pending", 0)

    campaign = campaign_row(app, campaign_id)
    assert (campaign.confirmed_cents, campaign.pending_cents, campaign.supporters) == (10_000, 0, 1)
    with app.app_context():
        paid = db.session.scalars(db.select(Pledge)).one()
        assert (paid.paid_via, paid.payment_id) == (PaidVia.BANK, f"test-{reference}")
