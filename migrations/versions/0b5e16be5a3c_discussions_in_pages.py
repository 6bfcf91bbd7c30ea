"""discussions in pages: comments indexed in their discussion's order

A discussion is shown a page at a time, each thread (a top-level comment, then its
replies) in turn: ordered by coalesce(parent_id, id), then id. This index gives a page, a
comment's position and the versions of a page's comments without reading the table. It
replaces the index in order of creation, which no query uses any more.

Revision ID: 0b5e16be5a3c
Revises: 551a73470c0d
Create Date: 2026-12-04 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0b5e16be5a3c'
down_revision = '551a73470c0d'
branch_labels = None
depends_on = None


def upgrade():
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
    op.drop_index('ix_comments_idea_thread', table_name='comments')


def downgrade():
    op.create_index(
        'ix_comments_idea_thread',
        'comments',
        ['idea_id', 'created_at', 'id', 'author_id', 'parent_id', 'edited_at', 'deleted_at'],
        unique=False,
    )
    op.drop_index('ix_comments_discussion', table_name='comments')
