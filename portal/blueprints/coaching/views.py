"""The coaching area: the projects a coach accompanies, each draft with its checklist and the
comments with its team. Coaches see only the campaigns assigned to them (another's is a 404, never
data); staff may open every campaign's page, to read it and step in. The one rule of who reaches a
campaign is `services/campaigns/coaching.py` `coached_campaign`; the access rule of the whole
blueprint (office hours included) is `coaches_and_staff_only`."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import limits
from portal.access import roles_required
from portal.blueprints.coaching import bp
from portal.clock import now
from portal.comment_forms import comment_form, refuse
from portal.domain import DomainError
from portal.domain.comments import CommentError
from portal.models import Role
from portal.rendering import form_page, render_page
from portal.services import mail
from portal.services.campaigns import coaching, comments
from portal.services.campaigns.readiness import readiness_of


@bp.before_request
@roles_required(Role.COACH, Role.STAFF)
def coaches_and_staff_only() -> None:
    """Coaches (their own campaigns) and staff; applicants and evaluators get 403."""


@bp.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/")
def index():
    campaigns = coaching.coached_campaigns(current_user)
    rows = [(campaign, readiness_of(campaign).score) for campaign in campaigns]
    return render_page("coaching/index.html", rows=rows, now=now())


@bp.route("/campagne/<int:campaign_id>", methods=["GET", "POST"])
@limits.signed_in_writes
def campaign(campaign_id: int):
    campaign = coaching.coached_campaign(campaign_id, current_user) or abort(404)
    form = comment_form(request.args.get("sezione"))
    if form.validate_on_submit():
        try:
            comments.add_comment(campaign.id, form.section, form.testo.data, current_user, now())
        except DomainError as error:
            if error.code is CommentError.NOT_ALLOWED:
                abort(404)
            refuse(form, error)
        else:
            mail.deliver_now_if_immediate(now())
            flash(_("Commento inviato."), "success")
            url = url_for("coaching.campaign", campaign_id=campaign.id, _anchor=f"sezione-{form.section.value}")
            return redirect(url, code=303)
    return form_page(
        "coaching/campaign.html",
        form,
        False,
        campaign=campaign,
        readiness=readiness_of(campaign),
        threads=comments.threads_of(campaign.id),
        team=coaching.team_of(campaign),
        now=now(),
    )
