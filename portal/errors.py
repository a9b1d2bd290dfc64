"""Error pages in the visitor's language, never a bare stack trace."""

from __future__ import annotations

import contextlib

from flask import Flask, Response, current_app, flash, g, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge
from werkzeug.urls import iri_to_uri
from werkzeug.wsgi import LimitedStream

from portal.extensions import db, limiter, login_manager
from portal.services import transaction

PAGES = {400, 403, 404, 405, 429, 500}


def init_app(app: Flask) -> None:
    init_too_large(app)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code if error.code in PAGES else 500 if (error.code or 500) >= 500 else 400
        return render_template(f"errors/{code}.html", error=error), error.code or code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("errors/400.html", error=error, csrf=True), 400

    @app.errorhandler(500)
    def server_error(error):
        # Flask hands an error raised outside the view (an after_request hook, the response's
        # finalising) straight to this handler, not to the DBAPIError one below: the database going
        # away there is still the database going away.
        original = getattr(error, "original_exception", None)
        if isinstance(original, DBAPIError) and database_unavailable(original):
            return unavailable(original)
        # The failed request's transaction must not leak into the error page's queries.
        with contextlib.suppress(SQLAlchemyError):
            transaction.discard()
        return render_template("errors/500.html", error=error), 500

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        if not database_unavailable(error):
            raise error  # any other database error is a bug: logged, and the 500 page
        return unavailable(error)

    @app.teardown_appcontext
    def end_session(_error) -> None:
        """The request's session ends here, ahead of Flask-SQLAlchemy's own teardown (registered
        earlier, so run later). A connection the database cut after the answer was made (a restart,
        an administrator's command) fails the session's last rollback: that must not turn the
        answer into a 500. The session is dropped with its dead connection; the pool makes another."""
        try:
            db.session.remove()
        except DBAPIError as error:
            if not database_unavailable(error):
                raise
            current_app.logger.warning("Database connection lost at the end of a request: %s", error.orig)
            db.session.registry.clear()


# How long people and the payment provider are asked to wait when the database is unreachable.
RETRY_AFTER_SECONDS = 30


def database_unavailable(error: DBAPIError) -> bool:
    """The database cannot be reached: down, restarting, or the connection cut under the request.
    A pool with `pool_pre_ping` reconnects by itself once it is back."""
    return isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated


def unavailable(error: DBAPIError):
    """503 with Retry-After: a page in the visitor's language, JSON for the machine-to-machine API.
    The request's unit of work has rolled back (`portal.services.transaction`): nothing of it is stored."""
    current_app.logger.warning(
        "Database unavailable, answered 503 to %s %s: %s", request.method, request.path, error.orig
    )
    with contextlib.suppress(SQLAlchemyError):
        transaction.discard()
    # On a rate-limited route Flask-Limiter would put its window's reset (up to an hour) into
    # Retry-After; this answer is about the database, so it leaves this response alone.
    limiter.context.view_rate_limit = None
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        return jsonify(error="unavailable", retry_after=RETRY_AFTER_SECONDS), 503, headers
    # The layout asks who is signed in and the current edition: with the database away nobody can
    # say, so the page shows neither rather than fail on them (both are per-request caches in `g`).
    g._login_user = login_manager.anonymous_user()
    g.current_edition = None
    return render_template("errors/503.html", error=error), 503, headers


# --- a request too large: 413 ------------------------------------------------------------------

TOO_LARGE = _l(
    "Il file inviato è troppo grande (o i file sono troppi) e non è stato salvato nulla. Torna alla pagina, "
    "controlla il limite indicato e carica un file più piccolo, uno alla volta."
)
# How much of a body is read, at most, before answering a request nobody read it for (an upload
# over MAX_CONTENT_LENGTH, refused before a byte is read). A server that answers and closes while
# the browser is still sending makes it show "connection reset" instead of the answer (gunicorn
# waits for 64 KB at most); reading the rest first lets the page arrive. The proxy in front
# should refuse larger bodies itself (nginx: client_max_body_size).
DRAIN_AT_MOST = 64 * 1024 * 1024
_CHUNK = 64 * 1024


def init_too_large(app: Flask) -> None:
    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> Response:
        """A page in the visitor's language with the way back to the form. htmx does not swap an
        error answer: an htmx request is sent to the form's page, where the same message waits."""
        back = _form_page()
        page = render_template("errors/413.html", error=error, message=TOO_LARGE, back=back)
        response = make_response(page, 413)
        if request.headers.get("HX-Request") == "true" and back:
            flash(str(TOO_LARGE), "warning")  # after rendering the page, which would show it
            response.headers["HX-Redirect"] = back
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.after_request
    def finish_reading_the_body(response: Response) -> Response:
        _drain_body()
        return response


def _form_page() -> str | None:
    """The refused form's page (its own address, asked for with GET), if there is one."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(request.path, method="GET")
    except HTTPException:
        return None
    return iri_to_uri(request.script_root + request.path)


def _drain_body() -> None:
    """Read, and throw away, what is left of the request's body, up to `DRAIN_AT_MOST` bytes."""
    length = request.content_length
    if not length:
        return
    try:
        stream = request.stream  # what has been read of it (the form parser reads through it)
    except RequestEntityTooLarge:  # over the limit nothing may read it, so nothing has
        stream = LimitedStream(request.environ["wsgi.input"], length)
    left = min(length, DRAIN_AT_MOST)
    with contextlib.suppress(OSError, ClientDisconnected, RequestEntityTooLarge):
        while left > 0 and (chunk := stream.read(min(_CHUNK, left))):
            left -= len(chunk)
