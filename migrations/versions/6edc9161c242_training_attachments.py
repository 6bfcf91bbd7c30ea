"""training attachments

Revision ID: 6edc9161c242
Revises: 217236154555
Create Date: 2026-11-22 23:55:52.483570

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6edc9161c242'
down_revision = '217236154555'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('training_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('mime_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['training_modules.id'], name=op.f('fk_training_attachments_module_id_training_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attachments'))
    )
    with op.batch_alter_table('training_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_attachments_module_id'), ['module_id'], unique=False)



def downgrade():
    with op.batch_alter_table('training_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_attachments_module_id'))

    op.drop_table('training_attachments')
