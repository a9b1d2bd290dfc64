"""Commands for operators: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask

from portal.clock import now, parse_fixed_now
from portal.services.mail import deliver_pending
from portal.services.reminders import anonymise_registrants, send_reminders
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

    @app.cli.command("send-reminders")
    @click.option("--now", "at", help="ISO 8601 instant to act as now (default: the portal's clock).")
    def send_reminders_command(at: str | None) -> None:
        """Queue reminders 24 hours and 1 hour before each lesson (cron, every 10 minutes)."""
        count = send_reminders(parse_fixed_now(at) if at else now())
        click.echo(f"Queued {count} reminders; `flask send-mail` delivers them.")

    @app.cli.command("anonymise-registrants")
    @click.option("--days", default=None, type=int, help="Retention in days after a person's last event.")
    def anonymise_command(days: int | None) -> None:
        """Blank the personal data of course registrants after the retention period (cron, daily)."""
        retention = days if days is not None else app.config["REGISTRANT_RETENTION_DAYS"]
        count = anonymise_registrants(now(), retention)
        click.echo(f"Anonymised {count} registrants (retention {retention} days).")
