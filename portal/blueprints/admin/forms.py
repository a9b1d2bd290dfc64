from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from portal.form_fields import strip


def web_address(form, field) -> None:
    """An http(s) address people can open; anything else (javascript:, mailto:) is refused."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
        raise ValidationError(_l("Scrivi un indirizzo web completo, che inizi con https://"))


def blank_to_none(value: str | None) -> str | None:
    value = strip(value)
    return value or None


class EventSettingsForm(FlaskForm):
    capacita = StringField(
        _l("Posti disponibili"),
        filters=[blank_to_none],
        validators=[
            Optional(),
            Regexp(r"^\d{1,6}$", message=_l("Scrivi il numero di posti in cifre, ad esempio 100")),
        ],
    )
    link_collegamento = StringField(
        _l("Link per collegarsi"),
        filters=[blank_to_none],
        validators=[Optional(), Length(max=500, message=_l("Al massimo 500 caratteri")), web_address],
    )
    link_registrazione = StringField(
        _l("Link alla registrazione"),
        filters=[blank_to_none],
        validators=[Optional(), Length(max=500, message=_l("Al massimo 500 caratteri")), web_address],
    )
    link_materiali = StringField(
        _l("Link ai materiali (slide, dispense)"),
        filters=[blank_to_none],
        validators=[Optional(), Length(max=500, message=_l("Al massimo 500 caratteri")), web_address],
    )

    @property
    def capacity(self) -> int | None:
        return int(self.capacita.data) if self.capacita.data else None
