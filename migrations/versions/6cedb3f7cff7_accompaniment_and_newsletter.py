"""accompaniment and newsletter

- ``campaign``: its coach (``coach_id``), the team, the first supporters and the updates plan the
  readiness checklist reads, the private preview's ``preview_token`` (unique), ``featured_at``.
- ``edition.readiness_minimum``: the score staff require before publishing.
- ``event.coach_id`` (an office hour's coach) and ``registration.campaign_id`` (the campaign that
  booked it): office hours are events and bookings are registrations.
- ``campaign_comment``: the coach's and the team's comments, per section of the draft.
- ``newsletter_subscriber`` (personal data) and ``newsletter_issue``.

Revision ID: 6cedb3f7cff7
Revises: 081515823eb2
Create Date: 2026-11-27 22:53:07.915435

"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa

import portal.models.types


# revision identifiers, used by Alembic.
revision = '6cedb3f7cff7'
down_revision = '081515823eb2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('newsletter_subscriber',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', portal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmation_mail_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_newsletter_subscriber')),
    sa.UniqueConstraint('email', name=op.f('uq_newsletter_subscriber_email')),
    sa.UniqueConstraint('token', name=op.f('uq_newsletter_subscriber_token'))
    )
    op.create_table('newsletter_issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_it', sa.String(length=200), nullable=False),
    sa.Column('subject_en', sa.String(length=200), nullable=False),
    sa.Column('body_it', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_newsletter_issue_author_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_newsletter_issue'))
    )
    op.create_table('campaign_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.Enum('STORY', 'PHOTOS', 'REWARDS', 'TEAM', 'FIRST_SUPPORTERS', 'UPDATES_PLAN', 'GENERAL', name='section', native_enum=False, length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', portal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_campaign_comment_author_id_user_account')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_comment_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_comment'))
    )
    with op.batch_alter_table('campaign_comment', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_comment_campaign_created', ['campaign_id', 'created_at', 'id'], unique=False)

    # The campaign, event and registration tables gain their columns in place, never in batch mode:
    # SQLite would rebuild campaign and drop the budget triggers of 5e8d1f3a7c20. SQLite adds a
    # column with its (named) reference in one statement.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table, column, target in REFERENCES:
        name = f'fk_{table}_{column}_{target}'
        if sqlite:
            op.execute(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER CONSTRAINT {name} REFERENCES {target} (id)')
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, target, [column], ['id'])
        op.create_index(f'ix_{table}_{column}', table, [column], unique=False)
    op.add_column('campaign', sa.Column('team_members', sa.Text(), nullable=True))
    op.add_column('campaign', sa.Column('first_supporters', sa.Text(), nullable=True))
    op.add_column('campaign', sa.Column('updates_plan', sa.Text(), nullable=True))
    op.add_column('campaign', sa.Column('preview_token', sa.String(length=64), nullable=True))
    op.add_column('campaign', sa.Column('featured_at', portal.models.types.UTCDateTime(timezone=True), nullable=True))
    op.create_index('uq_campaign_preview_token', 'campaign', ['preview_token'], unique=True)
    op.add_column('edition', sa.Column('readiness_minimum', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('edition', 'readiness_minimum')
    op.drop_index('uq_campaign_preview_token', table_name='campaign')
    # Plain DROP COLUMN (SQLite 3.35 and later): a batch rebuild would drop the budget triggers.
    for column in ('featured_at', 'preview_token', 'updates_plan', 'first_supporters', 'team_members'):
        op.drop_column('campaign', column)
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table, column, target in reversed(REFERENCES):
        op.drop_index(f'ix_{table}_{column}', table_name=table)
        if sqlite:
            # SQLite drops a column that references another table only by rebuilding the table,
            # which the budget triggers refuse: they go first, and come back after.
            triggers = _budget_triggers()
            triggers.downgrade()
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_column(column)
            triggers.create_triggers()
        else:
            op.drop_constraint(f'fk_{table}_{column}_{target}', table, type_='foreignkey')
            op.drop_column(table, column)
    with op.batch_alter_table('campaign_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_comment_campaign_created')
    op.drop_table('campaign_comment')
    op.drop_table('newsletter_issue')
    op.drop_table('newsletter_subscriber')


REFERENCES = (
    ('campaign', 'coach_id', 'user_account'),
    ('event', 'coach_id', 'user_account'),
    ('registration', 'campaign_id', 'campaign'),
)


def _budget_triggers():
    """Revision 5e8d1f3a7c20, whose `create_triggers` makes the budget triggers again."""
    path = Path(__file__).with_name('5e8d1f3a7c20_budget_covers_held.py')
    spec = importlib.util.spec_from_file_location('budget_covers_held', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
