from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from portal.form_fields import email_field, full_name_field, strip


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


def password_field(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Scegli una password")),
            Length(min=12, max=200, message=_l("La password deve avere almeno 12 caratteri")),
        ],
    )


class SignUpForm(FlaskForm):
    nome = full_name_field()
    email = email_field()
    password = password_field(_l("Password"))
    conferma = PasswordField(
        _l("Ripeti la password"),
        validators=[DataRequired(_l("Ripeti la password")), EqualTo("password", _l("Le due password non coincidono"))],
    )
    # The Comune processes these data to perform its public task (the call): the person
    # acknowledges the notice, nobody is asked to consent.
    privacy = BooleanField(
        _l("Ho letto l'informativa sul trattamento dei dati personali dell'account e della domanda"),
        validators=[
            DataRequired(
                _l("Per creare l'account conferma di aver letto l'informativa sul trattamento dei dati personali")
            )
        ],
    )
    next = HiddenField()


class ResendForm(FlaskForm):
    """ "Send the link again": the address, and where the person was going."""

    email = EmailField(
        _l("Indirizzo e-mail"),
        filters=[strip],
        validators=[DataRequired(_l("Scrivi il tuo indirizzo e-mail")), Length(max=254)],
    )
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Indirizzo e-mail"),
        filters=[strip],
        validators=[DataRequired(_l("Scrivi il tuo indirizzo e-mail")), Length(max=254)],
    )


class NewPasswordForm(FlaskForm):
    password = password_field(_l("Nuova password"))
    conferma = PasswordField(
        _l("Ripeti la nuova password"),
        validators=[DataRequired(_l("Ripeti la password")), EqualTo("password", _l("Le due password non coincidono"))],
    )
