"""The payment providers' notifications, machine to machine.

`POST /api/pagamenti/notifiche/<provider>` (``demo``, ``stripe``): a card provider's notification,
read and verified by the provider's own `read_notification` (`provider_notification` below).

`POST /api/pagamenti/notifiche`: the portal's own signed format, that `flask demo-payment` plays.

The provider signs each notification in the ``Portal-Signature`` header,
``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`` under the secret shared with the
portal (``PAYMENT_WEBHOOK_SECRET``); see `portal.domain.webhook`. The body is
``{"id": "evt_…", "type": "payment.succeeded", "data": {"reference": "CC2020-…",
"amount_cents": 5000, "currency": "EUR"}}``.

Answers (JSON):

* 200 ``{"outcome": "confirmed"}`` — and also 200 for ``unknown_reference``,
  ``amount_mismatch``, ``not_pending`` (recorded and logged for staff, who see them on the
  payments page: retrying would not change them), ``payment_failed``, ``duplicate`` (an
  event id seen before: nothing changes) and ``ignored`` (an event type the portal does
  not handle);
* 400 ``{"error": "malformed_signature" | "stale" | "malformed", "field": …}``: the header
  cannot be read, the signature is too old or in the future, or the body is not a valid event;
* 401 ``{"error": "bad_signature"}``: not signed with the shared secret;
* 503 ``{"error": "not_configured"}``: no secret configured, so nothing can be trusted.

Not protected by CSRF (the signature is its protection) nor rate-limited (the provider
retries in bursts; a forged request costs one HMAC).
"""

from __future__ import annotations

from flask import current_app, jsonify, request

from portal.blueprints.payments import bp
from portal.clock import now
from portal.domain import DomainError
from portal.domain.webhook import MAX_BODY_BYTES, SIGNATURE_HEADER, WebhookError, parse_event, verify
from portal.extensions import csrf, limiter
from portal.services import mail
from portal.services.payments import provider_events, providers
from portal.services.payments.providers.base import BadNotification

_SIGNATURE_ERRORS = {
    WebhookError.MALFORMED: ("malformed_signature", 400),
    WebhookError.BAD_SIGNATURE: ("bad_signature", 401),
}


def _error(code: str, status: int, **extra):
    return jsonify(error=code, **extra), status


@bp.post("/notifiche")
@csrf.exempt
@limiter.exempt
def notification():
    secret = current_app.config.get("PAYMENT_WEBHOOK_SECRET")
    if not secret:
        current_app.logger.error("Payment notification refused: PAYMENT_WEBHOOK_SECRET is not set")
        return _error("not_configured", 503)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _error(WebhookError.MALFORMED, 400, field="body")
    body = request.get_data(cache=False)
    moment = now()
    try:
        verify(secret.encode(), request.headers.get(SIGNATURE_HEADER, ""), body, int(moment.timestamp()))
    except DomainError as problem:
        return _error(*_SIGNATURE_ERRORS.get(problem.code, (problem.code, 400)))
    try:
        event = parse_event(body)
        provider_events.check_storable(event)
    except DomainError as problem:
        if problem.code == WebhookError.UNSUPPORTED_TYPE:
            return jsonify(outcome="ignored")
        return _error(WebhookError.MALFORMED, 400, field=problem.params.get("field", "body"))
    outcome = provider_events.record_event(event, moment)
    mail.deliver_now_if_immediate(moment)
    return jsonify(outcome=outcome, event_id=event.event_id)


# Stripe's events carry the whole session: more room than the portal's own format.
MAX_NOTIFICATION_BYTES = 256 * 1024


@bp.post("/notifiche/<provider>")
@csrf.exempt
@limiter.exempt
def provider_notification(provider: str):
    """A card provider's notification, read and verified by that provider's `read_notification`.

    Answers 200 ``{"outcome": …, "event_id": …}`` for every event read (see
    `provider_events.record_notification`), 400 ``{"error": "bad_notification"}`` when the provider
    refuses the body or its signature (nothing stored), 404 for a provider the portal does not
    know, 503 ``{"error": "not_configured"}`` when its settings are missing.
    """
    if not providers.is_known(provider):
        return _error("unknown_provider", 404)
    if not providers.is_configured(provider):
        current_app.logger.error("Notification from %s refused: the provider is not configured", provider)
        return _error("not_configured", 503)
    if (request.content_length or 0) > MAX_NOTIFICATION_BYTES:
        return _error(WebhookError.MALFORMED, 400, field="body")
    body = request.get_data(cache=False)
    if len(body) > MAX_NOTIFICATION_BYTES:
        return _error(WebhookError.MALFORMED, 400, field="body")
    try:
        notification = providers.provider_named(provider).read_notification(body, request.headers)
    except BadNotification as problem:
        current_app.logger.warning("Notification from %s refused: %s", provider, problem)
        return _error("bad_notification", 400)
    try:
        provider_events.check_notification_storable(notification)
    except DomainError as problem:
        return _error(WebhookError.MALFORMED, 400, field=problem.params.get("field", "body"))
    moment = now()
    outcome = provider_events.record_notification(provider, notification, moment)
    mail.deliver_now_if_immediate(moment)
    return jsonify(outcome=outcome, event_id=notification.event_id)
