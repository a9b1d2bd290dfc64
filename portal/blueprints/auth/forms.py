from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from portal.blueprints.courses.forms import strip


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Indirizzo e-mail"),
        filters=[strip],
        validators=[DataRequired(_l("Scrivi il tuo indirizzo e-mail")), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Scrivi la password")), Length(max=200)])
    next = HiddenField()


class CodeForm(FlaskForm):
    code = StringField(
        _l("Codice di verifica"),
        filters=[lambda value: "".join(value.split()) if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Scrivi il codice di 6 cifre")),
            Regexp(r"^\d{6}$", message=_l("Il codice è fatto di 6 cifre, ad esempio 123456")),
        ],
    )
