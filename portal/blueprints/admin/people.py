"""Staff invite evaluators; the list of back-office accounts."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import limits
from portal.blueprints.admin import bp
from portal.blueprints.admin.forms import InviteForm
from portal.clock import now
from portal.domain import DomainError
from portal.extensions import db
from portal.models import Role, User
from portal.services import mail
from portal.services.accounts import signup


@bp.route("/valutatori", methods=["GET", "POST"])
@limits.signed_in_writes
def people():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            signup.invite(form.email.data, form.nome.data, Role.EVALUATOR, current_user, now())
        except DomainError:
            form.email.errors = [_("Esiste già un account con questo indirizzo")]
        else:
            mail.deliver_now_if_immediate(now())
            flash(_("Invito inviato a %(email)s.", email=form.email.data), "success")
            return redirect(url_for("admin.people"))
    accounts = db.session.scalars(
        db.select(User).where(User.role.in_((Role.STAFF, Role.EVALUATOR))).order_by(User.role, User.name)
    ).all()
    return render_template("admin/people.html", form=form, accounts=accounts, page_has_errors=bool(form.errors))
