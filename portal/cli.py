"""Commands for operators: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
import pyotp
from flask import Flask

from portal.cli_identity import init_identity_commands
from portal.clock import now, parse_fixed_now
from portal.domain import DomainError
from portal.extensions import db
from portal.models import Role
from portal.services.accounts import accounts
from portal.services.courses.reminders import anonymise_registrants, send_reminders
from portal.services.editions.editions import edition_or_404
from portal.services.mail import deliver_now_if_immediate, deliver_pending


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the real 2016 and 2020 editions and their events (idempotent)."""
        # The demo package is loaded only here (and by `demo-code`), never by the running portal.
        from portal.demo.accompaniment import seed_demo_accompaniment
        from portal.demo.aftercare import seed_demo_aftercare
        from portal.demo.applications import seed_demo_applications
        from portal.demo.campaigns import seed_demo_campaigns
        from portal.demo.seed import seed_demo_accounts, seed_editions

        counts = seed_editions()
        click.echo(f"Loaded {counts['editions']} editions and {counts['events']} events.")
        if app.config.get("DEMO_ACCOUNTS"):
            created = seed_demo_accounts(now())
            click.echo(f"Demo staff, evaluator and coach accounts created: {created} (credentials in the README).")
            applicants = seed_demo_applications(edition_or_404(2020))
            click.echo(f"Demo applicants created: {applicants} (password in the README).")
            campaigns = seed_demo_campaigns()
            accompaniment = seed_demo_accompaniment(edition_or_404(2020))
            click.echo(f"Demo campaigns created: {campaigns['campaigns']}, demo pledges: {campaigns['pledges']}.")
            click.echo(
                f"Demo accompaniment: {accompaniment['campaigns']} campaign being prepared with its coach, "
                f"{accompaniment['office_hours']} office hours, {accompaniment['featured']} featured campaign."
            )
            aftercare = seed_demo_aftercare(edition_or_404(2020), now())  # only what the clock has passed
            click.echo("Demo after the campaign: " + ", ".join(f"{n} {part}" for part, n in aftercare.items()) + ".")
            deliver_now_if_immediate(now())  # the demo receipt lands in MAIL_DIR like every other e-mail

    init_mail_commands(app)
    init_account_commands(app)
    init_campaign_commands(app)
    init_identity_commands(app)


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

    @app.cli.command("notify-followers")
    @click.option("--now", "at", help="ISO 8601 instant to act as now (default: the portal's clock).")
    def notify_followers_command(at: str | None) -> None:
        """Tell campaigns' followers of the last 48 hours and of the news still untold, as a daily
        digest (cron, every 15 minutes; idempotent)."""
        from portal.services.campaigns.following import notify_followers

        moment = parse_fixed_now(at) if at else now()
        notified = notify_followers(moment)
        click.echo(
            f"Last 48 hours recorded for {notified.last_calls} campaigns; queued {notified.mails} e-mails "
            "to followers; `flask send-mail` delivers them."
        )
        deliver_now_if_immediate(moment)

    @app.cli.command("forget-followers")
    @click.option("--days", default=None, type=int, help="Retention in days after the campaign ended.")
    def forget_followers_command(days: int | None) -> None:
        """Delete campaigns' followers after the retention period, and those never confirmed after
        7 days, with the e-mails written to them (cron, daily)."""
        from portal.services.campaigns.following import forget_followers

        retention = days if days is not None else app.config["FOLLOWER_RETENTION_DAYS"]
        count = forget_followers(now(), retention)
        click.echo(f"Forgot {count} followers (retention {retention} days after a campaign's end).")

    @app.cli.command("forget-newsletter")
    def forget_newsletter_command() -> None:
        """Delete newsletter subscriptions never confirmed within a week and those unsubscribed over a
        month ago (portal/domain/newsletter.py), with the e-mails written to them (cron, daily)."""
        from portal.domain.newsletter import UNCONFIRMED_KEPT, UNSUBSCRIBED_KEPT
        from portal.services.newsletter.subscriptions import forget

        count = forget(now())
        click.echo(
            f"Forgot {count} newsletter subscribers (unconfirmed after {UNCONFIRMED_KEPT.days} days, "
            f"unsubscribed after {UNSUBSCRIBED_KEPT.days} days)."
        )


def init_account_commands(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STAFF.value, show_default=True)
    @click.password_option(help="At least 12 characters; asked for if not given.")
    def create_user_command(email: str, name: str, role: str, password: str) -> None:
        """Create a staff or evaluator account; its second factor is set up at the first sign-in."""
        if accounts.user_by_email(email) is not None:
            raise click.ClickException(f"An account for {email} already exists.")
        try:
            accounts.create_confirmed_user(email, name, password, Role(role), now())
        except DomainError as error:
            raise click.ClickException(f"Password refused: at least {error.params['minimum']} characters.") from None
        click.echo(f"Created {role} account {accounts.normalise_email(email)}.")

    @app.cli.command("reset-second-factor")
    @click.argument("email")
    def reset_second_factor(email: str) -> None:
        """For someone who lost their phone: they set up a new authenticator at the next sign-in."""
        user = accounts.user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account for {email}.")
        accounts.reset_second_factor(user)
        click.echo(f"The second factor of {user.email} is reset; every session of theirs has ended.")

    @app.cli.command("demo-code")
    @click.argument("who", type=click.Choice(["staff", "evaluator", "coach"]), default="staff")
    def demo_code(who: str) -> None:
        """Print the current sign-in code of a demo back-office account (demo configuration only)."""
        if not app.config.get("DEMO_ACCOUNTS"):
            raise click.ClickException("Only available in the demo (development) configuration.")
        from portal.demo.seed import DEMO_COACH, DEMO_EVALUATOR, DEMO_STAFF

        demo = {"staff": DEMO_STAFF, "evaluator": DEMO_EVALUATOR, "coach": DEMO_COACH}[who]
        click.echo(pyotp.TOTP(demo["totp_secret"]).now())


def init_campaign_commands(app: Flask) -> None:
    @app.cli.command("close-campaigns")
    def close_campaigns() -> None:
        """Close the campaigns whose window has ended: succeeded or not funded (cron, hourly; idempotent)."""
        from portal.models import Campaign
        from portal.services.campaigns.closing import close_due_campaigns

        closings = close_due_campaigns(now())
        for closing in closings:
            title = db.session.get(Campaign, closing.campaign_id).title
            outcome = "succeeded" if closing.succeeded else "not funded"
            click.echo(f"{title}: {outcome}, {closing.cancelled} pending cancelled, {closing.to_refund} to refund.")
        click.echo(f"Closed {len(closings)} campaigns." if closings else "No campaign to close.")
        deliver_now_if_immediate(now())

    @app.cli.command("refunds")
    def refunds_command() -> None:
        """Ask the payment provider for every card refund due (cron, every 10 minutes; a failure is
        retried later, and a refund is never asked twice)."""
        from portal.services.payments.refunds import run_provider_refunds

        report = run_provider_refunds(now())
        click.echo(
            f"Refunds: {report.done} done, {report.accepted} accepted (the provider confirms later), "
            f"{report.failed} failed (retried later)."
        )
        deliver_now_if_immediate(now())

    @app.cli.command("expire-checkouts")
    def expire_checkouts() -> None:
        """Release the pledges whose card checkout expired unpaid: their rewards go back (cron, every 5 minutes)."""
        from portal.services.payments.checkout import expire_abandoned_checkouts

        count = expire_abandoned_checkouts(now())
        click.echo(f"Expired {count} abandoned card checkouts.")

    @app.cli.command("remind-reports")
    @click.option("--now", "at", help="ISO 8601 instant to act as now (default: the portal's clock).")
    def remind_reports_command(at: str | None) -> None:
        """Remind funded projects of their final spending report, 14 days before and on the day it is
        due, once each (cron, daily; idempotent)."""
        from portal.services.aftercare.spending_reminders import remind_reports

        moment = parse_fixed_now(at) if at else now()
        count = remind_reports(moment)
        click.echo(f"Queued {count} spending report reminders; `flask send-mail` delivers them.")
        deliver_now_if_immediate(moment)

    @app.cli.command("demo-payment")
    @click.argument("reference")
    @click.option("--amount", help="Euros paid (default: the pledge's amount), e.g. 50 or 12,50.")
    def demo_payment(reference: str, amount: str | None) -> None:
        """Play the payment provider in the demo: send a signed payment.succeeded notification for a
        pledge's reference to the portal's webhook, as the provider would (demo configuration only)."""
        import json
        import secrets

        from portal.domain.money import parse_euros
        from portal.domain.payment_reference import normalise_reference
        from portal.domain.webhook import SIGNATURE_HEADER, sign
        from portal.models import Pledge

        if not app.config.get("DEMO_ACCOUNTS"):
            raise click.ClickException("Only available in the demo (development) configuration.")
        canonical = normalise_reference(reference)
        pledge = db.session.scalar(db.select(Pledge).filter_by(reference=canonical)) if canonical else None
        if pledge is None:
            raise click.ClickException(f"No pledge has the reference {reference}.")
        try:
            cents = parse_euros(amount) if amount else pledge.amount_cents
        except DomainError:
            raise click.ClickException(f"{amount} is not an amount in euros.") from None
        event = {
            "id": f"evt_demo_{secrets.token_hex(8)}",
            "type": "payment.succeeded",
            "data": {"reference": canonical, "amount_cents": cents, "currency": "EUR"},
        }
        body = json.dumps(event).encode()
        signature = sign(app.config["PAYMENT_WEBHOOK_SECRET"].encode(), int(now().timestamp()), body)
        response = app.test_client().post(
            "/api/pagamenti/notifiche",
            data=body,
            headers={SIGNATURE_HEADER: signature, "Content-Type": "application/json"},
        )
        click.echo(f"{response.status_code} {response.get_data(as_text=True).strip()}")
