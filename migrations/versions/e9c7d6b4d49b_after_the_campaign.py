"""after the campaign

- ``milestone``, ``spending_report`` (receipts stored as files, staff only), ``grant_instalment``
  (paid is part of committed), ``impact_indicator`` (chosen at application, reported later).
- ``edition.instalment_plan`` and ``final_report_days``, added in place (a batch rebuild would drop
  the budget triggers on SQLite).

Revision ID: e9c7d6b4d49b
Revises: 6cedb3f7cff7
Create Date: 2026-11-28 00:06:43.977538

"""
from alembic import op
import sqlalchemy as sa

import portal.models.types


# revision identifiers, used by Alembic.
revision = 'e9c7d6b4d49b'
down_revision = '6cedb3f7cff7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('impact_indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('reported', sa.Integer(), nullable=True),
    sa.Column('reported_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('reported IS NULL OR reported >= 0', name=op.f('ck_impact_indicator_reported')),
    sa.CheckConstraint('target > 0', name=op.f('ck_impact_indicator_target')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_impact_indicator_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_indicator')),
    sa.UniqueConstraint('application_id', 'code', name='uq_impact_indicator_application_code')
    )
    with op.batch_alter_table('impact_indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_impact_indicator_application_id'), ['application_id'], unique=False)

    op.create_table('grant_instalment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('condition', sa.Enum('START', 'FINAL_REPORT', name='instalmentcondition', native_enum=False, length=20), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('paid_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.Column('payment_reference', sa.String(length=100), nullable=True),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_grant_instalment_amount')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_grant_instalment_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['paid_by_id'], ['user_account.id'], name=op.f('fk_grant_instalment_paid_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_instalment')),
    sa.UniqueConstraint('campaign_id', 'position', name='uq_grant_instalment_campaign_position')
    )
    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('PLANNED', 'IN_PROGRESS', 'DONE', name='milestonestate', native_enum=False, length=20), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('updated_at', portal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_milestone_campaign_id_campaign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone'))
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index('ix_milestone_campaign_position', ['campaign_id', 'position'], unique=False)

    op.create_table('spending_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('budget_item_id', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('is_final', sa.Boolean(), nullable=False),
    sa.Column('receipt_filename', sa.String(length=200), nullable=False),
    sa.Column('receipt_key', sa.String(length=64), nullable=False),
    sa.Column('receipt_size', sa.Integer(), nullable=False),
    sa.Column('receipt_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('SUBMITTED', 'APPROVED', 'RETURNED', name='reportstatus', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('submitted_at', portal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', portal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_spending_report_amount')),
    sa.ForeignKeyConstraint(['budget_item_id'], ['budget_item.id'], name=op.f('fk_spending_report_budget_item_id_budget_item')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_spending_report_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_spending_report_reviewed_by_id_user_account')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_spending_report_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spending_report')),
    sa.UniqueConstraint('receipt_key', name=op.f('uq_spending_report_receipt_key'))
    )
    with op.batch_alter_table('spending_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spending_report_budget_item_id'), ['budget_item_id'], unique=False)
        batch_op.create_index('ix_spending_report_campaign_status', ['campaign_id', 'status'], unique=False)

    # In place, never in batch mode: SQLite would rebuild edition and drop the budget triggers.
    op.add_column('edition', sa.Column('instalment_plan', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('edition', sa.Column('final_report_days', sa.Integer(), nullable=True))



def downgrade():
    op.drop_column('edition', 'final_report_days')
    op.drop_column('edition', 'instalment_plan')

    with op.batch_alter_table('spending_report', schema=None) as batch_op:
        batch_op.drop_index('ix_spending_report_campaign_status')
        batch_op.drop_index(batch_op.f('ix_spending_report_budget_item_id'))

    op.drop_table('spending_report')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_campaign_position')

    op.drop_table('milestone')
    op.drop_table('grant_instalment')
    with op.batch_alter_table('impact_indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_impact_indicator_application_id'))

    op.drop_table('impact_indicator')
