"""Operators' commands for signing in with SPID and CIE: `flask --app wsgi update-spid-registry`,
`spid-certificate` (a new deployment's key and certificate), `forget-assertions` (cron)."""

from __future__ import annotations

import click
from flask import Flask


def init_identity_commands(app: Flask) -> None:
    @app.cli.command("update-spid-registry")
    @click.option(
        "--source",
        help="The registry's address or a file (default: SPID_REGISTRY_URL, AgID's signed aggregate).",
    )
    @click.option(
        "--cert",
        "certificate",
        type=click.Path(exists=True, dir_okay=False),
        help="The registry's signing certificate, PEM (default: SPID_REGISTRY_CERT_FILE; none: not checked).",
    )
    def update_spid_registry(source: str | None, certificate: str | None) -> None:
        """Download AgID's registry of the SPID identity providers, check it and write one metadata file
        per provider into SPID_IDP_METADATA_DIR (cron, daily). A bad download changes nothing."""
        from portal.services.identity.registry import REGISTRY_URL, RegistryRefused, update_registry

        config = app.config
        source = source or config.get("SPID_REGISTRY_URL") or REGISTRY_URL
        certificate = certificate or config.get("SPID_REGISTRY_CERT_FILE") or None
        folder = config["SPID_IDP_METADATA_DIR"]
        try:
            update = update_registry(source, folder, certificate)
        except RegistryRefused as refusal:
            raise click.ClickException(f"{refusal} Nothing changed in {folder}.") from None
        signature = "signature checked" if certificate else "signature NOT checked (no SPID_REGISTRY_CERT_FILE)"
        click.echo(f"{len(update.written)} identity providers written to {folder} from {source} ({signature}).")
        for name in update.removed:
            click.echo(f"Removed {name}: no longer in the registry.")

    @app.cli.command("spid-certificate")
    @click.option("--force", is_flag=True, help="Replace a key and certificate already there.")
    def spid_certificate(force: bool) -> None:
        """Write the SP's private key and self-signed certificate (SPID_KEY_FILE, SPID_CERT_FILE) in the
        form AgID asks of a public body (Avviso SPID n.29 v3), from the SPID_* settings. Once per
        deployment: the certificate goes into the metadata AgID registers, so replacing it means
        registering the metadata again."""
        from pathlib import Path

        from portal.services.identity.certificates import write_sp_certificate

        config = app.config
        existing = [name for name in (config["SPID_KEY_FILE"], config["SPID_CERT_FILE"]) if Path(name).exists()]
        if existing and not force:
            raise click.ClickException(f"{', '.join(existing)} already there: nothing written (--force replaces).")
        key, cert = write_sp_certificate(config)
        click.echo(f"Wrote {key} (readable by its owner only) and {cert} for {config['SPID_ENTITY_ID']}.")

    @app.cli.command("forget-assertions")
    def forget_assertions() -> None:
        """Delete the IDs of accepted SPID/CIE assertions past their NotOnOrAfter (an expired one is
        refused anyway): idempotent (cron, daily)."""
        from portal.services.identity.saml import real_now
        from portal.services.identity.sign_in import forget_expired_assertions

        count = forget_expired_assertions(real_now())
        click.echo(f"Forgot {count} expired SPID/CIE assertions.")
