"""The door to apply: one path from the home page, the call page and a positive eligibility check to
the application's first step.

    door → a way in (create an account, or sign in) → the e-mail confirmed → signed in
         → the organisation's profile → the application

The door asks only whether someone is signed in, never how: every way in (password today, SPID/CIE
later) is offered by the sign-in step of the `auth` blueprint (`auth/_ways_in.html`) and brings the
person back here through `next`. Each visit sends people to the first thing they still lack.
While the call takes no applications (before it opens, after its deadline) the door says so and
offers what one can do instead, never a form.
"""

from __future__ import annotations

import enum

from flask import redirect, render_template, url_for
from flask_login import current_user

from portal.blueprints.applications import bp
from portal.clock import now
from portal.models import Role
from portal.services.applications import applications
from portal.services.editions.editions import current_edition
from portal.services.editions.overview import call_state_of


class Door(enum.Enum):
    """What the door shows when it does not send the person on."""

    CLOSED = "closed"  # the call takes no applications now: what one can do instead
    WAY_IN = "way_in"  # nobody signed in: the path, and the ways in
    NOT_APPLICANT = "not_applicant"  # signed in with a back-office account
    BEGIN = "begin"  # the profile is there, no application yet: one button starts it

    @property
    def is_closed(self) -> bool:
        return self is Door.CLOSED

    @property
    def is_way_in(self) -> bool:
        return self is Door.WAY_IN

    @property
    def is_not_applicant(self) -> bool:
        return self is Door.NOT_APPLICANT

    @property
    def is_begin(self) -> bool:
        return self is Door.BEGIN


@bp.get("/presenta")
def start():
    edition = current_edition()
    call = call_state_of(edition, now()) if edition else None

    def page(door: Door):
        applicant = current_user.is_authenticated and current_user.role is Role.APPLICANT
        return render_template(
            "applications/door.html", door=door, edition=edition, call=call, here=here, applicant=applicant
        )

    here = url_for("applications.start")
    if call is None or not call.status.is_open:
        return page(Door.CLOSED)
    if not current_user.is_authenticated:
        return page(Door.WAY_IN)
    if current_user.role is not Role.APPLICANT:
        return page(Door.NOT_APPLICANT)
    if current_user.organisation_id is None:
        return redirect(url_for("applications.organisation", next=here))
    if applications.active_application(current_user.organisation_id, edition) is not None:
        return redirect(url_for("applications.resume"))
    return page(Door.BEGIN)
