"""Pure rules of the programme: plain values in, plain values out.

Nothing here imports Flask, SQLAlchemy or the models, and "now" is always a
parameter, so every rule is tested on its own and reused by every area.

Every module that refuses input names its reasons in its own `StrEnum` (``PledgeError``,
``WebhookError``...), raised and compared as members, never as string literals. A member
equals its value, so what is stored or logged (``"not_open"``) is the same string as before.
"""

from enum import StrEnum


class DomainError(ValueError):
    """A rule refused the input. `code` names the reason; views translate it."""

    def __init__(self, code: StrEnum, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
