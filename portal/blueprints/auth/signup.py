"""Applicants' accounts: sign up, confirm the address, reset a forgotten password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import limits
from portal.blueprints.auth import bp
from portal.blueprints.auth.forms import ForgotPasswordForm, NewPasswordForm, SignUpForm
from portal.clock import now
from portal.domain import DomainError
from portal.i18n import current_lang
from portal.rendering import form_page
from portal.services import mail
from portal.services.accounts import signup
from portal.services.accounts.accounts import AccountError
from portal.services.accounts.signup import SignupError


def _link_problem(error: DomainError) -> str:
    return (
        _("Il link è scaduto: chiedine uno nuovo.")
        if error.code == SignupError.EXPIRED
        else _("Il link non è valido o è già stato usato: chiedine uno nuovo.")
    )


def _weak_password() -> str:
    return _("La password deve avere almeno 12 caratteri e non può essere l'indirizzo e-mail")


@bp.route("/registrazione", methods=["GET", "POST"])
@limits.sign_up
def sign_up():
    if current_user.is_authenticated:
        return redirect(url_for("applications.home"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            signup.sign_up(form.email.data, form.nome.data, form.password.data, current_lang(), now())
        except DomainError as error:
            if error.code != AccountError.WEAK_PASSWORD:
                raise
            form.password.errors = [_weak_password()]
        else:
            mail.deliver_now_if_immediate(now())
            return render_template("auth/check_email.html", email=form.email.data)
    return form_page("auth/sign_up.html", form, False)


@bp.get("/registrazione/conferma/<token>")
def confirm_email(token: str):
    try:
        signup.confirm_email(token, now())
    except DomainError as error:
        flash(_link_problem(error), "warning")
        return redirect(url_for("auth.login"))
    flash(_("Indirizzo confermato: ora puoi accedere."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password-dimenticata", methods=["GET", "POST"])
@limits.reset_request
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        signup.request_reset(form.email.data, now(), lang=current_lang())
        mail.deliver_now_if_immediate(now())
        return render_template("auth/check_email.html", email=form.email.data, reset=True)
    return form_page("auth/forgot_password.html", form, False)


@bp.route("/nuova-password/<token>", methods=["GET", "POST"])
@limits.secret_link
def reset_password(token: str):
    try:
        signup.user_for_reset(token)
    except DomainError as error:
        flash(_link_problem(error), "warning")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            signup.reset_password(token, form.password.data, now())
        except DomainError as error:
            if error.code != AccountError.WEAK_PASSWORD:
                abort(400)
            form.password.errors = [_weak_password()]
        else:
            flash(_("Password cambiata: accedi con la nuova password."), "success")
            return redirect(url_for("auth.login"))
    return form_page("auth/new_password.html", form, False, token=token)
