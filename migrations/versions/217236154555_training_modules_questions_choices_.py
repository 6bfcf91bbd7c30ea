"""training: modules, questions, choices, attempts

Revision ID: 217236154555
Revises: 67341c414079
Create Date: 2026-11-22 22:59:09.669323

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '217236154555'
down_revision = '67341c414079'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('training_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guideline_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('assigned_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('due_days BETWEEN 1 AND 365', name=op.f('ck_training_modules_due_days_range')),
    sa.CheckConstraint('pass_mark BETWEEN 1 AND 100', name=op.f('ck_training_modules_pass_mark_percent')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_modules_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['guideline_id'], ['guidelines.id'], name=op.f('fk_training_modules_guideline_id_guidelines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['guideline_versions.id'], name=op.f('fk_training_modules_version_id_guideline_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_modules'))
    )
    with op.batch_alter_table('training_modules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_modules_guideline_id'), ['guideline_id'], unique=False)

    op.create_table('training_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('question_order', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['training_modules.id'], name=op.f('fk_training_attempts_module_id_training_modules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_attempts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attempts'))
    )
    with op.batch_alter_table('training_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_training_attempts_user_module', ['user_id', 'module_id'], unique=False)

    op.create_table('training_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['training_modules.id'], name=op.f('fk_training_questions_module_id_training_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_questions'))
    )
    with op.batch_alter_table('training_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_questions_module_id'), ['module_id'], unique=False)

    op.create_table('training_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('is_correct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['training_questions.id'], name=op.f('fk_training_choices_question_id_training_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_choices'))
    )
    with op.batch_alter_table('training_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_choices_question_id'), ['question_id'], unique=False)




def downgrade():

    with op.batch_alter_table('training_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_choices_question_id'))

    op.drop_table('training_choices')
    with op.batch_alter_table('training_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_questions_module_id'))

    op.drop_table('training_questions')
    with op.batch_alter_table('training_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_training_attempts_user_module')

    op.drop_table('training_attempts')
    with op.batch_alter_table('training_modules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_modules_guideline_id'))

    op.drop_table('training_modules')

