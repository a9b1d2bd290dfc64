"""journeys: the call's documents, when results are expected, the published ranking, gallery sorts

- ``edition.budget_is_floor``: the source gives the budget as a floor ("oltre 500.000 €").
- ``edition.results_expected_on``: the home page says when the selection's results are expected.
- ``edition.ranking_published_at``: staff publish the ranking of the selected projects on the call page.
- ``edition_document``: the official documents staff attach to an edition (the call, FAQ, annexes,
  the ranking), listed on the call page with size and format.
- ``criterion.rubric_it`` / ``rubric_en``: what each band of a criterion's scale means, next to it.
- ``campaign.target_progress_bp``: the confirmed total toward the citizens' target in basis
  points, kept by the model whenever either changes, indexed with ``ends_at`` so the gallery sorts
  "più vicine alla soglia" and "in scadenza" from an index. Existing rows are filled here.

Columns are added without rebuilding a table (no batch mode), so SQLite keeps the triggers of
5e8d1f3a7c20 on ``edition`` and ``campaign``.

Revision ID: a4d2c8e61f93
Revises: 5e8d1f3a7c20
Create Date: 2026-11-27 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.models.types


# revision identifiers, used by Alembic.
revision = 'a4d2c8e61f93'
down_revision = '5e8d1f3a7c20'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('edition', sa.Column('budget_is_floor', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('edition', sa.Column('results_expected_on', sa.Date(), nullable=True))
    op.add_column('edition', sa.Column('ranking_published_at', portal.models.types.UTCDateTime(timezone=True), nullable=True))
    op.create_table('edition_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('CALL', 'FAQ', 'ANNEX', 'RANKING', name='documentkind', native_enum=False, length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_it', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', portal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_edition_document_edition_id_edition')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_edition_document_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edition_document')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_edition_document_storage_key'))
    )
    op.create_index(op.f('ix_edition_document_edition_id'), 'edition_document', ['edition_id'], unique=False)

    op.add_column('criterion', sa.Column('rubric_it', sa.Text(), nullable=True))
    op.add_column('criterion', sa.Column('rubric_en', sa.Text(), nullable=True))

    op.add_column('campaign', sa.Column('target_progress_bp', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE campaign SET target_progress_bp = "
        "CASE WHEN target_cents > 0 THEN confirmed_cents * 10000 / target_cents ELSE 0 END"
    )
    op.create_index(op.f('ix_campaign_target_progress_bp'), 'campaign', ['target_progress_bp'], unique=False)
    op.create_index(op.f('ix_campaign_ends_at'), 'campaign', ['ends_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_campaign_ends_at'), table_name='campaign')
    op.drop_index(op.f('ix_campaign_target_progress_bp'), table_name='campaign')
    op.drop_column('campaign', 'target_progress_bp')
    op.drop_column('criterion', 'rubric_en')
    op.drop_column('criterion', 'rubric_it')
    op.drop_index(op.f('ix_edition_document_edition_id'), table_name='edition_document')
    op.drop_table('edition_document')
    op.drop_column('edition', 'ranking_published_at')
    op.drop_column('edition', 'results_expected_on')
    op.drop_column('edition', 'budget_is_floor')
