"""The demo payment provider: a stand-in for a card payment provider, for `make run` and the tests.

**Never for production.** It charges nothing, keeps everything in memory (a restart forgets every
checkout), accepts only test card numbers and listens on 127.0.0.1 only. `make run` starts it in
development (scripts/run-demo.sh); the portal reaches it through
`portal/services/payments/providers/demo.py` (`DemoProvider`), exactly as it reaches a real
provider: it starts a hosted checkout, sends the person to the provider's page, and learns the
outcome from a signed notification.

Run it alone::

    PAYMENT_WEBHOOK_SECRET=… python -m demo_provider \\
        --notify-url http://127.0.0.1:5000/api/pagamenti/notifiche/demo [--port 0] [--now ISO] \\
        [--notify-delay SECONDS]

The API (JSON; every call carries ``Authorization: Bearer <PAYMENT_WEBHOOK_SECRET>``):

* ``POST /v1/checkout`` with an ``Idempotency-Key`` header and ``{"reference", "amount_cents",
  "currency": "EUR", "description", "email", "lang": "it"|"en", "success_url", "cancel_url",
  "expires_at": ISO 8601 with offset}`` → 201 ``{"id", "url", "expires_at"}``. The same key with the
  same body returns the same session (200); with another body, 409. ``{CHECKOUT_SESSION_ID}`` in
  ``success_url`` is replaced by the session's id.
* ``POST /v1/refunds`` with an ``Idempotency-Key`` and ``{"payment_id", "amount_cents"}`` →
  201 ``{"id", "status": "succeeded", "payment_id", "amount_cents"}`` (the same key: the same refund),
  then a ``refund.succeeded`` notification.
* ``GET /v1/events``: the notifications sent so far and whether the portal accepted them.
* ``GET /healthz``.

The hosted page, ``GET /pay/<id>`` (Italian or English, from the checkout's ``lang`` or ``?lang=``):
the amount, the campaign, a card number field prefilled with the test card that pays, "Paga" and
"Annulla". `TEST_CARD_PAID` pays: the portal is notified (``checkout.paid``), then the browser is sent
to ``success_url`` (303). `TEST_CARD_DECLINED` is declined: the page says so and nothing is charged.
"Annulla" sends the browser to ``cancel_url`` and leaves the session open until it expires (as real
providers do). Once ``expires_at`` has passed the page says the session expired ("scaduta") and the
portal is notified (``checkout.expired``) once.

The notifications are POSTed to ``--notify-url``, signed as `portal.domain.webhook` reads them:
the header ``Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`` under
``PAYMENT_WEBHOOK_SECRET``, ``t`` being the real time of sending (whatever ``--now`` says). The body::

    {"id": "evt_…", "type": "checkout.paid" | "checkout.expired" | "refund.succeeded",
     "data": {"checkout_id": "cs_…", "reference": "…", "amount_cents": 2000, "currency": "EUR",
              "payment_id": "pay_…" (paid, refunds), "refund_id": "re_…" (refunds)}}

A notification the portal does not accept (no 2xx answer, or no answer) is retried a few times,
with growing pauses. ``--notify-delay`` holds the ``checkout.paid`` notification back that many
seconds after the redirect (the portal's page then waits for it, as with a busy real provider).
``--now`` fixes the provider's clock (as ``PORTAL_NOW`` fixes the portal's): the expiry of checkouts
is judged by it.
"""

from __future__ import annotations

TEST_CARD_PAID = "4242424242424242"
TEST_CARD_DECLINED = "4000000000000002"
SIGNATURE_HEADER = "Portal-Signature"
CURRENCY = "EUR"


def card_digits(typed: str) -> str:
    """The digits of a card number as typed, with its spaces and dashes removed."""
    return "".join(ch for ch in typed if ch not in " -\u00a0")


def grouped(number: str) -> str:
    """A card number in groups of four: 4242 4242 4242 4242."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
