"""Every error of a form as (field id, message), nested rows included, for the error summary."""

from __future__ import annotations

from wtforms import Form
from wtforms.fields import FieldList, FormField

CHOICE_LISTS = ("RadioField", "CheckboxesField")


def error_links(form: Form) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for field in form:
        if isinstance(field, FieldList):
            own = [e for e in field.errors if isinstance(e, str)]
            if own and field.entries:
                first = field.entries[0]
                target = next(iter(first.form)).id if isinstance(first, FormField) else first.id
                links.append((target, own[0]))
            for entry in field.entries:
                if isinstance(entry, FormField):
                    links.extend(error_links(entry.form))
        elif field.errors:
            suffix = "-0" if field.type in CHOICE_LISTS else ""
            links.append((f"{field.id}{suffix}", field.errors[0]))
    return links
