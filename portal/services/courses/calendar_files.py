"""Calendar entries for the programme's events, for public files and for registrants."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from portal.domain.ics import CalendarEntry
from portal.models import Event
from portal.urls import absolute_url


def join_link_label(event: Event) -> str:
    """What the join link is, said the same way on the personal page, in the e-mails and in the
    registrant's calendar file: a public stream anyone may watch, or the Zoom meeting whose link
    goes only to the people registered (the same link for all of them, not a personal one), or a
    coach's office hour, whose link goes only to the team that booked it."""
    if event.is_office_hour:
        return _("Link per il ricevimento, riservato a chi lo ha prenotato")
    if event.is_join_url_public:
        if event.venue.is_youtube:
            return _("Diretta su YouTube, aperta a tutte e a tutti")
        return _("Link pubblico per seguire l'evento")
    if event.venue.is_zoom:
        return _("Link per partecipare su Zoom, riservato alle persone iscritte")
    return _("Link per partecipare, riservato alle persone iscritte")


def event_entry(
    event: Event, lang: str, *, for_registrant: int | None = None, page_url: str | None = None
) -> CalendarEntry:
    """One event as a calendar entry.

    Public entries carry a join link only when it is public (a stream); private links
    (Zoom) go only into a registrant's own file, marked by their registration id. `page_url` is
    where the entry points (default: the event's public page; an office hour has none, so its
    booking gives the team's page). An office hour in person has its place as the location.
    """
    page_url = page_url or absolute_url("call.event", lang=lang, slug=event.slug)
    host = urlsplit(current_app.config["SITE_URL"]).hostname
    if for_registrant is not None:
        uid, link = f"event-{event.id}-registration-{for_registrant}@{host}", event.join_url
    else:
        uid, link = f"event-{event.id}@{host}", event.join_url if event.is_join_url_public else None
    return CalendarEntry(
        uid=uid,
        summary=event.title(lang),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        description=(f"{join_link_label(event)}: {link}" if link else "")
        if for_registrant is not None
        else _("Dettagli e link: %(url)s", url=page_url),
        location=link or (event.summary(lang) if event.is_office_hour else None) or page_url,
        url=page_url,
    )
