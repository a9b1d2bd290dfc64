"""/.well-known/security.txt (RFC 9116): whom to tell about a vulnerability, from the configuration,
and the policy it points to (the repository's SECURITY.md)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

URL = "/.well-known/security.txt"


def fields(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in response.get_data(as_text=True).splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition(": ")
            found.setdefault(name, []).append(value)
    return found


def test_security_txt_names_the_contact_the_expiry_the_languages_and_the_policy(app, client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert fields(response) == {
        "Contact": [f"mailto:{app.config['CONTACT_EMAIL']}"],
        "Expires": ["2021-06-01T08:00:00Z"],  # a year after the portal's clock, 1 June 2020 10:00 Rome
        "Preferred-Languages": ["it, en"],
        "Canonical": ["http://127.0.0.1:5000/.well-known/security.txt"],
        "Policy": ["http://127.0.0.1:5000/security-policy.txt"],
    }


def test_the_expiry_follows_the_portals_clock(client, at):
    at("2020-11-15T12:00:00+01:00")
    assert fields(client.get(URL))["Expires"] == ["2021-11-15T11:00:00Z"]


@pytest.mark.parametrize(
    ("setting", "contact"),
    [
        ("security@comune.milano.example", "mailto:security@comune.milano.example"),
        ("mailto:cert@comune.milano.example", "mailto:cert@comune.milano.example"),
        ("https://www.comune.milano.example/segnalazioni", "https://www.comune.milano.example/segnalazioni"),
    ],
)
def test_the_contact_and_the_addresses_come_from_the_configuration(app, client, monkeypatch, setting, contact):
    monkeypatch.setitem(app.config, "SECURITY_CONTACT", setting)
    monkeypatch.setitem(app.config, "SITE_URL", "https://crowdfunding.comune.milano.example")
    monkeypatch.setitem(app.config, "SECURITY_POLICY_URL", "https://www.comune.milano.example/vdp")
    found = fields(client.get(URL))
    assert found["Contact"] == [contact]
    assert found["Canonical"] == ["https://crowdfunding.comune.milano.example/.well-known/security.txt"]
    assert found["Policy"] == ["https://www.comune.milano.example/vdp"]


def test_the_policy_says_whom_to_write_what_to_include_what_happens_and_what_is_out_of_scope(client):
    policy_url = fields(client.get(URL))["Policy"][0]
    response = client.get(urlsplit(policy_url).path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    text = response.get_data(as_text=True)
    for heading in ("Whom to write to", "What to include", "What happens next", "Safe harbour", "Out of scope"):
        assert f"### {heading}" in text, heading
    for heading in ("A chi scrivere", "Che cosa indicare", "Che cosa succede dopo", "Porto sicuro", "Fuori ambito"):
        assert f"### {heading}" in text, heading
