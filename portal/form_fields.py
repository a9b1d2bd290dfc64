"""Fields several forms share: the same label, filters and messages wherever people meet them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def full_name_field() -> StringField:
    return StringField(
        _l("Nome e cognome"),
        filters=[strip],
        validators=[
            DataRequired(_l("Scrivi il tuo nome e cognome")),
            Length(max=200, message=_l("Al massimo 200 caratteri")),
        ],
    )


def email_field() -> EmailField:
    return EmailField(
        _l("Indirizzo e-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("Scrivi il tuo indirizzo e-mail")),
            Email(
                message=_l("Scrivi un indirizzo e-mail valido, ad esempio nome@esempio.it"), check_deliverability=False
            ),
            Length(max=254, message=_l("Al massimo 254 caratteri")),
        ],
    )
