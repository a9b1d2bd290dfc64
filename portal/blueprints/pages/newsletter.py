"""The programme's newsletter, without an account (portal/services/newsletter/subscriptions.py):
the box in every page's footer and its page, "check your e-mail", the confirmation and the
unsubscribe links.

The footer's box is on pages shared by every visitor and stored by caches, so it carries no CSRF
token: its POST is exempt from CSRF by design, as the follow form's. It acts for nobody's session,
anyone may type any address, and nothing is sent but a confirmation the address's owner must open
(double opt-in); it is rate-limited per address typed and per IP (`limits.newsletter`).

Links opened from an e-mail never act on GET (mail scanners open them): each shows a button that
POSTs. The unsubscribe POST also takes the mail client's one-click request (RFC 8058): a POST of
``List-Unsubscribe=One-Click`` with no cookie and no CSRF token, so it is exempt from CSRF — the
secret token in its address is what authenticates it, and it is rate-limited per IP.
"""

from __future__ import annotations

from flask import Response, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.pages import bp
from portal.clock import now
from portal.domain.newsletter import Source
from portal.extensions import csrf
from portal.form_fields import email_field
from portal.i18n import current_lang
from portal.rendering import form_page
from portal.services import mail
from portal.services.newsletter import subscriptions


class NewsletterForm(FlaskForm):
    """The newsletter's box: an address, and the button. Submitting it is the explicit request (no
    checkbox needed); no CSRF token (see the module's note)."""

    class Meta:
        csrf = False

    email = email_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email.id = "newsletter-email"  # unique beside any other form's address
        self.email.label.text = _l("Il tuo indirizzo e-mail")


def _unlisted(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _private(response: Response) -> Response:
    """A page of a secret link: never stored by any cache, never sent on to another site, never indexed."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return _unlisted(response)


@bp.route("/newsletter", methods=["GET", "POST"])
@limits.newsletter  # a public form that sends an e-mail to the address typed: per address and per IP
@csrf.exempt  # the footer's box is on pages shared by every visitor: see the module's note
def newsletter():
    """GET: the box on its own page, with the privacy note. POST (from here or any page's footer):
    the confirmation e-mail, then the same answer whatever the address; errors shown here."""
    form = NewsletterForm()
    if form.validate_on_submit():
        subscriptions.subscribe(form.email.data, current_lang(), Source.FOOTER, now())
        mail.deliver_now_if_immediate(now())
        # The same answer whatever the address: nobody learns whether it is subscribed.
        return redirect(url_for("pages.newsletter_sent"), code=303)
    return form_page("pages/newsletter.html", form, False)


@bp.get("/newsletter/controlla-la-posta")
def newsletter_sent():
    return _unlisted(make_response(render_template("pages/newsletter_sent.html")))


@bp.route("/newsletter/conferma/<token>", methods=["GET", "POST"])
@limits.secret_link
def newsletter_confirm(token: str):
    """GET shows the button; POST confirms, then shows the page of a confirmed subscription."""
    subscriber = subscriptions.subscriber_by_token(token)
    if subscriber is None:
        return _private(make_response(render_template("pages/newsletter_confirm.html", subscriber=None), 404))
    if request.method == "POST":  # its CSRF token checked (CSRFProtect)
        subscriptions.confirm(token, now())
        return _private(redirect(url_for("pages.newsletter_confirm", token=token), code=303))
    html = render_template("pages/newsletter_confirm.html", subscriber=subscriber, form=FlaskForm())
    return _private(make_response(html))


@bp.route("/newsletter/disiscrizione/<token>", methods=["GET", "POST"])
@limits.secret_link
@csrf.exempt  # RFC 8058 one-click: no cookie, no CSRF token; the token in the address authenticates
def newsletter_unsubscribe(token: str):
    """GET shows the button (an unknown link, or one already used: done); POST, from that button or
    a mail client's one-click request, unsubscribes (idempotent)."""
    if request.method == "POST":
        subscriptions.unsubscribe(token[: subscriptions.TOKEN_MAX], now())
        return _private(make_response(render_template("pages/newsletter_unsubscribed.html")))
    subscriber = subscriptions.subscriber_by_token(token)
    if subscriber is None or subscriber.unsubscribed_at is not None:
        return _private(make_response(render_template("pages/newsletter_unsubscribed.html")))
    return _private(make_response(render_template("pages/newsletter_unsubscribe.html")))
