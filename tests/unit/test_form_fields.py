"""The one euro field and the one whole-number field every form uses (portal.form_fields)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from portal.form_fields import EuroField, WholeNumberField


class Amounts(Form):
    optional = EuroField(message="not an amount", minimum_cents=1, minimum_message="at least %(min)s")
    required = EuroField(message="not an amount", required_message="say how much")


class Numbers(Form):
    optional = WholeNumberField(minimum=1, maximum=120, message="digits %(min)d-%(max)d", range_message="%(max)d max")
    required = WholeNumberField(maximum=999_999, message="digits", required_message="say how many")


def submitted(form_class: type[Form], **values: str) -> Form:
    form = form_class(MultiDict(values))
    form.validate()
    return form


@pytest.fixture(autouse=True)
def _italian(app):
    with app.test_request_context("/it/"):
        yield


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("1.234,50", 123450), ("1234.5", 123450), ("20 €", 2000), ("EUR 20.000", 2000000), (" 1,234.50 ", 123450)],
)
def test_euros_are_read_in_italian_and_english_notation_into_cents(typed, cents):
    form = submitted(Amounts, optional=typed, required=typed)
    assert (form.optional.cents, form.required.cents) == (cents, cents)
    assert not form.errors


@pytest.mark.parametrize("typed", ["abc", "-5", "1,2,3", "1.2345", "1.5e3", "1,234,56", "20 € 50"])
def test_what_is_not_an_amount_gets_the_forms_own_message(typed):
    form = submitted(Amounts, optional=typed, required=typed)
    assert form.errors == {"optional": ["not an amount"], "required": ["not an amount"]}
    assert form.optional.cents is None and form.required.cents is None


def test_an_empty_amount_is_allowed_only_when_not_required_and_a_lone_euro_sign_is_not_an_amount():
    assert submitted(Amounts, optional="  ", required="").errors == {"required": ["say how much"]}
    assert submitted(Amounts, optional="€", required="€").errors == {
        "optional": ["not an amount"],
        "required": ["say how much"],
    }


def test_the_minimum_is_said_as_money():
    form = submitted(Amounts, optional="0", required="0")
    assert form.errors == {"optional": ["at least 0,01\u00a0€"]}
    assert form.required.cents == 0


@pytest.mark.parametrize(("typed", "number"), [("12", 12), (" 120 ", 120), ("0012", 12), ("1", 1)])
def test_whole_numbers_in_digits(typed, number):
    form = submitted(Numbers, optional=typed, required="7")
    assert form.optional.number == number and not form.errors


@pytest.mark.parametrize("typed", ["abc", "12.5", "-3", "²", "١٢", "１２", "00012", "1 2"])
def test_anything_else_is_not_a_whole_number(typed):
    form = submitted(Numbers, optional=typed, required="7")
    assert form.errors == {"optional": ["digits 1-120"]}
    assert form.optional.number is None


@pytest.mark.parametrize("typed", ["0", "121", "9999"])
def test_out_of_the_limits(typed):
    assert submitted(Numbers, optional=typed, required="7").errors == {"optional": ["120 max"]}


def test_a_required_number_must_be_given_and_digits_are_capped_by_the_maximum():
    assert submitted(Numbers, optional="", required=" ").errors == {"required": ["say how many"]}
    assert submitted(Numbers, required="999999").form_errors == []
    assert submitted(Numbers, required="1000000").errors == {"required": ["digits"]}
