"""What every page's layout needs: the menu, the simulated clock notice, the current edition, the
"Guarda la diretta" banner while the info session is on.

The edition and the live session only change with the data or when the session starts or ends (a
boundary of the data version): both are read once per data version (`data_version.memo`), as plain
values, so a page's layout costs no query of its own."""

from __future__ import annotations

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from portal.clock import fixed_now, now
from portal.domain import phase
from portal.form_errors import error_links
from portal.services import transaction
from portal.services.editions.editions import EditionSummary, SessionSummary, current_edition_summary

MAIN_MENU = (
    ("pages.home", _l("Home")),
    ("call.edition_current", _l("Il bando")),
    ("call.eligibility", _l("Puoi partecipare?")),
    ("call.info_session", _l("Sessione informativa")),
    ("campaigns.gallery", _l("Progetti")),
    ("courses.calendar_page", _l("Calendario")),
    ("pages.contacts", _l("Contatti")),
)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["error_links"] = error_links

    @app.context_processor
    def layout_context() -> dict:
        edition = _edition_for_layout()
        return {
            "main_menu": MAIN_MENU,
            "simulated_now": fixed_now(),
            "current_edition": edition,
            "live_session": _live_session(edition),
        }


def _edition_for_layout() -> EditionSummary | None:
    """The footer's edition; an error page must render even when the database is down (the 503
    page says so by setting `g.current_edition` to None)."""
    if "current_edition" in g and g.current_edition is None:
        return None
    try:
        return current_edition_summary()
    except SQLAlchemyError:
        transaction.discard()
        return None


def _live_session(edition: EditionSummary | None) -> SessionSummary | None:
    """The info session on now, for the banner (`portal.domain.phase.is_live`)."""
    if edition is None:
        return None
    moment = now()
    return next((s for s in edition.info_sessions if phase.is_live(phase.Window(s.starts_at, s.ends_at), moment)), None)
