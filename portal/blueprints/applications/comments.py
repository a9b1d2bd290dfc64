"""The team's side of the comments on its campaign's draft: the threads with its coach (and staff)
by section, and a reply. Only the organisation whose application became the campaign (anyone
else: 404)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import limits
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application
from portal.clock import now
from portal.comment_forms import comment_form, refuse
from portal.domain import DomainError
from portal.domain.comments import CommentError
from portal.rendering import form_page
from portal.services import mail
from portal.services.campaigns import campaign_updates, comments


@bp.route("/<int:application_id>/campagna/commenti", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def campaign_comments(application_id: int):
    application = own_application(application_id)
    campaign = campaign_updates.campaign_of_application(application.id) or abort(404)
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
            url = url_for(
                "applications.campaign_comments", application_id=application.id, _anchor=f"sezione-{form.section.value}"
            )
            return redirect(url, code=303)
    return form_page(
        "applications/campaign_comments.html",
        form,
        False,
        application=application,
        campaign=campaign,
        threads=comments.threads_of(campaign.id),
    )
