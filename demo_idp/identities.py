"""The demo identity provider's people: fictional, with codici fiscali whose check character is valid
(python-stdnum's `it.codicefiscale` agrees; tests/web/test_demo_idp.py checks it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TestIdentity:
    __test__ = False  # not a pytest class

    key: str  # what the chooser's form sends
    name: str
    family_name: str
    email: str
    fiscal_code: str

    @property
    def fiscal_number(self) -> str:
        """The SPID attribute: the codice fiscale with the TIN prefix of Italy."""
        return f"TINIT-{self.fiscal_code}"

    def attributes(self) -> dict[str, list[str]]:
        return {
            "fiscalNumber": [self.fiscal_number],
            "name": [self.name],
            "familyName": [self.family_name],
            "email": [self.email],
        }


IDENTITIES = (
    TestIdentity("giulia", "Giulia", "Bianchi", "giulia.bianchi@example.org", "BNCGLI85C55F205C"),
    TestIdentity("luca", "Luca", "Esposito", "luca.esposito@example.org", "SPSLCU90L22F839Z"),
    TestIdentity("chiara", "Chiara", "Ferrari", "chiara.ferrari@example.org", "FRRCHR78S43L219E"),
    TestIdentity("mario", "Mario", "Rossi", "mario.rossi@example.org", "RSSMRA80A01F205X"),
)


def identity(key: str | None) -> TestIdentity | None:
    return next((person for person in IDENTITIES if person.key == key), None)
