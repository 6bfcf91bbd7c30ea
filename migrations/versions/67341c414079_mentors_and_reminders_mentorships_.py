"""mentors and reminders: mentorships, reminders_sent

Revision ID: 67341c414079
Revises: 682915bd3a05
Create Date: 2026-11-22 22:55:56.750744

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '67341c414079'
down_revision = '682915bd3a05'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('mentorships',
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_mentorships_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentee_id'], ['users.id'], name=op.f('fk_mentorships_mentee_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_mentorships_mentor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mentee_id', name=op.f('pk_mentorships'))
    )
    with op.batch_alter_table('mentorships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorships_mentor_id'), ['mentor_id'], unique=False)

    op.create_table('reminders_sent',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'sent_on', name=op.f('pk_reminders_sent'))
    )



def downgrade():

    op.drop_table('reminders_sent')
    with op.batch_alter_table('mentorships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorships_mentor_id'))

    op.drop_table('mentorships')

