"""Words the transparency pages show for codes."""

from __future__ import annotations

from flask_babel import gettext as _


def municipio_label(number: int | None) -> str:
    return _("Municipio %(num)s", num=number) if number is not None else _("Municipio non indicato")
