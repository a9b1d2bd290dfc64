"""Unbound extensions; `create_app` binds them. Importing this module does no I/O."""

from functools import cached_property
from typing import Any

import click
from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic's diffs stable on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PortalLimiter(Limiter):
    """Flask-Limiter, bound with the portal's own wiring (portal/limits.py): the client's address
    behind trusted proxies, and the 429 answer in the visitor's language, for htmx too."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        from portal import limits  # the limits' module decorates views with this very object

        limits.init_app(app)


class _MigrateSettings:
    """What Flask-Migrate's `init_app` leaves in `app.extensions["migrate"]` (read by its commands,
    by `flask_migrate.upgrade` and by migrations/env.py), with Flask-Migrate itself built on first use."""

    def __init__(self, db: SQLAlchemy, directory: str, configure_args: dict[str, Any]) -> None:
        self.db = db
        self.directory = directory
        self.configure_args = configure_args

    @property
    def metadata(self):
        return self.db.metadata

    @cached_property
    def migrate(self):
        from flask_migrate import Migrate as FlaskMigrate

        return FlaskMigrate(db=self.db, directory=self.directory, **self.configure_args)


class _MigrationCommands(click.Group):
    """`flask db …`: Flask-Migrate's own command group, loaded when it is invoked (the context it
    makes runs that group, options and all), or when its commands are listed."""

    @staticmethod
    def _commands() -> click.Group:
        from flask_migrate.cli import db as commands

        return commands

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self._commands().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._commands().get_command(ctx, name)


class LazyMigrate:
    """Flask-Migrate, bound as `Migrate(app, db)` would bind it, but imported only when a migration
    runs (`flask db …`, the tests' `upgrade()`): Alembic and Mako cost every web worker ~11 MB."""

    def init_app(self, app: Flask, db: SQLAlchemy, directory: str) -> None:
        # Flask-Migrate's defaults, which migrations/env.py passes on to Alembic.
        configure_args = {"compare_type": True, "render_as_batch": True}
        app.extensions["migrate"] = _MigrateSettings(db, str(directory), configure_args)
        app.cli.add_command(_MigrationCommands("db", help="Perform database migrations."))


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
csrf = CSRFProtect()
babel = Babel()
# Every limit names its key (portal/limits.py); the default key, the client's IP, is the fallback.
limiter = PortalLimiter(key_func=get_remote_address)
login_manager = LoginManager()
