"""Every page of the portal in every state worth checking, for the web, browser and HTML tests.

Each case is (id, clock, path). The clock is a PORTAL_NOW value: the same page is
checked before, during and after the moments that change it.
"""

from __future__ import annotations

OPEN = "2020-06-01T10:00:00+02:00"  # call open, info session in two days
INFO_LIVE = "2020-06-03T15:45:00+02:00"
COURSE_RUNNING = "2020-06-16T10:00:00+02:00"  # info session past, course in progress
LAST_DAY = "2020-07-31T23:00:00+02:00"
CLOSED = "2020-08-01T00:00:00+02:00"
COURSE_AHEAD = "2020-06-10T10:00:00+02:00"
EVALUATION = "2020-09-15T10:00:00+02:00"  # call closed, results expected by 15 October

ELIGIBLE = "forma=associazione&non_profit=si&sede_milano=si&durata=12&costo=20.000"
NOT_ELIGIBLE = "forma=societa&non_profit=no&sede_milano=no&durata=18&costo=150.000"

CASES: list[tuple[str, str, str]] = []
for lang in ("it", "en"):
    CASES += [
        (f"home-{lang}", OPEN, f"/{lang}/"),
        (f"home-info-live-{lang}", INFO_LIVE, f"/{lang}/"),
        (f"home-closed-{lang}", CLOSED, f"/{lang}/"),
        (f"home-course-{lang}", COURSE_AHEAD, f"/{lang}/"),
        (f"home-last-day-{lang}", LAST_DAY, f"/{lang}/"),
        (f"home-evaluation-{lang}", EVALUATION, f"/{lang}/"),
        (f"live-banner-{lang}", INFO_LIVE, f"/{lang}/bando/2020"),
        (f"call-{lang}", OPEN, f"/{lang}/bando/2020"),
        (f"call-last-day-{lang}", LAST_DAY, f"/{lang}/bando/2020"),
        (f"call-closed-{lang}", CLOSED, f"/{lang}/bando/2020"),
        (f"call-result-{lang}", OPEN, f"/{lang}/bando/2020?costo=20.000"),
        (f"call-error-{lang}", OPEN, f"/{lang}/bando/2020?costo=abc"),
        (f"call-over-{lang}", OPEN, f"/{lang}/bando/2020?costo=150.000"),
        (f"call-2016-{lang}", OPEN, f"/{lang}/bando/2016"),
        (f"eligibility-{lang}", OPEN, f"/{lang}/bando/verifica-requisiti"),
        (f"eligibility-ok-{lang}", OPEN, f"/{lang}/bando/verifica-requisiti?{ELIGIBLE}"),
        (f"eligibility-ko-{lang}", OPEN, f"/{lang}/bando/verifica-requisiti?{NOT_ELIGIBLE}"),
        (f"eligibility-errors-{lang}", OPEN, f"/{lang}/bando/verifica-requisiti?durata=abc"),
        (f"info-upcoming-{lang}", OPEN, f"/{lang}/eventi/sessione-informativa-2020"),
        (f"info-live-{lang}", INFO_LIVE, f"/{lang}/eventi/sessione-informativa-2020"),
        (f"info-past-{lang}", COURSE_RUNNING, f"/{lang}/eventi/sessione-informativa-2020"),
        (f"calendar-{lang}", COURSE_AHEAD, f"/{lang}/calendario"),
        (f"calendar-running-{lang}", COURSE_RUNNING, f"/{lang}/calendario"),
        (f"register-{lang}", COURSE_AHEAD, f"/{lang}/calendario/iscrizione"),
        (f"register-closed-{lang}", CLOSED, f"/{lang}/calendario/iscrizione"),
        (f"lesson-{lang}", COURSE_AHEAD, f"/{lang}/eventi/corso-2020-lezione-2"),
        (f"accessibility-{lang}", OPEN, f"/{lang}/accessibilita"),
        (f"privacy-{lang}", OPEN, f"/{lang}/privacy"),
        (f"legal-{lang}", OPEN, f"/{lang}/note-legali"),
        (f"cookies-{lang}", OPEN, f"/{lang}/cookie"),
        (f"contacts-{lang}", OPEN, f"/{lang}/contatti"),
        (f"login-{lang}", OPEN, f"/{lang}/accesso"),
        (f"sign-up-{lang}", OPEN, f"/{lang}/registrazione"),
        (f"forgot-password-{lang}", OPEN, f"/{lang}/password-dimenticata"),
        (f"supporter-{lang}", OPEN, f"/{lang}/i-miei-sostegni"),
        (f"resend-link-{lang}", OPEN, f"/{lang}/registrazione/invia-di-nuovo"),
        (f"door-{lang}", OPEN, f"/{lang}/domanda/presenta"),
        (f"door-closed-{lang}", CLOSED, f"/{lang}/domanda/presenta"),
        (f"not-found-{lang}", OPEN, f"/{lang}/pagina-che-non-esiste"),
    ]

NOT_FOUND_IDS = {"not-found-it", "not-found-en"}

# The home page with the demo's campaigns (`portal.demo.campaigns`, seeded by the test): campaigns
# open (with the evaluation still on, in the demo), every campaign over. Each case is (id, clock, path).
DEMO_HOME_CASES: list[tuple[str, str, str]] = [
    ("home-evaluation-demo-it", EVALUATION, "/it/"),
    ("home-campaigns-it", "2020-11-15T12:00:00+01:00", "/it/"),
    ("home-campaigns-en", "2020-11-15T12:00:00+01:00", "/en/"),
    ("home-round-2-en", "2021-02-01T10:00:00+01:00", "/en/"),
    ("home-results-it", "2021-06-01T10:00:00+02:00", "/it/"),
    ("home-results-en", "2021-06-01T10:00:00+02:00", "/en/"),
]

# The staff pages, signed in as staff, with one application admitted and scored by two evaluators
# (`tests.panel`); `{application}` is its id. Each case is (id, clock, path).
STAFF_CASES: list[tuple[str, str, str]] = []
for lang in ("it", "en"):
    STAFF_CASES += [
        (f"staff-edition-{lang}", EVALUATION, f"/{lang}/gestione/edizioni/2020"),
        (f"staff-documents-{lang}", EVALUATION, f"/{lang}/gestione/edizioni/2020/documenti"),
        (f"staff-application-{lang}", EVALUATION, f"/{lang}/gestione/domande/{{application}}"),
        (f"staff-selection-confirm-{lang}", EVALUATION, f"/{lang}/gestione/domande/{{application}}/seleziona"),
        (f"staff-ranking-{lang}", EVALUATION, f"/{lang}/gestione/graduatoria"),
        (f"staff-ranking-publish-{lang}", EVALUATION, f"/{lang}/gestione/graduatoria/pubblica"),
        (f"staff-refunds-{lang}", EVALUATION, f"/{lang}/gestione/rimborsi"),
        (f"staff-donors-{lang}", EVALUATION, f"/{lang}/gestione/pagamenti/donatori"),
    ]

# The supporter's page of a pledge (`/sostegno/<token>`) in each state it tells, on the demo's
# November clock: built by `pledge_status_paths` (the pledges need rows). Each case is (id, clock, state,
# lang); the state names a path of `pledge_status_paths`.
PLEDGE_CLOCK = "2020-11-15T12:00:00+01:00"
PLEDGE_STATES = (
    "card-confirming",  # back from the checkout, the provider's word awaited (the page polls)
    "card-not-paid",  # back from the checkout's "Annulla"
    "card-not-started",  # the provider did not answer
    "transfer-pending",  # the bank-transfer instructions
    "confirmed",
    "expired",  # the checkout expired unpaid
    "cancelled",  # never paid, the campaign over
    "refund-due",  # paid, the campaign not funded
    "refund-iban",  # the secret link to give the refund's IBAN
)
PLEDGE_STATUS_CASES = [
    (f"pledge-{state}-{lang}", PLEDGE_CLOCK, state, lang) for lang in ("it", "en") for state in PLEDGE_STATES
]


def pledge_status_paths(app) -> dict[str, str]:
    """A pledge in each of `PLEDGE_STATES`, through the services as a supporter, the provider and the
    closing leave them; its page's path without the language (``sostegno/<token>…``). One campaign is
    open on `PLEDGE_CLOCK`, another closed not funded a fortnight before."""
    from datetime import datetime, timedelta

    from portal.clock import ROME
    from portal.extensions import db
    from portal.models import Pledge
    from portal.services.campaigns import closing
    from portal.services.payments import checkout, payments
    from tests.campaigns import confirm, make_campaign, pledge

    at = datetime.fromisoformat(PLEDGE_CLOCK)
    open_id = make_campaign(app, "Lab Barona")
    over_id = make_campaign(app, "Orto Corvetto", starts_at=datetime(2020, 10, 1, tzinfo=ROME), days=30)

    def card(at_moment: datetime, checkout_until: datetime | None) -> Pledge:
        """A card pledge; the test configuration's provider does not answer, so the checkout, when
        there is one, is written as the provider's answer would have left it."""
        with app.app_context():
            request = payments.PledgeRequest(25_00, "anna@example.org", "Anna Rossi", None, None, "it")
            created = checkout.pledge_by_card(open_id, request, at_moment).pledge
            if checkout_until is not None:
                created.checkout_id = f"cs_axe_{created.id}"
                created.checkout_expires_at = checkout_until
            db.session.commit()
            return created.token

    def token(reference: str) -> str:
        with app.app_context():
            return db.session.scalars(db.select(Pledge.token).filter_by(reference=reference)).one()

    confirming = card(at - timedelta(minutes=2), at + timedelta(minutes=28))
    not_started = card(at - timedelta(minutes=5), None)
    expired = card(at - timedelta(hours=3), at - timedelta(hours=2))
    with app.app_context():
        checkout.expire_abandoned_checkouts(at - timedelta(minutes=30))
    transfer = pledge(app, open_id, 25_50)
    paid = pledge(app, open_id, 40_00, email="b@example.org")
    confirm(app, paid, 40_00)
    earlier = datetime(2020, 10, 15, 12, 0, tzinfo=ROME)
    unpaid = pledge(app, over_id, 15_00, at=earlier)
    refunded = pledge(app, over_id, 30_00, email="c@example.org", at=earlier)
    confirm(app, refunded, 30_00, at=earlier)
    with app.app_context():
        closing.close_due_campaigns(datetime(2020, 11, 1, 12, 0, tzinfo=ROME))
    return {
        "card-confirming": f"sostegno/{confirming}",
        "card-not-paid": f"sostegno/{confirming}/non-pagato",
        "card-not-started": f"sostegno/{not_started}",
        "transfer-pending": f"sostegno/{token(transfer)}",
        "confirmed": f"sostegno/{token(paid)}",
        "expired": f"sostegno/{expired}",
        "cancelled": f"sostegno/{token(unpaid)}",
        "refund-due": f"sostegno/{token(refunded)}",
        "refund-iban": f"sostegno/{token(refunded)}/rimborso",
    }
