"""Unbound extensions; `create_app` binds them. Importing this module does no I/O."""

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
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


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
# Every limit names its key (portal/limits.py); the default key, the client's IP, is the fallback.
limiter = PortalLimiter(key_func=get_remote_address)
login_manager = LoginManager()
