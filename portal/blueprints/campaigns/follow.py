"""Following a campaign by e-mail, without an account (portal/services/campaigns/following.py):
the form on the campaign's page, "check your e-mail", the confirmation and the unsubscribe links.

Links opened from an e-mail never act on GET (mail scanners open them): each shows a button that
POSTs. The unsubscribe POST also takes the mail client's one-click request (RFC 8058): a POST of
``List-Unsubscribe=One-Click`` with no cookie and no CSRF token, so it is exempt from CSRF — the
secret token in its address is what authenticates it, and it is rate-limited per IP.
"""

from __future__ import annotations

from flask import Response, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.campaigns import bp
from portal.blueprints.campaigns.forms import FollowForm
from portal.blueprints.campaigns.page import published_campaign
from portal.clock import now
from portal.domain import DomainError
from portal.extensions import csrf
from portal.i18n import current_lang
from portal.models import Campaign
from portal.rendering import form_page
from portal.services import mail
from portal.services.campaigns import following


@bp.app_template_global("followable")
def followable(campaign: Campaign) -> bool:
    """Whether the campaign's page offers the follow form (`following.followable`)."""
    return following.followable(campaign, now())


@bp.app_template_global("empty_follow_form")
def empty_follow_form() -> FollowForm:
    """The follow form of the campaign's page, the same for every visitor: no data, no CSRF token."""
    return FollowForm(formdata=None)


def _unlisted(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _private(response: Response) -> Response:
    """A page of a secret link: never stored by any cache, never sent on to another site, never indexed."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return _unlisted(response)


@bp.route("/progetti/<slug>/segui", methods=["GET", "POST"])
@limits.follow  # a public form that sends an e-mail to the address typed: per address and per IP
@csrf.exempt  # see FollowForm: the form is on a page shared by every visitor, and acts for no session
def follow(slug: str):
    campaign = published_campaign(slug)
    form = FollowForm()
    if not following.followable(campaign, now()):
        status = 409 if request.method == "POST" else 200
        html = render_template("campaigns/follow_form.html", campaign=campaign, form=form, closed=True)
        return _unlisted(make_response(html, status))
    if form.validate_on_submit():
        try:
            following.follow(campaign.id, form.email.data, current_lang(), now(), newsletter=form.newsletter.data)
        except DomainError:  # ended meanwhile
            html = render_template("campaigns/follow_form.html", campaign=campaign, form=form, closed=True)
            return _unlisted(make_response(html, 409))
        mail.deliver_now_if_immediate(now())
        # The same answer whatever the address: nobody learns whether it already follows.
        return redirect(url_for("campaigns.follow_sent", slug=campaign.slug), code=303)
    return _unlisted(form_page("campaigns/follow_form.html", form, False, campaign=campaign, closed=False))


@bp.get("/progetti/<slug>/segui/controlla-la-posta")
def follow_sent(slug: str):
    campaign = published_campaign(slug)
    return _unlisted(make_response(render_template("campaigns/follow_sent.html", campaign=campaign)))


@bp.route("/seguire/<token>", methods=["GET", "POST"])
@limits.secret_link
def follow_confirm(token: str):
    """GET shows the button; POST confirms, then shows the page of a confirmed follow."""
    follower = following.follower_by_token(token)
    if follower is None:
        html = render_template("campaigns/follow_confirm.html", campaign=None, form=None)
        return _private(make_response(html, 404))
    if request.method == "POST":  # its CSRF token checked (CSRFProtect)
        following.confirm(token, now())
        return _private(redirect(url_for("campaigns.follow_confirm", token=token), code=303))
    campaign = following.campaign_of(follower)
    if follower.confirmed_at is not None:
        html = render_template("campaigns/follow_confirmed.html", campaign=campaign, unsubscribe_token=follower.token)
        return _private(make_response(html))
    html = render_template("campaigns/follow_confirm.html", campaign=campaign, form=FlaskForm())
    return _private(make_response(html))


@bp.route("/seguire/<token>/annulla", methods=["GET", "POST"])
@limits.secret_link
@csrf.exempt  # RFC 8058 one-click: no cookie, no CSRF token; the token in the address authenticates
def follow_unsubscribe(token: str):
    """GET shows the button (an unknown link: already done); POST, from that button or a mail
    client's one-click request, unsubscribes."""
    if request.method == "POST":
        following.unsubscribe(token[:64], now())
        return _private(make_response(render_template("campaigns/follow_unsubscribed.html")))
    follower = following.follower_by_token(token)
    if follower is None:
        return _private(make_response(render_template("campaigns/follow_unsubscribed.html")))
    html = render_template("campaigns/follow_unsubscribe.html", campaign=following.campaign_of(follower))
    return _private(make_response(html))
