"""Commands for operators: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask

from portal.clock import now
from portal.services.mail import deliver_pending
from portal.services.seed import seed_editions


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the real 2016 and 2020 editions and their events (idempotent)."""
        counts = seed_editions()
        click.echo(f"Loaded {counts['editions']} editions and {counts['events']} events.")

    init_mail_commands(app)


def init_mail_commands(app: Flask) -> None:
    @app.cli.command("send-mail")
    def send_mail() -> None:
        """Deliver the e-mails waiting in the outbox (run it from cron every minute)."""
        sent, failed = deliver_pending(now())
        click.echo(f"Sent {sent} e-mails, {failed} failed and stay queued.")
