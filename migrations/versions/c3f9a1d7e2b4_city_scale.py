"""city scale: the data version, indexes for the public pages, stored seat counts

- ``data_version``: one row whose number every committed change to the data bumps
  (portal/services/data_version.py); the HTTP validators and the shared page cache key on it.
- Indexes that serve the public pages whatever the number of rows: the supporters of a campaign
  (paid pledges by confirmation time), the feed (campaigns by publication, updates by posting), the
  gallery's "most recent" order (campaigns by start).
- ``event.confirmed_seats``: the confirmed registrations of an event, kept by the registration
  service under the event's lock, so pages read the seats left without counting registrations.

Revision ID: c3f9a1d7e2b4
Revises: b91f0c3e5d27
Create Date: 2026-11-27 16:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3f9a1d7e2b4'
down_revision = 'b91f0c3e5d27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
        sa.CheckConstraint('id = 1', name=op.f('ck_data_version_one_row')),
    )
    op.execute("INSERT INTO data_version (id, number) VALUES (1, 1)")
    op.create_index(
        'ix_pledge_campaign_confirmed',
        'pledge',
        ['campaign_id', 'confirmed_at', 'id'],
        postgresql_where=sa.text('confirmed_at IS NOT NULL'),
        sqlite_where=sa.text('confirmed_at IS NOT NULL'),
    )
    op.create_index('ix_campaign_published_at', 'campaign', ['published_at', 'id'])
    op.create_index('ix_campaign_starts_at', 'campaign', ['starts_at'])
    op.create_index('ix_campaign_update_posted_at', 'campaign_update', ['posted_at', 'id'])
    # Plain ALTER TABLE on SQLite as elsewhere: `event` keeps its constraints.
    op.add_column('event', sa.Column('confirmed_seats', sa.Integer(), nullable=False, server_default='0'))
    op.execute(
        "UPDATE event SET confirmed_seats = (SELECT count(*) FROM registration "
        "WHERE registration.event_id = event.id AND registration.status = 'CONFIRMED')"
    )


def downgrade():
    with op.batch_alter_table('event') as batch_op:
        batch_op.drop_column('confirmed_seats')
    op.drop_index('ix_campaign_update_posted_at', table_name='campaign_update')
    op.drop_index('ix_campaign_starts_at', table_name='campaign')
    op.drop_index('ix_campaign_published_at', table_name='campaign')
    op.drop_index('ix_pledge_campaign_confirmed', table_name='pledge')
    op.drop_table('data_version')
