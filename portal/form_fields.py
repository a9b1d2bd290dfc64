"""Fields several forms share: the same label, filters, parsing and messages wherever people meet them.

Amounts of euros and whole numbers are read by one field each (`EuroField`, `WholeNumberField`);
a form gives them its own words (what to type, the limits) but never parses them its own way.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Email, Length, StopValidation, ValidationError

from portal.domain import DomainError
from portal.domain.money import AmountError, parse_euros
from portal.i18n import money

# A message for people: a lazy string (`_l`) or a string already translated.
Message = str | LazyString

# Control characters (NUL above all, which PostgreSQL text refuses) never reach the database.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def clean(value: str | None) -> str | None:
    """Surrounding spaces and control characters removed."""
    return _CONTROL.sub("", value).strip() if isinstance(value, str) else value


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


class GetForm(FlaskForm):
    """A form sent with GET (filters, calculators): shareable URLs, no personal data, so no CSRF token."""

    class Meta:
        csrf = False


class CheckboxesField(SelectMultipleField):
    """Several choices, shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class DateField(StringField):
    """A date typed as 31/07/2020 or chosen in the browser's date picker (2020-07-31); on `.date`."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        self.date = None

    def pre_validate(self, form) -> None:
        raw = (self.data or "").strip()
        self.date = None
        if not raw:
            return
        for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy")):
            match = re.fullmatch(pattern, raw)
            if match:
                parts = dict(zip(order, map(int, match.groups()), strict=True))
                try:
                    self.date = date(parts["y"], parts["m"], parts["d"])
                except ValueError:
                    break
                return
        raise ValidationError(_l("Scrivi una data vera nel formato gg/mm/aaaa, ad esempio 01/09/2020"))

    def _value(self) -> str:
        if isinstance(self.data, date):
            return self.data.isoformat()
        return self.data or ""


class EuroField(StringField):
    """An amount of euros typed in Italian or English notation ("1.234,50", "1234.5", "20 €");
    the amount in integer cents is on `.cents` (None when nothing was typed).

    `message` says what to type when the text is not an amount. With `required_message` the
    amount must be given: that message answers an empty field or a lone "€"; without it an
    empty field is allowed (a lone "€" is not). `minimum_cents` refuses smaller amounts with
    `minimum_message`, in which ``%(min)s`` is the minimum formatted as money. A failure stops
    the field's other validators, which therefore only ever see a valid amount or none.
    """

    def __init__(
        self,
        label: Message | None = None,
        validators=None,
        *,
        message: Message,
        required_message: Message | None = None,
        minimum_cents: int = 0,
        minimum_message: Message | None = None,
        **kwargs,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.message, self.required_message = message, required_message
        self.minimum_cents, self.minimum_message = minimum_cents, minimum_message
        self.cents: int | None = None

    def pre_validate(self, form) -> None:
        self.cents = None
        raw = (self.data or "").strip()
        if not raw:
            if self.required_message:
                raise StopValidation(self.required_message)
            return
        try:
            cents = parse_euros(raw)
        except DomainError as error:
            empty = error.code == AmountError.EMPTY and self.required_message
            raise StopValidation(self.required_message if empty else self.message) from None
        if cents < self.minimum_cents:
            raise StopValidation((self.minimum_message or self.message) % {"min": money(self.minimum_cents)})
        self.cents = cents


class WholeNumberField(StringField):
    """A whole number typed in the digits 0-9 (not "²", "½" or other scripts' digits), from
    `minimum` to `maximum`; the value is on `.number` (None when nothing was typed).

    Surrounding spaces are removed. `message` says what to type when the text is not a whole
    number, `range_message` (default: `message`) when it is out of the limits; in both,
    ``%(min)d`` and ``%(max)d`` are the limits. With `required_message` the number must be
    given. At most as many digits as `maximum` has (four at least, so "0012" still reads 12).
    A failure stops the field's other validators.
    """

    def __init__(
        self,
        label: Message | None = None,
        validators=None,
        *,
        minimum: int = 0,
        maximum: int,
        message: Message,
        range_message: Message | None = None,
        required_message: Message | None = None,
        **kwargs,
    ) -> None:
        kwargs["filters"] = [strip, *kwargs.get("filters", ())]
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.message, self.range_message, self.required_message = message, range_message, required_message
        self.number: int | None = None

    def _say(self, message: Message) -> StopValidation:
        return StopValidation(message % {"min": self.minimum, "max": self.maximum})

    def pre_validate(self, form) -> None:
        self.number = None
        raw = self.data or ""
        if not raw:
            if self.required_message:
                raise StopValidation(self.required_message)
            return
        if not (raw.isascii() and raw.isdigit()) or len(raw) > max(4, len(str(self.maximum))):
            raise self._say(self.message)
        if not self.minimum <= int(raw) <= self.maximum:
            raise self._say(self.range_message or self.message)
        self.number = int(raw)
