"""The sign-in rules of portal/domain/sign_in.py: when SPID/CIE is the second factor, who may use a password."""

from __future__ import annotations

import pytest

from portal.domain.sign_in import code_still_needed, password_allowed


@pytest.mark.parametrize(
    ("role_needs_it", "spid_level", "needed"),
    [
        (True, None, True),  # staff with a password: the TOTP code follows
        (True, 1, True),  # SPID level 1 is a password too
        (True, 2, False),  # SPID level 2 (a second factor at the identity provider)
        (True, 3, False),  # CIE, SPID level 3
        (False, None, False),  # organisations never had a code to give
    ],
)
def test_spid_level_2_or_more_is_the_second_factor(role_needs_it, spid_level, needed):
    assert code_still_needed(role_needs_it, spid_level=spid_level) is needed


@pytest.mark.parametrize(
    ("setting", "back_office", "allowed"),
    [
        ("all", False, True),
        ("all", None, True),
        ("partners", True, True),
        ("partners", False, False),
        ("partners", None, True),  # the form stays for the back office
        ("off", True, False),
        ("off", None, False),
    ],
)
def test_password_sign_in_follows_the_setting(setting, back_office, allowed):
    assert password_allowed(setting, back_office_role=back_office) is allowed


def test_an_unknown_setting_is_an_error_not_a_silent_default():
    with pytest.raises(ValueError):
        password_allowed("sometimes")
