"""comments carry their idea's campaign and department

The search page lists the newest comments of a campaign or a department when filters are
chosen without words (search/listing.py). Chosen through their ideas, they took up to 49 ms
(SQLite, the biggest campaign) and 63 ms (PostgreSQL, a department's 50th page) at the
bench's size; copied onto the comment, an index walks them. An idea never changes campaign
or department, so the copies stay true; existing comments take their idea's here.

Revision ID: 1c37765b94aa
Revises: 02c354d9afe7
Create Date: 2026-12-05 07:45:58.998982

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1c37765b94aa'
down_revision = '02c354d9afe7'
branch_labels = None
depends_on = None


# Batch mode copies the table on SQLite and cannot carry an index on an expression: this
# one (0b5e16be5a3c) is dropped before and made again after, on every engine alike.
def _drop_discussion_index():
    op.drop_index('ix_comments_discussion', table_name='comments')


def _make_discussion_index():
    op.create_index(
        'ix_comments_discussion',
        'comments',
        [
            'idea_id',
            sa.text('coalesce(parent_id, id)'),
            'id',
            'author_id',
            'parent_id',
            'edited_at',
            'deleted_at',
        ],
        unique=False,
    )


def upgrade():
    _drop_discussion_index()
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))

    op.execute(
        "UPDATE comments SET"
        " campaign_id = (SELECT ideas.campaign_id FROM ideas WHERE ideas.id = comments.idea_id),"
        " department_id = (SELECT ideas.department_id FROM ideas WHERE ideas.id = comments.idea_id)"
    )

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.alter_column('campaign_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_comments_campaign_newest', ['campaign_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_comments_department_newest', ['department_id', 'created_at', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_comments_department_id_departments'), 'departments', ['department_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_comments_campaign_id_campaigns'), 'campaigns', ['campaign_id'], ['id'], ondelete='CASCADE')
    _make_discussion_index()


def downgrade():
    _drop_discussion_index()
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comments_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_comments_department_id_departments'), type_='foreignkey')
        batch_op.drop_index('ix_comments_department_newest')
        batch_op.drop_index('ix_comments_campaign_newest')
        batch_op.drop_column('department_id')
        batch_op.drop_column('campaign_id')
    _make_discussion_index()
