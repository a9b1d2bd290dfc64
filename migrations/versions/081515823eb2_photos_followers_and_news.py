"""photos, followers and news

- ``campaign_photo``: a campaign's photos (or an update's), stored as re-encoded variants named from
  the random ``key``; at most one cover per campaign (a partial unique index).
- ``campaign.image_width`` / ``image_height``: the cover's size, copied with its key and alt text
  into ``image_file`` / ``image_alt`` so the gallery shows it without another query;
  ``campaign.video_url``.
- ``campaign_follower`` (personal data: e-mail, language) and ``campaign_news``, what they are told of.
- ``outbox_message.headers``: List-Unsubscribe and List-Unsubscribe-Post on news e-mails.

The campaign table gains its columns with plain ALTER TABLE (never rebuilt in batch mode on SQLite:
a rebuild would drop the co-funding budget triggers).

Revision ID: 081515823eb2
Revises: c3f9a1d7e2b4
Create Date: 2026-11-27 19:42:06.348040

"""
from alembic import op
import sqlalchemy as sa

import portal.models.types


# revision identifiers, used by Alembic.
revision = '081515823eb2'
down_revision = 'c3f9a1d7e2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_follower',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_at', portal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmation_mail_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_mail_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('told_news_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_follower_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_follower')),
    sa.UniqueConstraint('campaign_id', 'email', name='uq_campaign_follower_campaign_email'),
    sa.UniqueConstraint('token', name=op.f('uq_campaign_follower_token'))
    )
    with op.batch_alter_table('campaign_follower', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_follower_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('campaign_news',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=80), nullable=False),
    sa.Column('happened_at', portal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_news_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['update_id'], ['campaign_update.id'], name=op.f('fk_campaign_news_update_id_campaign_update')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_news')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_campaign_news_dedupe_key'))
    )
    with op.batch_alter_table('campaign_news', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_news_campaign_id_id', ['campaign_id', 'id'], unique=False)

    op.create_table('campaign_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_cover', sa.Boolean(), nullable=False),
    sa.Column('alt_text', sa.String(length=250), nullable=False),
    sa.Column('caption', sa.String(length=300), nullable=True),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_photo_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['update_id'], ['campaign_update.id'], name=op.f('fk_campaign_photo_update_id_campaign_update')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_campaign_photo_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_photo')),
    sa.UniqueConstraint('key', name=op.f('uq_campaign_photo_key'))
    )
    with op.batch_alter_table('campaign_photo', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_photo_campaign_position', ['campaign_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_photo_update_id'), ['update_id'], unique=False)
        batch_op.create_index('uq_campaign_photo_cover', ['campaign_id'], unique=True, postgresql_where=sa.text('is_cover'), sqlite_where=sa.text('is_cover'))

    op.add_column('campaign', sa.Column('image_width', sa.Integer(), nullable=True))
    op.add_column('campaign', sa.Column('image_height', sa.Integer(), nullable=True))
    op.add_column('campaign', sa.Column('video_url', sa.String(length=300), nullable=True))
    op.add_column('outbox_message', sa.Column('headers', sa.JSON(), nullable=False, server_default='{}'))



def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('headers')
    # Plain DROP COLUMN (SQLite 3.35 and later): a batch rebuild would drop the budget triggers.
    for column in ('video_url', 'image_height', 'image_width'):
        op.drop_column('campaign', column)

    with op.batch_alter_table('campaign_photo', schema=None) as batch_op:
        batch_op.drop_index('uq_campaign_photo_cover', postgresql_where=sa.text('is_cover'), sqlite_where=sa.text('is_cover'))
        batch_op.drop_index(batch_op.f('ix_campaign_photo_update_id'))
        batch_op.drop_index('ix_campaign_photo_campaign_position')

    op.drop_table('campaign_photo')
    with op.batch_alter_table('campaign_news', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_news_campaign_id_id')

    op.drop_table('campaign_news')
    with op.batch_alter_table('campaign_follower', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_follower_campaign_id'))

    op.drop_table('campaign_follower')
