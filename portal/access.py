"""Who may open what: Flask-Login set-up and the role check used by the back-office."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import login_manager
from portal.models import Role
from portal.services.accounts import accounts


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(accounts.load_user)

    @login_manager.unauthorized_handler
    def to_login_page():
        flash(_("Accedi per continuare."), "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def roles_required(*roles: Role):
    """Anonymous people go to the login page; signed-in people without the role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
