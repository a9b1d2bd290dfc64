"""What every page's layout needs: the menu, the simulated clock notice, the current edition, the
"Guarda la diretta" banner while the info session is on."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from portal.clock import fixed_now, now
from portal.form_errors import error_links
from portal.services import transaction
from portal.services.editions.editions import current_edition
from portal.services.editions.overview import live_info_session

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


def _edition_for_layout():
    """The footer's edition; an error page must render even when the database is down."""
    try:
        return current_edition()
    except SQLAlchemyError:
        transaction.discard()
        return None


def _live_session(edition):
    """The info session on now, for the banner; none when the database is down (as above)."""
    if edition is None:
        return None
    try:
        return live_info_session(edition, now())
    except SQLAlchemyError:
        transaction.discard()
        return None
