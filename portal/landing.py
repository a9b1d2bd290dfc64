"""Where a person lands after signing in, by role: one rule for every way in (the password form, its
second factor, the confirmation link, SPID/CIE's assertion consumer service)."""

from __future__ import annotations

from flask import url_for

from portal.models import Role, User

LANDING = {
    Role.STAFF: "admin.index",
    Role.EVALUATOR: "evaluation.assignments",
    Role.COACH: "coaching.index",
    Role.APPLICANT: "applications.resume",
}


def landing_for(user: User) -> str:
    return url_for(LANDING[user.role])
