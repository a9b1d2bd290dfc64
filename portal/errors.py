"""Error pages in the visitor's language, never a bare stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.services import transaction

PAGES = {400, 403, 404, 405, 429, 500}


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code if error.code in PAGES else 500 if (error.code or 500) >= 500 else 400
        return render_template(f"errors/{code}.html", error=error), error.code or code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("errors/400.html", error=error, csrf=True), 400

    @app.errorhandler(500)
    def server_error(error):
        # The failed request's transaction must not leak into the error page's queries.
        transaction.discard()
        return render_template("errors/500.html", error=error), 500
