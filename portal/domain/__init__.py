"""Pure rules of the programme: plain values in, plain values out.

Nothing here imports Flask, SQLAlchemy or the models, and "now" is always a
parameter, so every rule is tested on its own and reused by every area.
"""


class DomainError(ValueError):
    """A rule refused the input. `code` names the reason; views translate it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
