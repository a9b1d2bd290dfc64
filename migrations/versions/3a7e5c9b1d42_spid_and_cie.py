"""sign in with SPID and CIE

- ``user_account.fiscal_code``: the codice fiscale SPID or CIE vouched for (unique, nullable: every
  existing account keeps working as it is), added in place (a batch rebuild of ``user_account`` on
  SQLite would copy every account for nothing) with its unique index.
- ``used_assertion``: each accepted assertion's ID until it expires, so none is accepted twice.
- ``organisation.legal_rep_fiscal_code``: the legal representative's codice fiscale, from SPID/CIE
  (the organisation's account signing in with it), in place too.

Revision ID: 3a7e5c9b1d42
Revises: e9c7d6b4d49b
Create Date: 2026-11-28 02:40:00

"""

from alembic import op
import sqlalchemy as sa

import portal.models.types


# revision identifiers, used by Alembic.
revision = "3a7e5c9b1d42"
down_revision = "e9c7d6b4d49b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "used_assertion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assertion_id", sa.String(length=255), nullable=False),
        sa.Column("idp", sa.String(length=255), nullable=False),
        sa.Column("expires_at", portal.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_used_assertion")),
        sa.UniqueConstraint("assertion_id", name=op.f("uq_used_assertion_assertion_id")),
    )
    op.create_index("ix_used_assertion_expires_at", "used_assertion", ["expires_at"], unique=False)
    op.add_column("user_account", sa.Column("fiscal_code", sa.String(length=16), nullable=True))
    op.create_index("ix_user_account_fiscal_code", "user_account", ["fiscal_code"], unique=True)
    op.add_column("organisation", sa.Column("legal_rep_fiscal_code", sa.String(length=16), nullable=True))


def downgrade():
    op.drop_column("organisation", "legal_rep_fiscal_code")
    op.drop_index("ix_user_account_fiscal_code", table_name="user_account")
    # Plain DROP COLUMN (SQLite 3.35 and later), as the other in-place changes.
    op.drop_column("user_account", "fiscal_code")
    op.drop_index("ix_used_assertion_expires_at", table_name="used_assertion")
    op.drop_table("used_assertion")
