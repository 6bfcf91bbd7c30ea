"""discussion length: every comment of an idea's discussion, kept as a column

A discussion's pages ("page n of N") were counted from its comments on every view: ~5 ms
on SQLite, ~8 ms on PostgreSQL for the benchmark's 64,075-comment discussion. The column
counts removed comments too (they keep their place); it is filled from the comments here
and kept at each comment's insert from now on (models/discussion.py).

Revision ID: e3073a948c9e
Revises: 0b5e16be5a3c
Create Date: 2026-12-04 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3073a948c9e'
down_revision = '0b5e16be5a3c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('discussion_length', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_ideas_discussion_length_positive'), 'discussion_length >= 0'
        )
    op.execute(
        'UPDATE ideas SET discussion_length = '
        '(SELECT count(*) FROM comments WHERE comments.idea_id = ideas.id)'
    )


def downgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ideas_discussion_length_positive'), type_='check')
        batch_op.drop_column('discussion_length')
