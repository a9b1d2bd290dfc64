"""SPID's attribute names as they are, in the "basic" name format (pysaml2 drops names it cannot map)."""

_NAMES = {name: name for name in ("fiscalNumber", "name", "familyName", "email")}
MAP = {"identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic", "fro": _NAMES, "to": _NAMES}
