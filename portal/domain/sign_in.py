"""Signing in: when a way in is already two factors, and which password sign-ins configuration allows."""

from __future__ import annotations

from enum import StrEnum

# SPID level 2 (and CIE, which attests level 3) asks the person for something they know and something
# they have (a one-time code, the app, the card): the second factor the back office needs is done.
SPID_LEVEL_FOR_SECOND_FACTOR = 2


def code_still_needed(role_needs_second_factor: bool, *, spid_level: int | None) -> bool:
    """Whether the portal's own second factor (TOTP) must follow this sign-in: for the roles that need
    one (staff, evaluators, coaches), unless the person came through SPID/CIE at level 2 or above.
    A password alone (`spid_level` None) is one factor."""
    if not role_needs_second_factor:
        return False
    return spid_level is None or spid_level < SPID_LEVEL_FOR_SECOND_FACTOR


class PasswordSignIn(StrEnum):
    """PASSWORD_SIGN_IN: who may sign in with an e-mail and a password (CAD art. 64 c. 3-bis: a public
    service's own credentials only where SPID/CIE cannot be asked)."""

    ALL = "all"  # everyone (the demo, the tests, a portal without SPID)
    PARTNERS = "partners"  # the back office and partners (evaluators, coaches) only: applicants use SPID/CIE
    OFF = "off"  # nobody: SPID/CIE only


def password_allowed(setting: str, *, back_office_role: bool | None = None) -> bool:
    """Whether a password sign-in is allowed under `setting`; `back_office_role` None asks whether the
    sign-in form is offered at all (to someone not yet known)."""
    mode = PasswordSignIn(setting)
    if mode is PasswordSignIn.ALL:
        return True
    if mode is PasswordSignIn.OFF:
        return False
    return back_office_role is not False
