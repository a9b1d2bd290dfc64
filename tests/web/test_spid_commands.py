"""Operators' SPID/CIE commands: `flask spid-certificate` for a new deployment, `flask forget-assertions`
from cron."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from portal.extensions import db
from portal.models import UsedAssertion


def test_spid_certificate_writes_the_key_and_certificate_once(app, runner, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SPID_KEY_FILE", str(tmp_path / "keys" / "sp.key"))
    monkeypatch.setitem(app.config, "SPID_CERT_FILE", str(tmp_path / "keys" / "sp.crt"))
    result = runner.invoke(args=["spid-certificate"])
    assert result.exit_code == 0, result.output
    certificate = x509.load_pem_x509_certificate((tmp_path / "keys" / "sp.crt").read_bytes())
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_IDENTIFIER)[0].value == "PA:IT-c_f205"
    assert (tmp_path / "keys" / "sp.key").stat().st_mode & 0o077 == 0  # the key: its owner's only
    written = (tmp_path / "keys" / "sp.crt").read_bytes()

    again = runner.invoke(args=["spid-certificate"])
    assert again.exit_code != 0 and "already there" in again.output
    assert (tmp_path / "keys" / "sp.crt").read_bytes() == written  # a registered certificate is never replaced silently
    assert runner.invoke(args=["spid-certificate", "--force"]).exit_code == 0
    assert (tmp_path / "keys" / "sp.crt").read_bytes() != written


def test_forget_assertions_deletes_the_expired_ones_only_and_can_run_twice(app, data, runner):
    now = datetime.now(UTC)
    with app.app_context():
        for name, expires in (("_old", now - timedelta(minutes=1)), ("_live", now + timedelta(minutes=5))):
            db.session.add(UsedAssertion(assertion_id=name, idp="https://idp.example", expires_at=expires))
        db.session.commit()
    first = runner.invoke(args=["forget-assertions"])
    assert first.exit_code == 0 and "Forgot 1 expired" in first.output
    assert "Forgot 0 expired" in runner.invoke(args=["forget-assertions"]).output
    with app.app_context():
        assert db.session.scalars(db.select(UsedAssertion.assertion_id)).all() == ["_live"]


def test_a_misspelt_password_sign_in_setting_stops_the_start():
    from config import TestConfig
    from portal import MissingSettingError, create_app

    with pytest.raises(MissingSettingError, match="PASSWORD_SIGN_IN must be one of all, partners, off"):
        create_app(TestConfig, overrides={"PASSWORD_SIGN_IN": "partner"})
