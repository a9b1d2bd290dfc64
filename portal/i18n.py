"""Language in the URL (`/it/…`, `/en/…`) and locale-aware formatting.

Italian is the source language. The language prefix is a URL value of every
localised blueprint; a link built while reading English stays English.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

from babel import Locale, numbers
from babel.lists import format_list
from flask import Flask, abort, current_app, g, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from jinja2 import pass_context

from portal.clock import ROME, to_rome
from portal.domain.timeline import last_day

LANG_PREFIXES = ("/it/", "/en/")


def languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def current_lang() -> str:
    return g.get("lang") or guess_lang()


def guess_lang() -> str:
    """The visitor's language from the path or Accept-Language; Italian by default."""
    path = request.path if request else ""
    for code in languages():
        if path == f"/{code}" or path.startswith(f"/{code}/"):
            return code
    if not request:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(languages(), default=current_app.config["BABEL_DEFAULT_LOCALE"])


def select_locale() -> str:
    return current_lang()


def switch_url(lang: str) -> str:
    """The same page in another language: same path and query, other prefix."""
    path = request.path
    for code in languages():
        if path == f"/{code}" or path.startswith(f"/{code}/"):
            path = f"/{lang}" + path[len(code) + 1 :]
            break
    else:
        path = f"/{lang}/"
    query = request.query_string.decode("latin-1")
    return f"{path}?{query}" if query else path


_URL_SLOT = "__url_slot__"
_URL_SAFE = "!$&'()*+,/:;=@"  # what werkzeug's converters leave unquoted in a path


def url_with(endpoint: str, name: str, value: object) -> str:
    """`url_for(endpoint, **{name: value})` for a list of links that differ by one path value (the
    gallery's cards): the address is built once per request, each link only puts its value in."""
    templates = g.setdefault("url_templates", {})
    parts = templates.get((endpoint, name))
    if parts is None:
        parts = templates[(endpoint, name)] = url_for(endpoint, **{name: _URL_SLOT}).split(_URL_SLOT, 1)
    return parts[0] + quote(str(value), safe=_URL_SAFE) + parts[1]


def last_day_of(closes_at: datetime) -> str:
    """The last day before an exclusive end (a deadline at midnight, a campaign's window), in Rome."""
    return day(last_day(closes_at, ROME))


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def pull_lang(endpoint, values):
        if values and "lang" in values:
            g.lang = values.pop("lang")
            if g.lang not in languages():
                g.lang = None
                abort(404)

    @app.url_defaults
    def add_lang(endpoint, values):
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current_lang()

    app.jinja_env.filters.update(
        {
            name: per_page(function)
            for name, function in {
                "money": money,
                "when": when,
                "day": day,
                "day_with_weekday": day_with_weekday,
                "time": time,
                "month_year": month_year,
                "last_day": last_day_of,
                "decimal": two_decimals,
                "number": whole_number,
            }.items()
        }
    )
    app.jinja_env.globals.update(
        current_lang=current_lang,
        switch_url=switch_url,
        budget_text=budget_text,
        words_list=words_list,
        url_with=url_with,
    )


def per_page(function):
    """A formatting filter evaluated on each page, in that page's language.

    Jinja computes a filter whose arguments are constants (`100|money`) once, when it compiles the
    template, in the language of the page that happened to compile it; every later page, in either
    language, would then show that first language's figure. A filter that takes the context is never
    computed ahead, so `pass_context` (with the context ignored) keeps these filters per page.
    """

    @pass_context
    def filter_(context, value, *args, **kwargs):
        return function(value, *args, **kwargs)

    filter_.__name__ = function.__name__
    filter_.__doc__ = function.__doc__
    return filter_


# --- formatting -----------------------------------------------------------------


def money(cents: int | None, *, decimals: bool | None = None) -> str:
    """`6000000` → "60.000 €" (it) / "€60,000" (en); cents shown only when there are any.

    Formatting a figure is costly (Babel parses the locale's pattern each time) and a page repeats
    the same figures (every card's goal, threshold and grant): each is formatted once per language."""
    if cents is None:
        return ""
    if decimals is None:
        decimals = cents % 100 != 0
    return _money(cents, decimals, str(get_locale()))


@lru_cache(maxsize=8192)
def _money(cents: int, decimals: bool, locale: str) -> str:
    amount = Decimal(cents) / 100
    if decimals:
        return numbers.format_currency(amount, "EUR", locale=locale)
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    whole = pattern.split(";")[0].replace(".00", "")
    return numbers.format_currency(amount, "EUR", format=whole, currency_digits=False, locale=locale)


def whole_number(value: int) -> str:
    """A count in the page's language: 1.250 in Italian, 1,250 in English."""
    return format_decimal(value, format="#,##0")


def two_decimals(value) -> str:
    """`1234.5` → "1.234,50" (it) / "1,234.50" (en)."""
    return format_decimal(value, format="#,##0.00")


def budget_text(edition) -> str | None:
    """An edition's co-funding budget as the source gives it: "oltre 500.000 €" when the figure is a
    floor (`budget_is_floor`), "500.000 €" when exact; None when unknown. Every page that shows a
    budget asks this."""
    if edition is None or edition.budget_cents is None:
        return None
    amount = money(edition.budget_cents)
    return _("oltre %(amount)s", amount=amount) if edition.budget_is_floor else amount


def words_list(items) -> str:
    """ "associazione, fondazione e impresa sociale" / "association, foundation, and social enterprise"."""
    return format_list([str(item) for item in items], locale=str(get_locale())) if items else ""


def when(moment: datetime) -> str:
    """ "lunedì 15 giugno 2020, 16:00" in Europe/Rome."""
    return format_datetime(moment, "EEEE d MMMM y, HH:mm")


def day(value: date | datetime) -> str:
    """ "31 luglio 2020"."""
    return format_date(_local_date(value), "d MMMM y")


def day_with_weekday(value: date | datetime | str) -> str:
    """ "domenica 15 novembre 2020" / "Sunday 15 November 2020", the day in Europe/Rome: for "Dati
    aggiornati a …" and every full date a person reads. An ISO date ("2026-11-27") is read too, for a
    date written in a long text."""
    return format_date(_local_date(value), "EEEE d MMMM y")


def month_year(value: date | datetime) -> str:
    """ "Giugno 2020" / "June 2020"."""
    return format_date(_local_date(value), "LLLL y").capitalize()


def time(moment: datetime) -> str:
    return format_datetime(moment, "HH:mm")


def _local_date(value: date | datetime | str) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, datetime):
        return to_rome(value).date()
    return value
