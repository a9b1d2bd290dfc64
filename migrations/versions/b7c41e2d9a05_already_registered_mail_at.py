"""already registered mail at: at most one "you are already registered" e-mail an hour

Revision ID: b7c41e2d9a05
Revises: 307e2609f860
Create Date: 2026-11-27 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.models.types


# revision identifiers, used by Alembic.
revision = 'b7c41e2d9a05'
down_revision = '307e2609f860'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('already_registered_mail_at', portal.models.types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('registrant', schema=None) as batch_op:
        batch_op.drop_column('already_registered_mail_at')
