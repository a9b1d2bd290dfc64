"""Commands for operators: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask

from portal.services.seed import seed_editions


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the real 2016 and 2020 editions and their events (idempotent)."""
        counts = seed_editions()
        click.echo(f"Loaded {counts['editions']} editions and {counts['events']} events.")
